/**
 * Settings and recent projects. The desktop host keeps them in electron-store; the
 * browser host and the CLI in a JSON file in the user's config folder. Both behind
 * one small interface so the service does not care which.
 *
 * One writer: a change is a patch (only the keys it names), applied to what is on disk
 * at that moment — within a process changes to one file go one at a time, and across
 * processes (two `sgdscope serve`, the CLI) each re-read → patch → atomic rename holds a
 * lock file, so two changes at once both land.
 */
import { jsonProblem } from '../shared/json-problem'
import { fs } from './archive/file-pool'
import * as os from 'node:os'
import * as path from 'node:path'
import { Settings } from '../shared/api/contract'
import { writeJsonAtomic } from './archive/atomic'
import { withLock } from './archive/lock'

export interface SettingsStore {
  settings(): Promise<Settings>
  /** Changes the keys the patch names (an undefined value names nothing) and answers with all settings. */
  update(patch: Partial<Settings>): Promise<Settings>
  recent(): Promise<string[]>
  addRecent(dir: string): Promise<void>
}

export const MAX_RECENT = 10

export function defaultConfigDir(): string {
  if (process.env.SGDSCOPE_CONFIG) return process.env.SGDSCOPE_CONFIG
  const base =
    process.env.XDG_CONFIG_HOME ??
    (process.platform === 'win32' ? (process.env.APPDATA ?? os.homedir()) : path.join(os.homedir(), '.config'))
  return path.join(base, 'sgdscope')
}

/** Settings with the patch's keys changed; throws (zod) when a patched value is invalid. */
export function applyPatch(current: Settings, patch: Partial<Settings>): Settings {
  const named = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined))
  return Settings.parse({ ...current, ...named })
}

/** Settings from stored JSON, keeping every valid field; the invalid ones are named in `problems`. */
export function salvageSettings(raw: unknown): {
  settings: Settings
  problems: string[]
} {
  const obj = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {}
  const out = Settings.parse({})
  const problems: string[] = []
  if (raw !== undefined && obj !== raw)
    problems.push(`"settings" is ${JSON.stringify(raw)?.slice(0, 40)}, not an object`)
  for (const key of Object.keys(out) as (keyof Settings)[]) {
    if (!(key in obj)) continue
    const f = Settings.shape[key].safeParse(obj[key])
    if (f.success) (out as Record<string, unknown>)[key] = f.data
    else
      problems.push(
        `${key}: ${JSON.stringify(obj[key])?.slice(0, 40)} is not valid (${f.error.issues[0]?.message ?? 'invalid'})`,
      )
  }
  return { settings: out, problems }
}

/** Changes to one file (or store) go one at a time within this process, whichever object makes them. */
const chains = new Map<string, Promise<unknown>>()
export function serialised<T>(key: string, job: () => Promise<T>): Promise<T> {
  const prev = chains.get(key) ?? Promise.resolve()
  const next = prev.then(job, job)
  const tail = next.catch(() => {})
  chains.set(key, tail)
  void tail.then(() => chains.get(key) === tail && chains.delete(key))
  return next
}

/** A name beside FILE for keeping a damaged copy, unique so earlier copies are kept too. */
export function asideName(file: string, why: 'corrupt' | 'invalid'): string {
  return `${file}.${why}-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`
}

interface StoredFile {
  settings: Settings
  recent: string[]
}

type Parsed = { ok: true; file: StoredFile } | { ok: false; problem: string }

export interface FileSettingsOptions {
  /** Where a damaged file's problem is told (the host's log); default: stderr. */
  onProblem?: (message: string) => void
  maxRecent?: number
}

/**
 * Settings in DIR/settings.json, written atomically under DIR/settings.json.lock. A file
 * that is not valid JSON, or holds invalid values, is renamed aside (settings.json.corrupt-TIME)
 * with a message naming both files, never written over; its valid values are kept.
 */
export class FileSettingsStore implements SettingsStore {
  private readonly onProblem: (message: string) => void
  private readonly maxRecent: number

  constructor(
    readonly dir: string = defaultConfigDir(),
    opts: FileSettingsOptions = {},
  ) {
    this.onProblem = opts.onProblem ?? ((m) => console.warn(`sgdscope: ${m}`))
    this.maxRecent = opts.maxRecent ?? MAX_RECENT
  }

  get file(): string {
    return path.join(this.dir, 'settings.json')
  }

  private parse(text: string): Parsed {
    let raw: unknown
    try {
      raw = JSON.parse(text)
    } catch (e) {
      return {
        ok: false,
        problem: `is not valid JSON (${jsonProblem(e)})`,
      }
    }
    if (!raw || typeof raw !== 'object' || Array.isArray(raw))
      return { ok: false, problem: 'does not hold a JSON object' }
    const r = raw as { settings?: unknown; recent?: unknown }
    const { settings, problems } = salvageSettings(r.settings)
    const recent = Array.isArray(r.recent)
      ? r.recent.filter((d): d is string => typeof d === 'string' && d.length > 0)
      : []
    if (problems.length)
      return {
        ok: false,
        problem: `has invalid values (${problems.join('; ')})`,
      }
    return {
      ok: true,
      file: { settings, recent: recent.slice(0, this.maxRecent) },
    }
  }

  /** What is on disk; a damaged file is moved aside (under the lock) and what was valid in it kept. */
  private async read(): Promise<StoredFile> {
    const parsed = await this.readParsed()
    return parsed.ok ? parsed.file : this.change(() => {})
  }

  private async readParsed(): Promise<Parsed> {
    let text: string
    try {
      text = await fs.readFile(this.file, 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT')
        return { ok: true, file: { settings: Settings.parse({}), recent: [] } }
      throw new Error(`cannot read the settings file ${this.file}: ${(e as Error).message}`, { cause: e })
    }
    return this.parse(text)
  }

  /** Re-read → change → atomic rename, one at a time in this process and holding the lock file across processes. */
  private change(edit: (f: StoredFile) => void): Promise<StoredFile> {
    return serialised(this.file, async () => {
      await fs.mkdir(this.dir, { recursive: true })
      return withLock(`${this.file}.lock`, `changing the settings in ${this.file}`, async () => {
        const parsed = await this.readParsed()
        const f = parsed.ok ? parsed.file : await this.setAside(parsed.problem)
        edit(f)
        await writeJsonAtomic(this.file, f)
        return f
      })
    })
  }

  /** Moves a damaged file aside, tells why, and answers with what was valid in it. */
  private async setAside(problem: string): Promise<StoredFile> {
    const text = await fs.readFile(this.file, 'utf8')
    const invalid = problem.startsWith('has invalid values')
    const aside = asideName(this.file, invalid ? 'invalid' : 'corrupt')
    await fs.rename(this.file, aside)
    let kept: StoredFile = { settings: Settings.parse({}), recent: [] }
    if (invalid) {
      const raw = JSON.parse(text) as { settings?: unknown; recent?: unknown }
      const recent = Array.isArray(raw.recent)
        ? raw.recent.filter((d): d is string => typeof d === 'string' && d.length > 0)
        : []
      kept = {
        settings: salvageSettings(raw.settings).settings,
        recent: recent.slice(0, this.maxRecent),
      }
    }
    this.onProblem(
      `the settings file ${this.file} ${problem}; it was kept as ${aside} and ` +
        (invalid ? 'its valid values are used' : 'the settings start from their defaults'),
    )
    return kept
  }

  async settings(): Promise<Settings> {
    return (await this.read()).settings
  }

  async update(patch: Partial<Settings>): Promise<Settings> {
    // Checked before the lock is taken, so a bad value fails without touching the file.
    applyPatch(Settings.parse({}), patch)
    return (await this.change((f) => (f.settings = applyPatch(f.settings, patch)))).settings
  }

  async recent(): Promise<string[]> {
    return (await this.read()).recent
  }

  async addRecent(dir: string): Promise<void> {
    await this.change((f) => (f.recent = [dir, ...f.recent.filter((d) => d !== dir)].slice(0, this.maxRecent)))
  }
}
