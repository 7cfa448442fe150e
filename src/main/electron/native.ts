/**
 * The native TensorFlow backend in the packaged desktop app. electron-builder unpacks
 * tfjs-node's addon and the TensorFlow libraries from app.asar (`asarUnpack`): native code
 * cannot be loaded from inside an archive. Electron then loads the addon from
 * app.asar.unpacked by itself, and the addon finds the libraries beside it
 * (rpath $ORIGIN/../../deps/lib). This checks that layout at start-up, so an app packaged
 * without it falls back to WebAssembly with that reason, not with a dlopen error.
 * Linux x86-64 packages carry it when built after `npm run setup:native` (or an online
 * `npm install`); elsewhere tfjs-node is simply absent and WebAssembly is used.
 */
import { existsSync, readdirSync } from 'node:fs'
import * as path from 'node:path'
import { NATIVE_UNAVAILABLE_ENV } from '../engine/tfjs/backend'

const PKG = path.join('node_modules', '@tensorflow', 'tfjs-node')

/** The libraries the addon links to, by platform (tfjs-node's deps/lib layout). */
function libraries(platform: NodeJS.Platform): string[] {
  if (platform === 'darwin') return ['libtensorflow.2.dylib', 'libtensorflow_framework.2.dylib']
  if (platform === 'win32') return []
  return ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2']
}

export interface NativeLayout {
  /** tfjs-node's folder in app.asar.unpacked. */
  dir: string
  /** The addon, if found (lib/napi-v*∕tfjs_binding.node). */
  addon?: string
  /** What is missing, relative to `dir`; empty when complete. */
  missing: string[]
}

/** Looks for tfjs-node's unpacked addon and libraries under `resourcesPath`/app.asar.unpacked. */
export function unpackedNativeLayout(resourcesPath: string, platform = process.platform): NativeLayout {
  const dir = path.join(resourcesPath, 'app.asar.unpacked', PKG)
  const lib = path.join(dir, 'lib')
  const napi = existsSync(lib) ? readdirSync(lib).filter((d) => d.startsWith('napi-v')) : []
  const addon = napi.map((d) => path.join(lib, d, 'tfjs_binding.node')).find((f) => existsSync(f))
  const missing = [
    ...(addon ? [] : ['lib/napi-v*/tfjs_binding.node']),
    ...libraries(platform)
      .map((f) => `deps/lib/${f}`)
      .filter((f) => !existsSync(path.join(dir, f))),
  ]
  return { dir, ...(addon ? { addon } : {}), missing }
}

/**
 * In a packaged app whose archive holds tfjs-node: if its unpacked half is incomplete, tells
 * the backend chooser (through the environment, which worker threads inherit) why the native
 * backend cannot load. Returns that reason, or null when there is nothing to say.
 */
export function checkPackagedNative(
  app: { isPackaged: boolean },
  resourcesPath: string,
  opts: { platform?: NodeJS.Platform; hasPackage?: boolean; onLog?: (line: string) => void } = {},
): string | null {
  if (!app.isPackaged) return null
  const hasPackage = opts.hasPackage ?? existsSync(path.join(resourcesPath, 'app.asar', PKG, 'package.json'))
  if (!hasPackage) return null
  const layout = unpackedNativeLayout(resourcesPath, opts.platform)
  if (layout.missing.length === 0) return null
  const reason = `the packaged app lacks ${layout.missing.join(', ')} in ${layout.dir} (not unpacked from app.asar)`
  process.env[NATIVE_UNAVAILABLE_ENV] = reason
  ;(opts.onLog ?? ((l: string) => console.warn(`sgdscope: ${l}`)))(`native TensorFlow unavailable: ${reason}`)
  return reason
}
