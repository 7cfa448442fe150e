/**
 * The native TensorFlow backend (@tensorflow/tfjs-node), where it is installed
 * (`npm run setup:native` builds it offline): it must be the one the fallback chain picks,
 * and a broken one must fall back to wasm with its reason logged, never in silence.
 * CI (.ci/run) sets SGDSCOPE_EXPECT_NATIVE=1 once the set-up succeeded, so there a
 * missing package fails too.
 */
import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { isNativeInstalled, loadNativeBackend, selectBackend } from '../../../../src/main/engine/tfjs/backend'

const require = createRequire(import.meta.url)
const installed = isNativeInstalled()
const ROOT = path.resolve(__dirname, '../../../..')

describe('native TensorFlow backend', () => {
  it(`is installed where CI set it up (SGDSCOPE_EXPECT_NATIVE=${process.env.SGDSCOPE_EXPECT_NATIVE ?? ''})`, () => {
    if (process.env.SGDSCOPE_EXPECT_NATIVE === '1') expect(installed).toBe(true)
  })

  it.runIf(installed)('is the backend the fallback chain picks when @tensorflow/tfjs-node is installed', async () => {
    const logs: string[] = []
    const choice = await selectBackend({ backend: 'auto', onLog: (l) => logs.push(l) })
    expect(logs).toEqual([])
    expect(choice.attempts.map((a) => [a.name, a.ok])).toEqual([['tensorflow', true]])
    expect(choice.name).toBe('tensorflow')
    expect(choice.reason).toBe('native TensorFlow (@tensorflow/tfjs-node)')
  })

  it('a tfjs-node folder that is not there is a broken set-up: logged, and wasm takes over', async () => {
    const logs: string[] = []
    const missing = path.join(ROOT, 'no-such-folder', 'tfjs-node')
    const choice = await selectBackend({
      backend: 'auto',
      onLog: (l) => logs.push(l),
      loaders: { tensorflow: async () => loadNativeBackend(missing) },
    })
    expect(choice.name).toBe('wasm')
    expect(logs).toHaveLength(1)
    expect(logs[0]).toContain(`tensorflow backend failed: Cannot find module '${missing}'`)
    expect(logs[0]).toContain('npm run setup:native')
    expect(choice.reason).toMatch(/^WebAssembly .*; tensorflow backend failed: Cannot find module/)
  })

  // A real broken install: tfjs-node's code and addon without the TensorFlow libraries its
  // addon links to. In a child process: a process that has loaded the libraries once would
  // find them again by their soname.
  it.runIf(installed)('an addon whose TensorFlow library is missing falls back with the loader’s reason', () => {
    const real = path.dirname(require.resolve('@tensorflow/tfjs-node/package.json'))
    // Inside node_modules, so that the copy's own require()s (@tensorflow/tfjs …) resolve.
    const base = path.join(ROOT, 'node_modules', '.cache')
    mkdirSync(base, { recursive: true })
    const tmp = mkdtempSync(path.join(base, 'sgdscope-broken-tfjs-node-'))
    afterAll(() => rmSync(tmp, { recursive: true, force: true }))
    const broken = path.join(tmp, 'tfjs-node')
    for (const part of ['package.json', 'dist', 'lib'])
      cpSync(path.join(real, part), path.join(broken, part), { recursive: true })
    const script = [
      `import { selectBackend } from ${JSON.stringify(path.join(ROOT, 'src/main/engine/tfjs/backend.ts'))}`,
      `const logs = []`,
      `const c = await selectBackend({ backend: 'auto', onLog: (l) => logs.push(l) })`,
      `console.log(JSON.stringify({ name: c.name, reason: c.reason, logs }))`,
    ].join('\n')
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, SGDSCOPE_TFJS_NODE_DIR: broken, SGDSCOPE_TFJS_BACKEND: '' },
    })
    expect(r.status, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { name: string; reason: string; logs: string[] }
    expect(out.name).toBe('wasm')
    expect(out.logs).toHaveLength(1)
    expect(out.logs[0]).toMatch(/tensorflow backend failed: libtensorflow_cc\.so\.2: cannot open shared object file/)
    expect(out.reason).toContain('libtensorflow_cc.so.2: cannot open shared object file')
  })
})
