/**
 * The desktop host's settings, recent projects and window bounds (and last place), kept with
 * electron-store (one JSON file in the app's userData folder). Everything read back is
 * validated; what does not parse falls back to defaults instead of breaking startup.
 * The file itself sits behind a two-method interface so tests can use a Map.
 *
 * Writes follow the settings' one-writer rule (see ../settings): a change is a patch applied
 * to a fresh read (electron-store reads the file on every get and set), changes go one at a
 * time, and with a lock file (the real store) each re-read → set holds it across processes.
 */
import { existsSync, renameSync } from 'node:fs'
import * as path from 'node:path'
import { app } from 'electron'
import Store from 'electron-store'
import { z } from 'zod'
import { Settings } from '../../shared/api/contract'
import { withLock } from '../archive/lock'
import { MAX_RECENT, applyPatch, asideName, salvageSettings, serialised, type SettingsStore } from '../settings'

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
  /** The place the window showed (its URL's hash: screen, zoom, selections), reopened at start. */
  route: z
    .string()
    .max(4000)
    .regex(/^#\/[^\s]*$/)
    .optional(),
})
export type WindowState = z.infer<typeof WindowStateSchema>

export const STORE_NAME = 'sgdscope'

export interface ElectronStoreOptions {
  /** Held around every re-read → write, so other processes' changes are not lost. */
  lockFile?: string
  /** Where a damaged file's problem is told; default: the main process's log. */
  onProblem?: (message: string) => void
  maxRecent?: number
}

let anonymous = 0

export class ElectronSettingsStore implements SettingsStore {
  /** Changes to the same store go one after another, whichever object makes them. */
  private readonly queueKey: string

  constructor(
    private readonly kv: KeyValueStore,
    private readonly opts: ElectronStoreOptions = {},
  ) {
    this.queueKey = opts.lockFile ?? `kv-${++anonymous}`
  }

  /**
   * Opens (or creates) DIR/sgdscope.json, DIR defaulting to the app's userData folder.
   * A file that is not valid JSON is renamed aside (sgdscope.json.corrupt-TIME), with a
   * message naming both files, and a fresh one started.
   */
  static open(
    cwd: string = app.getPath('userData'),
    opts: Omit<ElectronStoreOptions, 'lockFile'> = {},
  ): ElectronSettingsStore {
    const onProblem = opts.onProblem ?? ((m: string) => console.warn(`sgdscope: ${m}`))
    const options = { name: STORE_NAME, cwd, accessPropertiesByDotNotation: false }
    const file = path.join(cwd, `${STORE_NAME}.json`)
    let store: Store<Record<string, unknown>>
    try {
      store = new Store<Record<string, unknown>>(options)
      void store.store // reads and parses the file
    } catch (e) {
      if (existsSync(file)) {
        const aside = asideName(file, 'corrupt')
        renameSync(file, aside)
        onProblem(
          `the settings file ${file} could not be read (${(e as Error).message}); it was kept as ${aside} and the settings start from their defaults`,
        )
      }
      store = new Store<Record<string, unknown>>(options)
    }
    return new ElectronSettingsStore(store, { ...opts, lockFile: `${file}.lock`, onProblem })
  }

  private readSettings(): Settings {
    return salvageSettings(this.kv.get('settings')).settings
  }

  /** One change at a time: re-read, change, write (holding the lock file when there is one). */
  private change<T>(edit: () => T): Promise<T> {
    const lockFile = this.opts.lockFile
    return serialised(this.queueKey, async () =>
      lockFile
        ? withLock(lockFile, `changing the settings in ${lockFile.replace(/\.lock$/, '')}`, async () => edit())
        : edit(),
    )
  }

  async settings(): Promise<Settings> {
    return this.readSettings()
  }

  async update(patch: Partial<Settings>): Promise<Settings> {
    applyPatch(Settings.parse({}), patch) // a bad value fails before anything is written
    return this.change(() => {
      const next = applyPatch(this.readSettings(), patch)
      this.kv.set('settings', next)
      return next
    })
  }

  recentSync(): string[] {
    const raw = this.kv.get('recent')
    return Array.isArray(raw)
      ? raw
          .filter((r): r is string => typeof r === 'string' && r.length > 0)
          .slice(0, this.opts.maxRecent ?? MAX_RECENT)
      : []
  }

  async recent(): Promise<string[]> {
    return this.recentSync()
  }

  async addRecent(dir: string): Promise<void> {
    await this.change(() =>
      this.kv.set(
        'recent',
        [dir, ...this.recentSync().filter((d) => d !== dir)].slice(0, this.opts.maxRecent ?? MAX_RECENT),
      ),
    )
  }

  async removeRecent(dir: string): Promise<void> {
    await this.change(() =>
      this.kv.set(
        'recent',
        this.recentSync().filter((d) => d !== dir),
      ),
    )
  }

  async clearRecent(): Promise<void> {
    await this.change(() => this.kv.set('recent', []))
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
