/**
 * The packaged app's native TensorFlow backend: the addon and the libraries live in
 * app.asar.unpacked (electron-builder.yml asarUnpack); a layout missing them is named and
 * makes the backend chooser fall back with that reason.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { NATIVE_UNAVAILABLE_ENV, selectBackend } from '../../../src/main/engine/tfjs/backend'
import { checkPackagedNative, unpackedNativeLayout } from '../../../src/main/electron/native'
import { tempDir } from '../../helpers/tmp'

vi.mock('electron', async () => (await import('./fake-electron')).electronModule())

const { fake } = await import('./fake-electron')
const repo = path.resolve(__dirname, '../../..')

function unpacked(resources: string, files: string[]) {
  const dir = path.join(resources, 'app.asar.unpacked/node_modules/@tensorflow/tfjs-node')
  for (const f of files) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true })
    writeFileSync(path.join(dir, f), 'x')
  }
  return dir
}

const ALL = ['lib/napi-v8/tfjs_binding.node', 'deps/lib/libtensorflow_cc.so.2', 'deps/lib/libtensorflow_framework.so.2']

describe('native TensorFlow in the packaged app', () => {
  afterEach(() => {
    delete process.env[NATIVE_UNAVAILABLE_ENV]
  })

  it('finds the addon and the libraries in app.asar.unpacked', () => {
    const res = tempDir()
    const dir = unpacked(res, ALL)
    const layout = unpackedNativeLayout(res, 'linux')
    expect(layout).toEqual({ dir, addon: path.join(dir, 'lib/napi-v8/tfjs_binding.node'), missing: [] })
    fake.app.isPackaged = true
    expect(checkPackagedNative(fake.app, res, { platform: 'linux', hasPackage: true })).toBeNull()
    expect(process.env[NATIVE_UNAVAILABLE_ENV]).toBeUndefined()
  })

  it('a package without the unpacked library says so, and the chooser falls back to wasm with that reason', async () => {
    const res = tempDir()
    unpacked(res, [ALL[0]!, ALL[2]!])
    fake.app.isPackaged = true
    const logs: string[] = []
    const reason = checkPackagedNative(fake.app, res, {
      platform: 'linux',
      hasPackage: true,
      onLog: (l) => logs.push(l),
    })
    expect(reason).toMatch(/lacks deps\/lib\/libtensorflow_cc\.so\.2 in .*app\.asar\.unpacked/)
    expect(logs).toEqual([`native TensorFlow unavailable: ${reason}`])
    const chosen: string[] = []
    const choice = await selectBackend({ backend: 'auto', onLog: (l) => chosen.push(l) })
    expect(choice.name).toBe('wasm')
    expect(choice.reason).toContain(reason)
    expect(chosen[0]).toContain('lacks deps/lib/libtensorflow_cc.so.2')
  })

  it('says nothing when not packaged, or when the app was packaged without tfjs-node', () => {
    const res = tempDir()
    fake.app.isPackaged = false
    expect(checkPackagedNative(fake.app, res, { hasPackage: true })).toBeNull()
    fake.app.isPackaged = true
    expect(checkPackagedNative(fake.app, res)).toBeNull()
  })

  it('electron-builder unpacks the addon and the TensorFlow libraries', () => {
    const yml = readFileSync(path.join(repo, 'electron-builder.yml'), 'utf8')
    expect(yml).toContain('node_modules/@tensorflow/tfjs-node/lib/**')
    expect(yml).toContain('node_modules/@tensorflow/tfjs-node/deps/lib/**')
    expect(yml).not.toMatch(/^\s*- '!\*\*\/node_modules\/@tensorflow\/tfjs-node\{,\/\*\*\}'/m)
  })
})
