/**
 * Kernel selection: the WebAssembly SIMD kernel by default, the TypeScript reference
 * with SGDSCOPE_KERNEL=ts or where WebAssembly is unavailable; worker threads (from the
 * sources and from the built app) use the kernel selected for them.
 */
import { execFile, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { Project } from '../../../../src/main/archive/project'
import { FusedMlp } from '../../../../src/main/engine/mlp'
import { NetTrainer } from '../../../../src/main/engine/train'
import { chooseKernel, createMlp, KERNEL_ENV, wasmKernelStatus, WasmMlp } from '../../../../src/main/engine/wasm'
import { createRun, trainRun } from '../../../../src/main/experiments/runner'
import { tempDir } from '../../../helpers/tmp'
import { SMALL_SPEC, syntheticTrainData } from './fixtures'

/** same bound as kernel.test.ts: max |Δτ| between the kernels after a few thousand steps */
const TAU_TOL = 5e-6

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length)
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!))
  return m
}

const saved = process.env[KERNEL_ENV]
afterEach(() => {
  if (saved === undefined) delete process.env[KERNEL_ENV]
  else process.env[KERNEL_ENV] = saved
})

describe('kernel selection', () => {
  it('WebAssembly SIMD is available on this Node, and chosen by default', () => {
    expect(wasmKernelStatus()).toEqual({ available: true, reason: 'WebAssembly SIMD available' })
    expect(chooseKernel({}).kernel).toBe('wasm')
    expect(chooseKernel({ [KERNEL_ENV]: 'auto' }).kernel).toBe('wasm')
    expect(chooseKernel({ [KERNEL_ENV]: ' WASM ' })).toEqual({
      kernel: 'wasm',
      reason: `WebAssembly SIMD kernel (${KERNEL_ENV}=wasm)`,
    })
    expect(chooseKernel({ [KERNEL_ENV]: 'ts' })).toEqual({
      kernel: 'ts',
      reason: `TypeScript kernel (${KERNEL_ENV}=ts)`,
    })
    expect(() => chooseKernel({ [KERNEL_ENV]: 'cuda' })).toThrow(/must be "ts", "wasm" or "auto"/)
  })

  it('createMlp and NetTrainer follow SGDSCOPE_KERNEL; both kernels give the same τ and the same state layout', () => {
    const shape = { inputs: 4, hidden: 3, outputs: 2 }
    const p = new Float32Array(4 * 3 + 3 + 2 * 3 + 2)
    expect(createMlp(shape, 'mse', p, 0, undefined, 'ts')).toBeInstanceOf(FusedMlp)
    expect(createMlp(shape, 'mse', p, 0, undefined, 'wasm')).toBeInstanceOf(WasmMlp)
    const data = syntheticTrainData()
    const spec = { ...SMALL_SPEC, momentum: 0.5, batch: 3 }
    const run = (kernel: 'ts' | 'wasm') => {
      process.env[KERNEL_ENV] = kernel
      const t = new NetTrainer(spec, data, 2)
      expect(t.mlp.kernel).toBe(kernel)
      t.advance(0, 900)
      return t
    }
    const ts = run('ts')
    const wasm = run('wasm')
    expect(maxAbsDiff(ts.observe().tau, wasm.observe().tau)).toBeLessThan(TAU_TOL)
    expect(maxAbsDiff(ts.observe().metrics, wasm.observe().metrics)).toBeLessThan(TAU_TOL)
    expect(maxAbsDiff(ts.state(), wasm.state())).toBeLessThan(1e-5)
    // A state saved by one kernel loads into the other unchanged (resume across settings).
    process.env[KERNEL_ENV] = 'wasm'
    expect(Array.from(new NetTrainer(spec, data, 2, ts.state()).state())).toEqual(Array.from(ts.state()))
    process.env[KERNEL_ENV] = 'ts'
    expect(Array.from(new NetTrainer(spec, data, 2, wasm.state()).state())).toEqual(Array.from(wasm.state()))
  })

  it('falls back to the TypeScript kernel where WebAssembly is disabled (node --noexpose-wasm), with identical results', () => {
    const child = (env: Record<string, string>) => {
      const r = spawnSync(
        process.execPath,
        ['--noexpose-wasm', '--import', 'tsx', 'tests/main/engine/wasm/no-wasm-child.ts'],
        {
          env: { ...process.env, ...env },
          encoding: 'utf8',
        },
      )
      expect(r.status, r.stderr).toBe(0)
      return JSON.parse(r.stdout) as {
        choice: { kernel?: string; reason?: string; error?: string }
        result: { kernel: string; tau: number[] } | null
      }
    }
    const auto = child({ [KERNEL_ENV]: '' })
    expect(auto.choice).toEqual({ kernel: 'ts', reason: 'TypeScript kernel: WebAssembly is not available' })
    expect(auto.result!.kernel).toBe('ts')
    // Bit-identical to the reference kernel in this process.
    process.env[KERNEL_ENV] = 'ts'
    const here = new NetTrainer(SMALL_SPEC, syntheticTrainData(), 1)
    here.advance(0, 500)
    expect(auto.result!.tau).toEqual(Array.from(here.observe().tau))
    // Asking for the WebAssembly kernel there is an error, not a silent fallback.
    expect(child({ [KERNEL_ENV]: 'wasm' }).choice.error).toMatch(
      /SGDSCOPE_KERNEL=wasm, but the WebAssembly SIMD kernel is unavailable: WebAssembly is not available/,
    )
  })
})

describe('worker threads use the selected kernel', () => {
  const root = tempDir()
  const SPEC = { nets: 2, hidden: 20, epochs: 0.05, probe: 200, trainSubset: 1000, snapshots: { firstEpoch: 40 } }

  async function tau(project: Project, id: string): Promise<Float32Array> {
    const run = await project.openRun(id)
    const parts: Float32Array[] = []
    for (let k = 0; k < run.attrs.nets; k++)
      for (let j = 0; j < run.attrs.snapshots; j++) parts.push(await run.readTau(k, j))
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0))
    let at = 0
    for (const p of parts) {
      out.set(p, at)
      at += p.length
    }
    return out
  }

  it('from the sources: the WebAssembly and TypeScript kernels agree to round-off, and differ (so each ran)', async () => {
    const project = await Project.create(`${root}/src.sgdscope`)
    const taus: Float32Array[] = []
    for (const kernel of ['wasm', 'ts']) {
      process.env[KERNEL_ENV] = kernel
      const run = await createRun(project, SPEC)
      expect(await trainRun(project, run.id, { workers: 2 })).toBe('complete')
      taus.push(await tau(project, run.id))
    }
    expect(taus[0]!.length).toBe(2 * 3 * 200 * 10)
    const d = maxAbsDiff(taus[0]!, taus[1]!)
    expect(d).toBeGreaterThan(0)
    expect(d).toBeLessThan(TAU_TOL)
  })

  it('in the built app (out/main, bundled): workers load the embedded kernel', async () => {
    expect(existsSync('out/main/cli.js'), 'run `npm run build` first').toBe(true)
    const taus: Float32Array[] = []
    for (const kernel of ['wasm', 'ts']) {
      const p = `${root}/built-${kernel}.sgdscope`
      const args = [
        '--nets',
        '2',
        '--hidden',
        '20',
        '--epochs',
        '0.05',
        '--probe',
        '200',
        '--set',
        'trainSubset=1000',
        '--set',
        'snapshots.firstEpoch=40',
      ]
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['bin/sgdscope.js', 'run', ...args, '--project', p, '--workers', '2'],
        {
          env: { ...process.env, [KERNEL_ENV]: kernel },
        },
      )
      expect(stdout).toMatch(/complete/)
      const project = await Project.open(p)
      const [id] = await project.runIds()
      taus.push(await tau(project, id!))
    }
    const d = maxAbsDiff(taus[0]!, taus[1]!)
    expect(d).toBeGreaterThan(0)
    expect(d).toBeLessThan(TAU_TOL)
  })
})
