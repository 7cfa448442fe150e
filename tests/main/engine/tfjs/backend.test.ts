import * as tf from '@tensorflow/tfjs-core'
import { createRequire } from 'node:module'
import { existsSync } from 'node:fs'
import * as path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { BACKEND_ENV, isNativeInstalled, selectBackend, wasmDistFolder } from '../../../../src/main/engine/tfjs/backend'

const require = createRequire(import.meta.url)
const nativeInstalled = (() => {
  try {
    require.resolve('@tensorflow/tfjs-node/package.json')
    return true
  } catch {
    return false
  }
})()

describe('tfjs backend selection', () => {
  afterEach(() => {
    delete process.env[BACKEND_ENV]
  })

  it(`falls back silently to wasm when @tensorflow/tfjs-node is absent (here: ${nativeInstalled ? 'installed' : 'absent'})`, async () => {
    const logs: string[] = []
    const choice = await selectBackend({ onLog: (l) => logs.push(l) })
    if (nativeInstalled) {
      expect(choice.name).toBe('tensorflow')
      return
    }
    expect(choice.name).toBe('wasm')
    expect(tf.getBackend()).toBe('wasm')
    expect(choice.reason).toMatch(/WebAssembly/)
    expect(choice.reason).toMatch(/tfjs-node is not installed/)
    expect(choice.attempts.map((a) => [a.name, a.ok])).toEqual([
      ['tensorflow', false],
      ['wasm', true],
    ])
    expect(logs).toEqual([]) // a missing optional package is not worth a warning
    expect(choice.fallbacks).toEqual([])
    expect(isNativeInstalled()).toBe(false)
  })

  it('finds the .wasm binaries through the package, and uses SIMD where the runtime has it', async () => {
    const dist = wasmDistFolder()
    expect(dist.endsWith(path.sep)).toBe(true)
    expect(existsSync(path.join(dist, 'tfjs-backend-wasm-simd.wasm'))).toBe(true)
    const choice = await selectBackend({ backend: 'wasm' })
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')
    expect(choice.reason).toContain(simd ? 'SIMD' : 'no SIMD')
  })

  it('falls back with a logged reason when tfjs-node is present but broken', async () => {
    const logs: string[] = []
    const choice = await selectBackend({
      onLog: (l) => logs.push(l),
      loaders: {
        tensorflow: async () => {
          throw new Error('libtensorflow.so.2: cannot open shared object file: No such file or directory')
        },
      },
    })
    expect(choice.name).toBe('wasm')
    expect(logs).toHaveLength(1)
    expect(logs[0]).toMatch(
      /tensorflow backend failed: libtensorflow\.so\.2: cannot open shared object file.*falling back/,
    )
    expect(choice.reason).toMatch(/tensorflow backend failed/)
    expect(choice.fallbacks).toEqual([
      'tensorflow backend failed: libtensorflow.so.2: cannot open shared object file: No such file or directory (`npm run setup:native` rebuilds it)',
    ])
  })

  it('falls back to cpu when wasm fails too', async () => {
    const logs: string[] = []
    const broken = async () => {
      throw new Error('broken for the test')
    }
    const choice = await selectBackend({ onLog: (l) => logs.push(l), loaders: { tensorflow: broken, wasm: broken } })
    expect(choice.name).toBe('cpu')
    expect(tf.getBackend()).toBe('cpu')
    expect(logs).toHaveLength(2)
  })

  it('can be forced by option or environment variable; a forced backend that is missing is an error', async () => {
    expect((await selectBackend({ backend: 'cpu' })).name).toBe('cpu')
    process.env[BACKEND_ENV] = 'wasm'
    expect((await selectBackend()).name).toBe('wasm')
    expect(tf.getBackend()).toBe('wasm')
    process.env[BACKEND_ENV] = 'cpu'
    expect((await selectBackend()).reason).toMatch(/forced/)
    expect(tf.getBackend()).toBe('cpu')
    process.env[BACKEND_ENV] = 'gpu'
    await expect(selectBackend()).rejects.toThrow(/unknown tfjs backend 'gpu'/)
    delete process.env[BACKEND_ENV]
    if (!nativeInstalled) await expect(selectBackend({ backend: 'tensorflow' })).rejects.toThrow(/not installed/)
    const broken = async () => {
      throw new Error('nope')
    }
    await expect(selectBackend({ backend: 'wasm', loaders: { wasm: broken } })).rejects.toThrow(
      /'wasm' \(forced\) is not available: wasm backend failed: nope/,
    )
  })
})
