/**
 * The desktop host's settings, recent projects and window bounds, kept with
 * electron-store (one JSON file in the app's userData folder). Everything read back is
 * validated; what does not parse falls back to defaults instead of breaking startup.
 * The file itself sits behind a two-method interface so tests can use a Map.
 */
import { copyFileSync, existsSync } from 'node:fs'
import * as path from 'node:path'
import { app } from 'electron'
import Store from 'electron-store'
import { z } from 'zod'
import { Settings } from '../../shared/api/contract'
import { MAX_RECENT, type SettingsStore } from '../settings'

/** The part of electron-store (and of a Map) this module uses. */
export interface KeyValueStore {
  get(key: string): unknown
  set(key: string, value: unknown): void
}

const WindowStateSchema = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().min(200).max(20_000),
  height: z.number().int().min(150).max(20_000),
  maximized: z.boolean().default(false),
})
export type WindowState = z.infer<typeof WindowStateSchema>

export const STORE_NAME = 'sgdscope'

export class ElectronSettingsStore implements SettingsStore {
  constructor(private readonly kv: KeyValueStore) {}

  /**
   * Opens (or creates) DIR/sgdscope.json, DIR defaulting to the app's userData folder.
   * A file that is not valid JSON is kept aside as sgdscope.json.corrupt and replaced.
   */
  static open(cwd: string = app.getPath('userData')): ElectronSettingsStore {
    const options = { name: STORE_NAME, cwd, accessPropertiesByDotNotation: false }
    let store: Store<Record<string, unknown>>
    try {
      store = new Store<Record<string, unknown>>(options)
      void store.store // reads and parses the file
    } catch {
      const file = path.join(cwd, `${STORE_NAME}.json`)
      if (existsSync(file)) copyFileSync(file, `${file}.corrupt`)
      store = new Store<Record<string, unknown>>({ ...options, clearInvalidConfig: true })
      store.clear()
    }
    return new ElectronSettingsStore(store)
  }

  private readSettings(): Settings {
    const raw = this.kv.get('settings')
    const r = Settings.safeParse(raw && typeof raw === 'object' ? raw : {})
    if (r.success) return r.data
    // Keep the fields that are still valid.
    const out = Settings.parse({})
    for (const key of Object.keys(out) as (keyof Settings)[]) {
      const f = Settings.shape[key].safeParse((raw as Record<string, unknown>)[key])
      if (f.success) (out as Record<string, unknown>)[key] = f.data
    }
    return out
  }

  async settings(): Promise<Settings> {
    return this.readSettings()
  }

  async update(patch: Partial<Settings>): Promise<Settings> {
    const next = Settings.parse({ ...this.readSettings(), ...patch })
    this.kv.set('settings', next)
    return next
  }

  recentSync(): string[] {
    const raw = this.kv.get('recent')
    return Array.isArray(raw) ? raw.filter((r): r is string => typeof r === 'string' && r.length > 0).slice(0, MAX_RECENT) : []
  }

  async recent(): Promise<string[]> {
    return this.recentSync()
  }

  async addRecent(dir: string): Promise<void> {
    this.kv.set('recent', [dir, ...this.recentSync().filter((d) => d !== dir)].slice(0, MAX_RECENT))
  }

  async removeRecent(dir: string): Promise<void> {
    this.kv.set('recent', this.recentSync().filter((d) => d !== dir))
  }

  async clearRecent(): Promise<void> {
    this.kv.set('recent', [])
  }

  windowState(): WindowState | null {
    const r = WindowStateSchema.safeParse(this.kv.get('window'))
    return r.success ? r.data : null
  }

  saveWindowState(state: WindowState): void {
    const r = WindowStateSchema.safeParse(state)
    if (r.success) this.kv.set('window', r.data)
  }
}
