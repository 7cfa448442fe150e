/**
 * Settings and recent projects. The desktop host keeps them in electron-store; the
 * browser host and the CLI in a JSON file in the user's config folder. Both behind
 * one small interface so the service does not care which.
 */
import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { Settings } from '../shared/api/contract'
import { writeJsonAtomic } from './archive/atomic'

export interface SettingsStore {
  settings(): Promise<Settings>
  update(patch: Partial<Settings>): Promise<Settings>
  recent(): Promise<string[]>
  addRecent(dir: string): Promise<void>
}

export const MAX_RECENT = 10

export function defaultConfigDir(): string {
  if (process.env.SGDSCOPE_CONFIG) return process.env.SGDSCOPE_CONFIG
  const base = process.env.XDG_CONFIG_HOME ?? (process.platform === 'win32' ? (process.env.APPDATA ?? os.homedir()) : path.join(os.homedir(), '.config'))
  return path.join(base, 'sgdscope')
}

interface StoredFile {
  settings: Settings
  recent: string[]
}

/** Settings in DIR/settings.json, written atomically; a corrupt file falls back to defaults
 * (and is kept aside as settings.json.corrupt so nothing is lost). */
export class FileSettingsStore implements SettingsStore {
  constructor(readonly dir: string = defaultConfigDir()) {}

  private get file() {
    return path.join(this.dir, 'settings.json')
  }

  private async read(): Promise<StoredFile> {
    let text: string
    try {
      text = await fs.readFile(this.file, 'utf8')
    } catch {
      return { settings: Settings.parse({}), recent: [] }
    }
    try {
      const raw = JSON.parse(text)
      return { settings: Settings.parse(raw.settings ?? {}), recent: Array.isArray(raw.recent) ? raw.recent.filter((r: unknown) => typeof r === 'string') : [] }
    } catch {
      await fs.copyFile(this.file, `${this.file}.corrupt`).catch(() => {})
      return { settings: Settings.parse({}), recent: [] }
    }
  }

  async settings(): Promise<Settings> {
    return (await this.read()).settings
  }

  async update(patch: Partial<Settings>): Promise<Settings> {
    const f = await this.read()
    f.settings = Settings.parse({ ...f.settings, ...patch })
    await writeJsonAtomic(this.file, f)
    return f.settings
  }

  async recent(): Promise<string[]> {
    return (await this.read()).recent
  }

  async addRecent(dir: string): Promise<void> {
    const f = await this.read()
    f.recent = [dir, ...f.recent.filter((d) => d !== dir)].slice(0, MAX_RECENT)
    await writeJsonAtomic(this.file, f)
  }
}
