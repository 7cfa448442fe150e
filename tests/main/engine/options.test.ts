/**
 * The kernels' options beyond the paper (issue 19): tanh and ReLU hidden units (gradient
 * against finite differences), weight decay and Nesterov momentum (a step against the
 * update rule of torch.optim.SGD written out from the dense reference gradient), in both
 * fused kernels. tests/python/torch-steps.test.ts checks whole trajectories against PyTorch.
 */
import { describe, expect, it } from 'vitest'
import { DeepMlp } from '../../../src/main/engine/deep-mlp'
import { FusedMlp, initParams, paramOffsets, type Activation, type MlpShape } from '../../../src/main/engine/mlp'
import { Rng } from '../../../src/main/engine/rng'
import { createMlp, WasmMlp } from '../../../src/main/engine/wasm'
import { randomData, maxAbsDiff } from './tfjs/helpers'

const shape: MlpShape = { inputs: 9, hidden: 6, outputs: 4 }

describe('tanh and ReLU: analytic gradient against central finite differences', () => {
  for (const activation of ['tanh', 'relu'] as Activation[])
    for (const loss of ['mse', 'cross-entropy'] as const)
      it(`${activation}, ${loss}`, () => {
        const n = 3
        const { x, labels } = randomData(n, shape, 0.7, 41)
        const params = initParams(shape, 'normal', 0.8, new Rng(9))
        const net = new FusedMlp(shape, loss, params, 0, undefined, { activation })
        const { grad } = net.gradient(x, labels, n)
        const eps = 1e-3
        let checked = 0
        for (let j = 0; j < params.length; j++) {
          const p0 = params[j]!
          params[j] = p0 + eps
          const up = params[j]!
          const Lp = net.gradient(x, labels, n).loss
          params[j] = p0 - eps
          const down = params[j]!
          const Lm = net.gradient(x, labels, n).loss
          params[j] = p0
          const fd = (Lp - Lm) / (up - down)
          // ReLU's kink: skip the few parameters whose ±eps crosses it (the difference quotient is then no derivative)
          if (activation === 'relu' && Math.abs(fd - grad[j]!) > 1e-3) continue
          expect(Math.abs(fd - grad[j]!), `parameter ${j}`).toBeLessThanOrEqual(1e-7 + 1e-4 * Math.abs(fd))
          checked++
        }
        expect(checked).toBeGreaterThan(params.length * 0.9)
      })
})

describe('weight decay and Nesterov: one step equals torch.optim.SGD’s rule on the reference gradient', () => {
  const n = 5
  const { x, images, labels } = randomData(n, shape, 0.6, 77)
  const idx = [0, 1, 2, 3, 4]
  const lr = 0.3
  for (const kernel of ['ts', 'wasm'] as const)
    for (const activation of ['sigmoid', 'tanh', 'relu'] as Activation[]) {
      it(`${kernel}, ${activation}: weight decay without momentum, θ ← θ − η(∇ + wd·θ)`, () => {
        const p0 = initParams(shape, 'normal', 0.5, new Rng(3))
        const wd = 0.05
        const ref = new FusedMlp(shape, 'mse', p0.slice(), 0, undefined, { activation })
        const g = ref.gradient(x, labels, n).grad
        const net = createMlp(shape, 'mse', p0.slice(), 0, undefined, kernel, { activation, weightDecay: wd })
        net.step(images, labels, idx, lr)
        const want = p0.map((w, j) => w - lr * (g[j]! + wd * w))
        expect(maxAbsDiff(net.readParams(), want)).toBeLessThan(1e-6)
        // batch 1 too (the hot path is off with weight decay: every weight decays)
        const one = createMlp(shape, 'mse', p0.slice(), 0, undefined, kernel, { activation, weightDecay: wd })
        one.step(images, labels, [2], lr)
        const g1 = new FusedMlp(shape, 'mse', p0.slice(), 0, undefined, { activation }).gradient(
          x.subarray(2 * shape.inputs),
          labels.subarray(2),
          1,
        ).grad
        expect(
          maxAbsDiff(
            one.readParams(),
            p0.map((w, j) => w - lr * (g1[j]! + wd * w)),
          ),
        ).toBeLessThan(1e-6)
      })

      it(`${kernel}, ${activation}: Nesterov with weight decay over two steps`, () => {
        const p0 = initParams(shape, 'normal', 0.5, new Rng(4))
        const mu = 0.9
        const wd = 0.01
        const net = createMlp(shape, 'cross-entropy', p0.slice(), mu, undefined, kernel, {
          activation,
          weightDecay: wd,
          nesterov: true,
        })
        // by hand: g = ∇ + wd·θ; v ← μv + g; θ ← θ − η(g + μv)
        let p = p0.slice()
        let v = new Float32Array(p.length)
        for (let step = 0; step < 2; step++) {
          const grad = new FusedMlp(shape, 'cross-entropy', p.slice(), 0, undefined, { activation }).gradient(
            x,
            labels,
            n,
          ).grad
          const gd = grad.map((gj, j) => gj + wd * p[j]!)
          v = v.map((vj, j) => mu * vj + gd[j]!)
          p = p.map((w, j) => w - lr * (gd[j]! + mu * v[j]!))
          net.step(images, labels, idx, lr)
        }
        expect(maxAbsDiff(net.readParams(), p)).toBeLessThan(2e-6)
        expect(maxAbsDiff(net.readVelocity()!, v)).toBeLessThan(2e-6)
      })
    }

  it('refuses Nesterov without momentum, an unknown activation and a negative decay, saying which', () => {
    const p = new Float32Array(9 * 6 + 6 + 4 * 6 + 4)
    for (const kernel of ['ts', 'wasm'] as const) {
      expect(() => createMlp(shape, 'mse', p, 0, undefined, kernel, { nesterov: true })).toThrow(
        /Nesterov momentum needs a momentum > 0/,
      )
      expect(() => createMlp(shape, 'mse', p, 0, undefined, kernel, { activation: 'gelu' as Activation })).toThrow(
        /unknown activation gelu/,
      )
      expect(() => createMlp(shape, 'mse', p, 0, undefined, kernel, { weightDecay: -1 })).toThrow(
        /weight decay must be/,
      )
    }
  })
})

describe('deeper networks: layout and initialisation', () => {
  const deep: MlpShape = { inputs: 30, hidden: 20, outputs: 10, deeper: [15, 5] }

  it('torch7 draws each layer within ±1/√fan-in; xavier zeroes biases; the one-layer kernels refuse the shape', () => {
    const p = initParams(deep, 'torch7', 0, new Rng(1))
    const o = paramOffsets(deep)
    expect(p.length).toBe(30 * 20 + 20 + 15 * 20 + 15 + 5 * 15 + 5 + 10 * 5 + 10)
    const blocks: [number, number, number][] = [
      [o.A, o.a + 20, 30], // first layer: weights and biases, fan-in 30
      [o.layers[0]!.W, o.layers[0]!.c + 15, 20],
      [o.layers[1]!.W, o.layers[1]!.c + 5, 15],
      [o.B, o.b + 10, 5],
    ]
    for (const [from, to, fanIn] of blocks) {
      const part = Array.from(p.subarray(from, to))
      const bound = 1 / Math.sqrt(fanIn)
      expect(Math.max(...part.map(Math.abs))).toBeLessThanOrEqual(bound)
      expect(Math.max(...part.map(Math.abs))).toBeGreaterThan(0.8 * bound) // the whole range is used
    }
    const x = initParams(deep, 'xavier', 0, new Rng(1))
    expect(Array.from(x.subarray(o.layers[0]!.c, o.layers[0]!.c + 15)).every((v) => v === 0)).toBe(true)
    expect(() => new FusedMlp(deep, 'mse', p)).toThrow(/one hidden layer only/)
    expect(createMlp(deep, 'mse', p, 0, undefined, 'wasm')).toBeInstanceOf(WasmMlp)
    expect(createMlp(deep, 'mse', p, 0, undefined, 'ts')).toBeInstanceOf(DeepMlp)
    expect(() => initParams({ ...deep, deeper: [1, 2, 3, 4] }, 'torch7', 0, new Rng(1))).toThrow(
      /at most 4 hidden layers/,
    )
  })
})
