/**
 * The tfjs engine against the fused engine on real data (deskewed MNIST): same initial
 * weights, same sample orders, τ equal to float32 round-off after thousands of steps.
 *
 * Measured here (3 networks, 784-20-10, probe 100, the cases below): the largest |Δτ|
 * over all networks is ≤ 1.2·10⁻⁷ at snapshot 0 and ≤ 1.2·10⁻⁶ after 2 000 batch-1 steps
 * (worst: cross-entropy) or ≤ 2.4·10⁻⁷ after 50 batch-100 steps, for both losses, with and
 * without momentum, on wasm (both programs) and cpu, against either kernel of the fused
 * engine (TypeScript or WebAssembly). The assertion allows 1·10⁻⁵. Learning rates are ones
 * at which SGD is stable: where it is not (e.g. cross-entropy at η = 1, batch 1), any round-off difference, even between
 * two float64 implementations, grows until the trajectories part.
 */
import * as tf from '@tensorflow/tfjs-core'
import { createRequire } from 'node:module'
import { beforeAll, describe, expect, it } from 'vitest'
import type { WorkerInput, WorkerMessage } from '../../../../src/main/engine/protocol'
import { runNets } from '../../../../src/main/engine/run-nets'
import { stateSize, mlpShape, type TrainData } from '../../../../src/main/engine/train'
import { BACKEND_ENV } from '../../../../src/main/engine/tfjs/backend'
import { runTfjs, type RunTfjsOptions } from '../../../../src/main/engine/tfjs/engine'
import type { MatmulStrategy } from '../../../../src/main/engine/tfjs/group'
import { loadTrainData } from '../../../../src/main/experiments/data'
import { parseSpec, type MlpSpec } from '../../../../src/shared/spec'
import { maxAbsDiff } from './helpers'

const TOL = 1e-5

const nativeInstalled = (() => {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node/package.json')
    return true
  } catch {
    return false
  }
})()

let data: TrainData
beforeAll(async () => {
  data = (await loadTrainData({ source: 'mnist', deskew: true })).data
})

const mlp = (over: Record<string, unknown>): MlpSpec =>
  parseSpec({ nets: 3, hidden: 20, probe: 100, trainSubset: 1000, seed: 3, engine: 'tfjs', ...over }) as MlpSpec

type Snapshot = Extract<WorkerMessage, { type: 'snapshot' }>

function collector() {
  const c = {
    snaps: new Map<string, Snapshot>(),
    ticks: 0,
    order: [] as string[],
    emit(m: WorkerMessage) {
      if (m.type === 'snapshot') {
        const key = `${m.net}/${m.snapshot}`
        expect(c.snaps.has(key)).toBe(false) // each (net, snapshot) once
        c.snaps.set(key, m)
        c.order.push(key)
      } else if (m.type === 'tick') c.ticks += m.samples
    },
  }
  return c
}

const noCancel = () => new Int32Array(new SharedArrayBuffer(4))

function input(
  spec: MlpSpec,
  samples: number[],
  nets: WorkerInput['nets'] = Array.from({ length: spec.nets }, (_, net) => ({ net, snapshot: -1 })),
): WorkerInput {
  return { spec, data, samples, nets, cancel: noCancel() }
}

function fusedRun(inp: WorkerInput) {
  const c = collector()
  expect(runNets(inp, c.emit)).toBe(false)
  return c
}

async function tfjsRun(inp: WorkerInput, opts: RunTfjsOptions = {}) {
  const c = collector()
  const result = await runTfjs(inp, c.emit, { backend: 'wasm', ...opts })
  expect(result.cancelled).toBe(false)
  return Object.assign(c, { result })
}

/** max |Δτ| and |Δ metrics| over every (net, snapshot) of two runs that must have the same keys. */
function compare(a: Map<string, Snapshot>, b: Map<string, Snapshot>) {
  expect([...b.keys()].sort()).toEqual([...a.keys()].sort())
  let tau = 0
  let loss = 0
  let error = 0
  for (const [key, x] of a) {
    const y = b.get(key)!
    expect(y.tau.length).toBe(x.tau.length)
    expect(y.state.length).toBe(x.state.length)
    tau = Math.max(tau, maxAbsDiff(x.tau, y.tau))
    loss = Math.max(loss, Math.abs(x.metrics[0]! - y.metrics[0]!), Math.abs(x.metrics[2]! - y.metrics[2]!))
    error = Math.max(error, Math.abs(x.metrics[1]! - y.metrics[1]!), Math.abs(x.metrics[3]! - y.metrics[3]!))
  }
  return { tau, loss, error }
}

describe('tfjs engine = fused engine on deskewed MNIST', () => {
  it(`identical initial weights and τ at snapshot 0 (on the backend the fallback chain picks: ${nativeInstalled ? 'tensorflow' : 'wasm'} here)`, async () => {
    const spec = mlp({ init: 'torch7' })
    const inp = input(spec, [0])
    const f = fusedRun(inp)
    const told: string[] = []
    const t = await tfjsRun(inp, { backend: 'auto', onBackend: (c) => told.push(c.name) })
    expect(t.result.backend).toBe(nativeInstalled ? 'tensorflow' : 'wasm')
    expect(told).toEqual([t.result.backend])
    expect(t.result.reason.length).toBeGreaterThan(0)
    const d = compare(f.snaps, t.snaps)
    for (const [key, x] of f.snaps) expect(Array.from(t.snaps.get(key)!.state)).toEqual(Array.from(x.state))
    expect(d.tau).toBeLessThan(1e-6)
    expect(d.error).toBe(0)
  })

  it.each(['xavier', 'normal'] as const)('identical initial weights with init %s', async (init) => {
    const inp = input(mlp({ init, initSigma: 0.1, momentum: 0.5 }), [0])
    const f = fusedRun(inp)
    const t = await tfjsRun(inp)
    for (const [key, x] of f.snaps) expect(Array.from(t.snaps.get(key)!.state)).toEqual(Array.from(x.state))
    expect(compare(f.snaps, t.snaps).tau).toBeLessThan(1e-6)
  })

  // [loss, momentum, lr] at batch 1 (2 000 steps) and batch 100 (50 steps)
  const batch1: [string, number, number][] = [
    ['mse', 0, 1],
    ['mse', 0.9, 0.1],
    ['cross-entropy', 0, 0.1],
    ['cross-entropy', 0.9, 0.01],
  ]
  const batch100: [string, number, number][] = [
    ['mse', 0, 10],
    ['mse', 0.9, 1],
    ['cross-entropy', 0, 1],
    ['cross-entropy', 0.9, 0.1],
  ]
  // Every case on wasm, and on native TensorFlow where @tensorflow/tfjs-node is installed.
  const backends = nativeInstalled ? (['wasm', 'tensorflow'] as const) : (['wasm'] as const)
  const cases = backends.flatMap((backend) => [
    ...batch1.map(([l, mu, lr]) => [backend, 1, 2000, l, mu, lr] as const),
    ...batch100.map(([l, mu, lr]) => [backend, 100, 50, l, mu, lr] as const),
  ])

  it.each(cases)(
    '%s, batch %i, %i steps, %s, momentum %s, η = %s: τ agrees to float32 round-off',
    async (backend, batch, steps, loss, momentum, lr) => {
      const spec = mlp({ batch, loss, momentum, lr })
      const inp = input(spec, [0, (steps / 2) * batch, steps * batch])
      const f = fusedRun(inp)
      const t = await tfjsRun(inp, { backend })
      expect(t.result.backend).toBe(backend)
      const d = compare(f.snaps, t.snaps)
      expect(d.tau).toBeLessThan(TOL)
      expect(d.loss).toBeLessThan(TOL)
      expect(d.error).toBeLessThanOrEqual(0.001)
      // and the networks did learn: the last snapshot's train loss is below the first's
      for (let net = 0; net < 3; net++)
        expect(t.snaps.get(`${net}/2`)!.metrics[0]!).toBeLessThan(t.snaps.get(`${net}/0`)!.metrics[0]!)
      expect(t.ticks).toBe(3 * steps * batch)
    },
  )

  it.each([
    ['wasm', 'batched'],
    ['cpu', 'batched'],
    ['cpu', 'per-net'],
  ] as const)(
    'the %s backend with the %s program agrees too (native TensorFlow runs the batched one)',
    async (backend, strategy: MatmulStrategy) => {
      const spec = mlp({ batch: 100, loss: 'cross-entropy', momentum: 0.5, lr: 0.5, order: 'shared' })
      const inp = input(spec, [0, 1000, 2000])
      const f = fusedRun(inp)
      const t = await tfjsRun(inp, { backend, strategy })
      expect(t.result.backend).toBe(backend)
      expect(compare(f.snaps, t.snaps).tau).toBeLessThan(TOL)
    },
  )

  it.runIf(nativeInstalled).each([
    [1, 1000, 1],
    [100, 30, 10],
  ])(
    'native TensorFlow on the paper’s 784-100-10 network, batch %i, %i steps: τ = fused τ',
    async (batch, steps, lr) => {
      const spec = mlp({ hidden: 100, batch, lr, init: 'torch7' })
      const inp = input(spec, [0, steps * batch])
      const f = fusedRun(inp)
      const t = await tfjsRun(inp, { backend: 'tensorflow' })
      expect(t.result.backend).toBe('tensorflow')
      const d = compare(f.snaps, t.snaps)
      expect(d.tau).toBeLessThan(TOL)
      expect(d.loss).toBeLessThan(TOL)
    },
  )

  it(`${BACKEND_ENV}=wasm forces WebAssembly over ${nativeInstalled ? 'native TensorFlow' : 'the chain'}, with the same τ`, async () => {
    const spec = mlp({ batch: 100, loss: 'mse', momentum: 0.9, lr: 1 })
    const inp = input(spec, [0, 2500, 5000])
    const chain = await tfjsRun(inp, { backend: 'auto' })
    expect(chain.result.backend).toBe(nativeInstalled ? 'tensorflow' : 'wasm')
    process.env[BACKEND_ENV] = 'wasm'
    try {
      const forced = await tfjsRun(inp, { backend: undefined })
      expect(forced.result.backend).toBe('wasm')
      expect(forced.result.reason).toMatch(new RegExp(`forced by \\$${BACKEND_ENV}$`))
      expect(compare(chain.snaps, forced.snaps).tau).toBeLessThan(TOL)
    } finally {
      delete process.env[BACKEND_ENV]
    }
  })

  it('epochs: the last batch of an epoch is smaller, and the next epoch takes a new order', async () => {
    // 700 does not divide 60 000: each epoch ends with a batch of 500
    const spec = mlp({ batch: 700, lr: 5, hidden: 10 })
    const N = data.train.count
    const inp = input(spec, [0, N, N + 1400])
    const f = fusedRun(inp)
    const t = await tfjsRun(inp)
    expect(compare(f.snaps, t.snaps).tau).toBeLessThan(TOL)
  })

  it('resumes networks from different snapshots, from states either engine wrote', async () => {
    const spec = mlp({ batch: 10, lr: 2, momentum: 0.5 })
    const samples = [0, 500, 1000, 1500, 2000]
    const full = fusedRun(input(spec, samples))
    // net 0 from scratch, net 1 from the fused engine's snapshot 1, net 2 from snapshot 3
    const nets = [
      { net: 0, snapshot: -1 },
      { net: 1, snapshot: 1, state: full.snaps.get('1/1')!.state.slice() },
      { net: 2, snapshot: 3, state: full.snaps.get('2/3')!.state.slice() },
    ]
    const t = await tfjsRun(input(spec, samples, nets), { maxGroup: 2 })
    const expected = new Map(
      [...full.snaps].filter(([key]) => {
        const [net, snap] = key.split('/').map(Number) as [number, number]
        return snap > (nets[net]!.snapshot ?? -1)
      }),
    )
    expect(compare(expected, t.snaps).tau).toBeLessThan(TOL)
    // lockstep: laggards come forward first; every snapshot j of all networks before j + 1
    const snapOf = (key: string) => Number(key.split('/')[1])
    for (let i = 1; i < t.order.length; i++) expect(snapOf(t.order[i]!)).toBeGreaterThanOrEqual(snapOf(t.order[i - 1]!))
    expect(t.ticks).toBe(2000 + 1500 + 500)
    // and the fused engine continues from the tfjs engine's state
    const back = fusedRun(input(spec, samples, [{ net: 1, snapshot: 2, state: t.snaps.get('1/2')!.state.slice() }]))
    expect(maxAbsDiff(back.snaps.get('1/4')!.tau, full.snaps.get('1/4')!.tau)).toBeLessThan(TOL)
    expect(t.snaps.get('1/4')!.state.length).toBe(stateSize(spec, mlpShape(spec, data)))
  })

  it.each(['per-net', 'batched'] as const)(
    'groups networks across snapshots 0 (%s): fresh ones are observed first, resumed ones are not re-observed',
    async (strategy) => {
      const spec = mlp({ nets: 4, batch: 20, lr: 1 })
      const samples = [0, 400, 800]
      const full = fusedRun(input(spec, samples))
      const nets = [
        { net: 0, snapshot: -1 },
        { net: 1, snapshot: 0, state: full.snaps.get('1/0')!.state.slice() },
        { net: 2, snapshot: -1 },
        { net: 3, snapshot: -1 },
      ]
      const t = await tfjsRun(input(spec, samples, nets), { maxGroup: 2, strategy })
      expect(t.order.slice(0, 3).sort()).toEqual(['0/0', '2/0', '3/0'])
      expect(t.snaps.has('1/0')).toBe(false)
      const expected = new Map([...full.snaps].filter(([key]) => key !== '1/0'))
      expect(compare(expected, t.snaps).tau).toBeLessThan(TOL)
    },
  )

  it('emits arrays that own their buffers (the worker transfers them)', async () => {
    const t = await tfjsRun(input(mlp({ batch: 100 }), [0, 100]))
    for (const s of t.snaps.values()) {
      for (const a of [s.tau, s.metrics, s.state]) {
        expect(a.byteOffset).toBe(0)
        expect(a.buffer.byteLength).toBe(a.byteLength)
      }
    }
    const buffers = [...t.snaps.values()].flatMap((s) => [s.tau.buffer, s.metrics.buffer, s.state.buffer])
    expect(new Set(buffers).size).toBe(buffers.length)
  })
})

describe('tfjs engine: cancellation and memory', () => {
  it('stops when the cancel flag is set from another thread, or before starting', async () => {
    const spec = mlp({ batch: 10, lr: 1 })
    const inp = input(spec, [0, 20_000, 40_000])
    const snaps: string[] = []
    let ticks = 0
    const r = await runTfjs(
      inp,
      (m) => {
        if (m.type === 'snapshot') snaps.push(`${m.net}/${m.snapshot}`)
        if (m.type === 'tick' && ++ticks === 2) Atomics.store(inp.cancel, 0, 1)
      },
      { backend: 'wasm' },
    )
    expect(r.cancelled).toBe(true)
    expect(snaps.sort()).toEqual(['0/0', '1/0', '2/0'])
    const again = await runTfjs(inp, () => expect.fail('nothing may be emitted'), { backend: 'wasm' })
    expect(again.cancelled).toBe(true)
  })

  it('stops when the flag is set from this thread’s event loop (an AbortSignal in the runner)', async () => {
    const spec = mlp({ batch: 1, lr: 1 })
    const inp = input(spec, [0, 60_000])
    const timer = setTimeout(() => Atomics.store(inp.cancel, 0, 1), 300)
    const t0 = performance.now()
    const r = await runTfjs(inp, () => {}, { backend: 'wasm' })
    clearTimeout(timer)
    expect(r.cancelled).toBe(true)
    expect(performance.now() - t0).toBeLessThan(20_000) // the full epoch would take minutes
  })

  it('leaves no tensors behind, finished or cancelled', async () => {
    const spec = mlp({ batch: 50, momentum: 0.9, lr: 0.5 })
    for (const strategy of ['per-net', 'batched'] as const) {
      await runTfjs(input(spec, [0, 500]), () => {}, { backend: 'wasm', strategy }) // warm up
      const before = tf.memory().numTensors
      await runTfjs(input(spec, [0, 5000, 10_000]), () => {}, { backend: 'wasm', strategy })
      expect(tf.memory().numTensors).toBe(before)
      const inp = input(spec, [0, 10_000])
      await runTfjs(inp, (m) => m.type === 'tick' && Atomics.store(inp.cancel, 0, 1), { backend: 'wasm', strategy })
      expect(tf.memory().numTensors).toBe(before)
    }
  })
})
