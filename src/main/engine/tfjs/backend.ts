/**
 * Which TensorFlow.js backend the `tfjs` engine trains on (docs/method.md, Engines).
 *
 * Order of preference (`auto`):
 *  1. `tensorflow` — `@tensorflow/tfjs-node`, the native libtensorflow (an optional
 *     dependency: its install script downloads libtensorflow, so it is often absent).
 *     Absent: skipped silently. Present but broken (its native binding does not load, or
 *     the backend does not compute): skipped, and the reason is logged.
 *  2. `wasm` — `@tensorflow/tfjs-backend-wasm` (XNNPACK; SIMD where the runtime has it,
 *     no threads under Node). The .wasm binaries are loaded from the package's `dist`
 *     folder, found through Node's resolver, so this works from the TypeScript sources
 *     and from the bundle in out/main alike (the package is external to the bundle).
 *  3. `cpu` — `@tensorflow/tfjs-backend-cpu`, plain JavaScript.
 *
 * A backend counts as available only after a small matrix product on it gives the
 * right numbers. `SGDSCOPE_TFJS_BACKEND=tensorflow|wasm|cpu` (or the `backend` option)
 * forces one; a forced backend that is not available is an error, not a fallback.
 *
 * tfjs-node is loaded with Node's own `require` (createRequire), never through `import()`:
 * an ESM-aware loader in between (a bundler, vitest's module runner) may hand this module
 * a different copy of @tensorflow/tfjs-core than the CommonJS one tfjs-node registers its
 * backend with, and the backend would then be missing here with no error. That case is
 * checked and named too. `SGDSCOPE_TFJS_NODE_DIR` loads tfjs-node from another folder
 * (the packaged desktop app's unpacked copy; tests: a broken one).
 *
 * tfjs has one global backend per process (per worker thread): selecting one here calls
 * `tf.setBackend`, which other tfjs users in the same thread share. This is the one place
 * that loads tfjs backends: the analyses' matrix products (analysis/gemm.ts) load theirs
 * through `loadTfjsBackend` and `activateTfjsBackend` too.
 */
import * as tf from '@tensorflow/tfjs-core'
import { createRequire } from 'node:module'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

export const TFJS_BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const
export type TfjsBackend = (typeof TFJS_BACKENDS)[number]
export type TfjsBackendPreference = TfjsBackend | 'auto'

/** Environment variable that forces a backend (`tensorflow`, `wasm`, `cpu` or `auto`). */
export const BACKEND_ENV = 'SGDSCOPE_TFJS_BACKEND'
/** Set by a host that knows why the native backend cannot load (a packaged app missing its unpacked addon). */
export const NATIVE_UNAVAILABLE_ENV = 'SGDSCOPE_TFJS_NODE_UNAVAILABLE'
/** Environment variable naming the folder of @tensorflow/tfjs-node to load (default: resolved from here). */
export const NATIVE_DIR_ENV = 'SGDSCOPE_TFJS_NODE_DIR'

export interface BackendAttempt {
  name: TfjsBackend
  ok: boolean
  /** Why it was (not) taken, one line. */
  reason: string
}

export interface BackendChoice {
  name: TfjsBackend
  /** One line for the run's attributes, the log and the UI. */
  reason: string
  /** Every backend tried, in order. */
  attempts: BackendAttempt[]
  /**
   * Why each backend that is installed but broken was skipped (what was logged): a
   * fallback the run records and the app shows as a warning. A missing optional package
   * is not one.
   */
  fallbacks: string[]
}

/** Loads a backend's package (registering the backend with tfjs); throws if it cannot. */
export type BackendLoader = () => Promise<void>

export interface SelectBackendOptions {
  /** Default: $SGDSCOPE_TFJS_BACKEND, else `auto`. */
  backend?: TfjsBackendPreference
  /** Where fallbacks for a broken backend are reported (default: console.warn). */
  onLog?: (line: string) => void
  /** Replacement loaders (tests: a broken `tensorflow`, say). Not memoised. */
  loaders?: Partial<Record<TfjsBackend, BackendLoader>>
}

class NotInstalled extends Error {}

/** True if `e` says a backend's package is simply not installed (the normal case of an optional package), not broken. */
export function isNotInstalled(e: unknown): boolean {
  return e instanceof NotInstalled
}

// Not named `require`: the ESM bundle gets a `require` shim of its own.
const resolveFromHere = createRequire(import.meta.url)

function errorText(e: unknown): string {
  const msg =
    e instanceof Error
      ? e.message
      : typeof e === 'object' && e !== null && 'message' in e
        ? String((e as { message: unknown }).message)
        : String(e)
  return (
    msg
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? 'unknown error'
  )
}

/** True if `pkg` can be resolved from here (its package.json, or, if that is not exported, the package itself). */
function isInstalled(pkg: string): boolean {
  for (const spec of [`${pkg}/package.json`, pkg]) {
    try {
      resolveFromHere.resolve(spec)
      return true
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') return true
    }
  }
  return false
}

/**
 * Whether @tensorflow/tfjs-node is installed (resolvable), without loading it. For a
 * coordinator that must not load the native addon itself: it cannot be loaded again in
 * a worker thread once loaded in another (tensorflow/tfjs#8388).
 */
export function isNativeInstalled(): boolean {
  return isInstalled('@tensorflow/tfjs-node')
}

/** The folder holding tfjs-backend-wasm's .wasm binaries, with a trailing separator. */
export function wasmDistFolder(): string {
  const pkg = resolveFromHere.resolve('@tensorflow/tfjs-backend-wasm/package.json')
  return path.join(path.dirname(pkg), 'dist') + path.sep
}

/** The folder of the @tensorflow/tfjs-core copy that code in `from` resolves, for messages. */
function coreCopyOf(req: NodeJS.Require, from: string): string {
  try {
    return path.dirname(req.resolve('@tensorflow/tfjs-core/package.json', { paths: [from] }))
  } catch {
    return 'unknown'
  }
}

/**
 * Loads @tensorflow/tfjs-node (from `dir`, default: $SGDSCOPE_TFJS_NODE_DIR, else resolved
 * from here) with Node's require, and checks that its backend reached this module's tfjs.
 */
export function loadNativeBackend(dir = process.env[NATIVE_DIR_ENV]?.trim() || undefined): void {
  const pkg = '@tensorflow/tfjs-node'
  const unavailable = process.env[NATIVE_UNAVAILABLE_ENV]?.trim()
  if (unavailable) throw new Error(unavailable)
  let entry: string
  if (dir) {
    // Named explicitly: a missing folder is a broken set-up, not a missing optional package.
    entry = path.resolve(dir)
  } else {
    if (!isInstalled(pkg)) throw new NotInstalled(`${pkg} is not installed`)
    entry = resolveFromHere.resolve(pkg)
  }
  // libtensorflow logs its CPU features and oneDNN notes to stderr at load time: noise in the
  // CLI's output (a user's own setting wins; 2 keeps warnings' and errors' level).
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2'
  resolveFromHere(entry)
  if (!tf.findBackendFactory('tensorflow')) {
    const theirs = coreCopyOf(resolveFromHere, path.dirname(entry))
    const ours = coreCopyOf(resolveFromHere, path.dirname(fileURLToPath(import.meta.url)))
    throw new Error(
      `${pkg} loaded but registered its backend with another copy of @tensorflow/tfjs-core (${theirs}) than this one (${ours})`,
    )
  }
}

const defaultLoaders: Record<TfjsBackend, BackendLoader> = {
  async tensorflow() {
    loadNativeBackend()
  },
  async wasm() {
    const wasm = await import('@tensorflow/tfjs-backend-wasm')
    const dist = wasmDistFolder()
    // Threads need a browser-style worker set-up that tfjs does not provide under Node.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false)
    // Under Node the emscripten loader reads the binary with fs, so a plain path (with
    // its trailing separator: tfjs appends the file name) is what it needs.
    wasm.setWasmPaths(dist)
  },
  async cpu() {
    await import('@tensorflow/tfjs-backend-cpu')
  },
}

const loaded = new Map<TfjsBackend, Promise<void>>()

/**
 * Loads a backend's package once per thread (registering the backend with tfjs); rejects if
 * it is not installed or does not load. `custom` replaces the loader (tests) and is not memoised.
 */
export function loadTfjsBackend(name: TfjsBackend, custom?: BackendLoader): Promise<void> {
  if (custom) return custom()
  let p = loaded.get(name)
  if (!p) {
    p = defaultLoaders[name]()
    loaded.set(name, p)
    // A missing package stays missing for the process; a failure may be retried.
    p.catch((e) => {
      if (!(e instanceof NotInstalled)) loaded.delete(name)
    })
  }
  return p
}

/** Switches tfjs to `name` and checks with a small product that it computes; throws if not. */
export async function activateTfjsBackend(name: TfjsBackend): Promise<void> {
  if (!tf.findBackendFactory(name)) throw new Error(`tfjs has no backend named '${name}' registered`)
  if (tf.getBackend() !== name && !(await tf.setBackend(name)))
    throw new Error(`tf.setBackend('${name}') failed (the backend did not initialise)`)
  await tf.ready()
  const v = tf.tidy(() => {
    const a = tf.tensor3d([1, 2, 3, 4, 5, 6, 1, 0, 0, 0, 1, 0], [2, 2, 3])
    const b = tf.tensor3d([1, 0, 2, 0, 1, 1, 1, 2, 3, 4, 5, 6], [2, 3, 2])
    return tf.sigmoid(tf.matMul(a, b)).dataSync()
  })
  const expect = [8, 3, 20, 6, 1, 2, 3, 4].map((z) => 1 / (1 + Math.exp(-z)))
  for (let i = 0; i < expect.length; i++) {
    if (!(Math.abs(v[i]! - expect[i]!) < 1e-6)) throw new Error(`backend '${name}' computed a wrong test product`)
  }
}

async function describeBackend(name: TfjsBackend): Promise<string> {
  switch (name) {
    case 'tensorflow':
      return 'native TensorFlow (@tensorflow/tfjs-node)'
    case 'wasm': {
      const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))
      return `WebAssembly (XNNPACK, ${simd ? 'SIMD' : 'no SIMD: slower'}, one thread)`
    }
    case 'cpu':
      return 'plain JavaScript (@tensorflow/tfjs-backend-cpu)'
  }
}

function preferenceFrom(opts: SelectBackendOptions): TfjsBackendPreference {
  const raw = opts.backend ?? process.env[BACKEND_ENV]?.trim()
  if (raw === undefined || raw === '' || raw === 'auto') return 'auto'
  if ((TFJS_BACKENDS as readonly string[]).includes(raw)) return raw as TfjsBackend
  throw new Error(
    `unknown tfjs backend '${raw}'${opts.backend === undefined ? ` (from $${BACKEND_ENV})` : ''}; expected ${TFJS_BACKENDS.join(', ')} or auto`,
  )
}

/**
 * Loads and activates the tfjs backend to train on: the first that works of
 * tensorflow → wasm → cpu, or the forced one. Resolves to its name and why.
 */
export async function selectBackend(opts: SelectBackendOptions = {}): Promise<BackendChoice> {
  const preference = preferenceFrom(opts)
  const log = opts.onLog ?? ((line: string) => console.warn(`sgdscope: ${line}`))
  const candidates: readonly TfjsBackend[] = preference === 'auto' ? TFJS_BACKENDS : [preference]
  const attempts: BackendAttempt[] = []
  const fallbacks: string[] = []
  for (const name of candidates) {
    try {
      await loadTfjsBackend(name, opts.loaders?.[name])
      await activateTfjsBackend(name)
    } catch (e) {
      const missing = e instanceof NotInstalled
      const hint = name === 'tensorflow' ? ' (`npm run setup:native` rebuilds it)' : ''
      const reason = missing ? errorText(e) : `${name} backend failed: ${errorText(e)}${hint}`
      attempts.push({ name, ok: false, reason })
      if (preference !== 'auto')
        throw new Error(`the tfjs backend '${name}' (forced) is not available: ${reason}`, { cause: e })
      // A missing optional package is the normal case; a broken one deserves a word.
      if (!missing) {
        fallbacks.push(reason)
        log(`${reason}; falling back to the next tfjs backend`)
      }
      continue
    }
    const what = await describeBackend(name)
    const skipped = attempts.map((a) => a.reason)
    const reason =
      preference === 'auto'
        ? `${what}${skipped.length > 0 ? `; ${skipped.join('; ')}` : ''}`
        : `${what}; forced${opts.backend === undefined ? ` by $${BACKEND_ENV}` : ''}`
    attempts.push({ name, ok: true, reason: what })
    return { name, reason, attempts, fallbacks }
  }
  throw new Error(`no tfjs backend is available: ${attempts.map((a) => a.reason).join('; ')}`)
}

/** Makes `name` the current tfjs backend again (another module of this thread may have switched it). */
export async function ensureBackend(name: TfjsBackend): Promise<void> {
  if (tf.getBackend() !== name && !(await tf.setBackend(name)))
    throw new Error(`could not switch tfjs back to '${name}'`)
}
