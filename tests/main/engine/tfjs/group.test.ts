import * as tf from '@tensorflow/tfjs-core'
import { describe, expect, it } from 'vitest'
import { FusedMlp, initParams, paramCount, type Loss, type MlpShape } from '../../../../src/main/engine/mlp'
import { epochOrder, initRng } from '../../../../src/main/engine/rng'
import { toDense } from '../../../../src/main/engine/sparse'
import { selectBackend, type TfjsBackend } from '../../../../src/main/engine/tfjs/backend'
import { createGroup } from '../../../../src/main/engine/tfjs/engine'
import { BatchGatherer, MATMUL_STRATEGIES, type MatmulStrategy } from '../../../../src/main/engine/tfjs/group'
import { maxAbsDiff, randomData } from './helpers'

const shape: MlpShape = { inputs: 50, hidden: 8, outputs: 5 }
const D = paramCount(shape)
const data = randomData(60, shape, 0.3, 11)
const LOSSES: Loss[] = ['mse', 'cross-entropy']
const NETS = 3

/** Every (backend, program) pair; the native backend only where installed. */
const CASES: [TfjsBackend, MatmulStrategy][] = (['wasm', 'cpu'] as const).flatMap((b) =>
  MATMUL_STRATEGIES.map((s) => [b, s] as [TfjsBackend, MatmulStrategy]),
)

const params = (net: number) => initParams(shape, 'torch7', 0, initRng(5, net))
const orders = Array.from({ length: NETS }, (_, n) => epochOrder(data.images.count, 5, n, 0))

describe.each(CASES)('tfjs group on %s, %s program', (backend, strategy) => {
  const use = () => selectBackend({ backend, onLog: () => {} })

  it('round-trips states in the fused layout and concatenates groups', async () => {
    await use()
    const states = [0, 1, 2].map((n) => {
      const s = new Float32Array(2 * D)
      s.set(params(n))
      s.set(params(n + 10), D) // a non-zero velocity
      return s
    })
    const g = createGroup(strategy, shape, 'mse', 0.9, states)
    expect(g.nets).toBe(3)
    g.states().forEach((s, n) => expect(Array.from(s)).toEqual(Array.from(states[n]!)))
    const h = createGroup(strategy, shape, 'mse', 0.9, [params(7)]) // no velocity: starts at zero
    const both = g.concat(h)
    const out = both.states()
    expect(out).toHaveLength(4)
    expect(Array.from(out[1]!)).toEqual(Array.from(states[1]!))
    expect(Array.from(out[3]!.subarray(0, D))).toEqual(Array.from(params(7)))
    expect(out[3]!.subarray(D).every((v) => v === 0)).toBe(true)
    expect(() => g.states()).toThrow(/dispose/)
    both.dispose()
  })

  it('rejects bad states, losses and momenta', async () => {
    await use()
    expect(() => createGroup(strategy, shape, 'mse', 0, [new Float32Array(D - 1)])).toThrow(RangeError)
    expect(() => createGroup(strategy, shape, 'mse', 0, [new Float32Array(2 * D)])).toThrow(RangeError)
    expect(() => createGroup(strategy, shape, 'hinge' as Loss, 0, [new Float32Array(D)])).toThrow(RangeError)
    expect(() => createGroup(strategy, shape, 'mse', 1, [new Float32Array(D)])).toThrow(RangeError)
    expect(() => createGroup(strategy, shape, 'mse', 0, [])).toThrow(RangeError)
  })

  it.each(LOSSES)('one step with %s is θ − η·∇L of the dense float64 reference gradient', async (loss) => {
    await use()
    const m = 7
    const lr = 0.5
    const g = createGroup(strategy, shape, loss, 0, [0, 1, 2].map(params))
    const gatherer = new BatchGatherer(NETS, shape, m, g.wantsTransposed)
    g.step(gatherer.gather(data.images, data.labels, orders, 3, m), lr)
    const after = g.states()
    g.dispose()
    for (let n = 0; n < NETS; n++) {
      const idx = Array.from(orders[n]!.subarray(3, 3 + m))
      const x = new Float32Array(m * shape.inputs)
      idx.forEach((i, r) => x.set(toDense(data.images, i, i + 1), r * shape.inputs))
      const ref = new FusedMlp(shape, loss, params(n))
      const { grad } = ref.gradient(x, Uint8Array.from(idx.map((i) => data.labels[i]!)), m)
      const expected = params(n).map((p, j) => p - lr * grad[j]!)
      expect(maxAbsDiff(after[n]!, expected)).toBeLessThan(1e-6)
    }
  })

  it.each(LOSSES)(
    'steps with momentum (%s) follow the fused engine, the last batch of an epoch smaller',
    async (loss) => {
      await use()
      const mu = 0.9
      const lr = 0.2
      const g = createGroup(strategy, shape, loss, mu, [0, 1, 2].map(params))
      const fused = [0, 1, 2].map((n) => new FusedMlp(shape, loss, params(n), mu))
      const gatherer = new BatchGatherer(NETS, shape, 8, g.wantsTransposed)
      for (const [pos, m] of [
        [0, 8],
        [8, 8],
        [16, 8],
        [56, 4],
      ] as const) {
        g.step(gatherer.gather(data.images, data.labels, orders, pos, m), lr)
        fused.forEach((f, n) => f.step(data.images, data.labels, orders[n]!.subarray(pos, pos + m), lr))
      }
      const states = g.states()
      g.dispose()
      fused.forEach((f, n) => {
        expect(maxAbsDiff(states[n]!.subarray(0, D), f.params)).toBeLessThan(2e-6)
        expect(maxAbsDiff(states[n]!.subarray(D), f.velocity!)).toBeLessThan(2e-6)
      })
    },
  )

  it.each(LOSSES)('evaluates (%s) like the fused engine: outputs, loss and errors', async (loss) => {
    await use()
    const states = [0, 1, 2].map(params)
    const g = createGroup(strategy, shape, loss, 0, states)
    const outputs = [0, 1, 2].map(() => new Float32Array(25 * shape.outputs)) // only the first 25 of 40 images
    const ev = g.evaluate(data.images, data.labels, 10, 40, outputs)
    g.dispose()
    states.forEach((p, n) => {
      const ref = new Float32Array(40 * shape.outputs)
      const r = new FusedMlp(shape, loss, p).evaluate(data.images, data.labels, 10, 50, ref)
      expect(maxAbsDiff(outputs[n]!, ref.subarray(0, 25 * shape.outputs))).toBeLessThan(1e-6)
      expect(Math.abs(ev.loss[n]! - r.loss)).toBeLessThan(1e-6 * Math.max(1, r.loss))
      expect(ev.errors[n]).toBe(r.errors)
    })
  })

  it('keeps the number of tensors constant over many steps and evaluations', async () => {
    await use()
    const g = createGroup(strategy, shape, 'cross-entropy', 0.5, [0, 1, 2].map(params))
    const gatherer = new BatchGatherer(NETS, shape, 4, g.wantsTransposed)
    const before = tf.memory().numTensors
    for (let k = 0; k < 150; k++) {
      g.step(gatherer.gather(data.images, data.labels, orders, (4 * k) % 56, 4), 0.1)
      if (k % 50 === 0)
        g.evaluate(
          data.images,
          data.labels,
          0,
          60,
          [0, 1, 2].map(() => new Float32Array(50)),
        )
    }
    expect(tf.memory().numTensors).toBe(before)
    g.dispose()
    expect(tf.memory().numTensors).toBe(before - (strategy === 'per-net' ? 8 * NETS : 8))
  })
})
