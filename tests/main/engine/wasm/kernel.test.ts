/**
 * The WebAssembly SIMD kernel (WasmMlp) against the TypeScript reference (FusedMlp):
 * the same training on real deskewed MNIST gives the same τ to float32 round-off.
 *
 * Tolerance. The kernels differ only in rounding (float32 SIMD sums vs float64, a
 * float32 exp in the hidden sigmoid), and SGD carries round-off forward, so the gap
 * grows slowly with training. Measured on deskewed MNIST, 784-100-10, τ on 1 000 test
 * images: max |Δτ| ≤ 7e-7 after 3 000 steps in every configuration below (batch 1 and
 * 10, mse and cross-entropy, with and without momentum); 1.7e-6 after a full epoch of
 * fig1's spec (mse, η = 1, batch 1) — the same as between two runs of the reference
 * whose initial weights differ by one ulp (9.5e-7). The tests allow TAU_TOL = 5e-6.
 */
import { execFileSync } from 'node:child_process'
import { beforeAll, describe, expect, it } from 'vitest'
import { DeepMlp } from '../../../../src/main/engine/deep-mlp'
import { FusedMlp, initParams, paramCount, type Loss, type MlpShape } from '../../../../src/main/engine/mlp'
import { epochOrder, initRng, Rng } from '../../../../src/main/engine/rng'
import { toSparse, type SparseImages } from '../../../../src/main/engine/sparse'
import type { TrainData } from '../../../../src/main/engine/train'
import { WasmMlp } from '../../../../src/main/engine/wasm'
import { kernelRuntime } from '../../../../src/main/engine/wasm/runtime'
import { loadTrainData } from '../../../../src/main/experiments/data'

/** max |Δτ| allowed between the kernels after a few thousand steps (measured ≤ 7e-7) */
const TAU_TOL = 5e-6
/** max |Δθ| allowed between the kernels' parameters after the same training (measured ≤ 1e-6) */
const PARAM_TOL = 1e-5
/** forward pass alone, same parameters (measured ≤ 1.2e-7) */
const FORWARD_TOL = 1e-6

const MNIST: MlpShape = { inputs: 784, hidden: 100, outputs: 10 }
const PROBE = 1000

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length)
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!))
  return m
}

/** n random images with about `density` non-zero pixels and random labels. */
function randomData(
  n: number,
  shape: MlpShape,
  density: number,
  seed: number,
): { images: SparseImages; labels: Uint8Array } {
  const rng = new Rng(seed)
  const x = new Float32Array(n * shape.inputs)
  for (let j = 0; j < x.length; j++) if (rng.next() < density) x[j] = rng.next() < 0.3 ? 1 : 1 - rng.next()
  const labels = Uint8Array.from({ length: n }, () => rng.int(shape.outputs))
  return { images: toSparse(x, n, shape.inputs), labels }
}

/** Trains a reference and a WASM network side by side on the same minibatches. */
function trainBoth(
  data: { images: SparseImages; labels: Uint8Array },
  shape: MlpShape,
  loss: Loss,
  opts: { steps: number; batch: number; momentum: number; lr: number; seed: number; sigma?: number },
): { ref: FusedMlp; wasm: WasmMlp; lossRef: number; lossWasm: number } {
  const p = initParams(shape, opts.sigma === undefined ? 'torch7' : 'normal', opts.sigma ?? 0, initRng(opts.seed, 0))
  const ref = new FusedMlp(shape, loss, p.slice(), opts.momentum)
  const wasm = new WasmMlp(shape, loss, p.slice(), opts.momentum)
  const N = data.images.count
  let order = epochOrder(N, opts.seed, 0, 0)
  let pos = 0
  let epoch = 0
  let lossRef = 0
  let lossWasm = 0
  for (let s = 0; s < opts.steps; s++) {
    if (pos + opts.batch > N) {
      order = epochOrder(N, opts.seed, 0, ++epoch)
      pos = 0
    }
    const idx = order.subarray(pos, pos + opts.batch)
    pos += opts.batch
    lossRef += ref.step(data.images, data.labels, idx, opts.lr)
    lossWasm += wasm.step(data.images, data.labels, idx, opts.lr)
  }
  return { ref, wasm, lossRef: lossRef / opts.steps, lossWasm: lossWasm / opts.steps }
}

describe('WebAssembly SIMD kernel', () => {
  let data: TrainData
  beforeAll(async () => {
    data = (await loadTrainData({ source: 'mnist', deskew: true })).data
  })
  const mnist = () => ({ images: data.train, labels: data.trainLabels })

  it('is built from the current AssemblyScript source', () => {
    // generated/kernel.js records a hash of the source, compiler and options it came from.
    expect(() =>
      execFileSync(process.execPath, ['src/main/engine/wasm/build.mjs', '--check'], { stdio: 'pipe' }),
    ).not.toThrow()
  })

  describe('trains like the TypeScript reference on deskewed MNIST, 784-100-10 (3 000 steps of batch 1, 2 000 of batch 10)', () => {
    const cases: { loss: Loss; batch: number; momentum: number; lr: number }[] = []
    for (const loss of ['mse', 'cross-entropy'] as const)
      for (const batch of [1, 10])
        for (const momentum of [0, 0.9])
          cases.push({
            loss,
            batch,
            momentum,
            lr: loss === 'mse' ? (momentum > 0 ? 0.1 : 1) : momentum > 0 ? 0.01 : 0.1,
          })
    it.each(cases)('$loss, batch $batch, momentum $momentum, η = $lr', ({ loss, batch, momentum, lr }) => {
      const { ref, wasm, lossRef, lossWasm } = trainBoth(mnist(), MNIST, loss, {
        steps: batch === 1 ? 3000 : 2000,
        batch,
        momentum,
        lr,
        seed: 3,
      })
      // It learned something (so that the comparison is not between two untrained nets).
      const untrained = new FusedMlp(MNIST, loss, initParams(MNIST, 'torch7', 0, initRng(3, 0)))
      const e0 = untrained.evaluate(data.test, data.testLabels, 0, PROBE)
      const tauRef = new Float32Array(PROBE * 10)
      const tauWasm = new Float32Array(PROBE * 10)
      const er = ref.evaluate(data.test, data.testLabels, 0, PROBE, tauRef)
      const ew = wasm.evaluate(data.test, data.testLabels, 0, PROBE, tauWasm)
      expect(er.errors).toBeLessThan(e0.errors / 3)
      expect(maxAbsDiff(tauRef, tauWasm)).toBeLessThan(TAU_TOL)
      expect(Math.abs(ew.loss - er.loss)).toBeLessThan(TAU_TOL)
      expect(Math.abs(ew.errors - er.errors)).toBeLessThanOrEqual(2) // argmax can flip only on a near-tie
      expect(Math.abs(lossWasm - lossRef)).toBeLessThan(1e-5 * Math.max(1, lossRef))
      expect(maxAbsDiff(ref.readParams(), wasm.readParams())).toBeLessThan(PARAM_TOL)
      const vr = ref.readVelocity()
      const vw = wasm.readVelocity()
      if (momentum > 0) expect(maxAbsDiff(vr!, vw!)).toBeLessThan(PARAM_TOL)
      else expect(vw).toBeNull()
    })
  })

  describe('trains 2–4 hidden layers like the TypeScript deep kernel (DeepMlp) on deskewed MNIST', () => {
    // Every activation, both losses, batch 1/10/100, plain SGD, momentum, Nesterov, weight
    // decay, 2–4 hidden layers; widths not multiples of 4 (padding). Measured max |Δτ| after
    // these steps: 7e-9–1.5e-6. Some of these trajectories turn chaotic once they leave the
    // initial plateau (ReLU + momentum 0.9 after ~300 steps, tanh and deep sigmoid
    // cross-entropy after ~500): a 1-ulp change of the reference's own initial biases then
    // grows to |Δτ| ≈ 0.5 within 1 000 steps, as the kernels' round-off does; those cases
    // run 200–300 steps, where a wrong deeper layer would already show at order 1e-3.
    const cases = [
      { deeper: [30], hidden: 50, activation: 'sigmoid', loss: 'mse', batch: 1, momentum: 0, lr: 4, steps: 3000 },
      {
        deeper: [20, 10],
        hidden: 30,
        activation: 'relu',
        loss: 'cross-entropy',
        batch: 100,
        momentum: 0.9,
        lr: 0.05,
        steps: 200,
      },
      {
        deeper: [16, 12, 8],
        hidden: 24,
        activation: 'tanh',
        loss: 'cross-entropy',
        batch: 1,
        momentum: 0.5,
        lr: 0.02,
        nesterov: true,
        weightDecay: 0.001,
        steps: 300,
      },
      {
        deeper: [37, 13],
        hidden: 101,
        activation: 'sigmoid',
        loss: 'cross-entropy',
        batch: 10,
        momentum: 0,
        lr: 2,
        weightDecay: 0.0001,
        steps: 300,
      },
      { deeper: [25], hidden: 40, activation: 'relu', loss: 'mse', batch: 1, momentum: 0, lr: 0.3, steps: 3000 },
    ] as const
    it.each(cases)('784-$hidden-$deeper-10 $activation $loss, batch $batch, momentum $momentum', (c) => {
      const shape: MlpShape = { inputs: 784, hidden: c.hidden, outputs: 10, deeper: c.deeper }
      const p = initParams(shape, 'torch7', 0, initRng(3, 0))
      const options = {
        activation: c.activation,
        weightDecay: 'weightDecay' in c ? c.weightDecay : 0,
        nesterov: 'nesterov' in c ? c.nesterov : false,
      }
      const ref = new DeepMlp(shape, c.loss, p.slice(), c.momentum, undefined, options)
      const wasm = new WasmMlp(shape, c.loss, p.slice(), c.momentum, undefined, options)
      expect(wasm.readParams()).toEqual(p) // the padded layout round-trips
      const order = epochOrder(data.train.count, 3, 0, 0)
      let lossRef = 0
      let lossWasm = 0
      for (let s = 0; s < c.steps; s++) {
        const at = (s * c.batch) % data.train.count
        const idx = order.subarray(at, at + c.batch)
        lossRef += ref.step(data.train, data.trainLabels, idx, c.lr)
        lossWasm += wasm.step(data.train, data.trainLabels, idx, c.lr)
      }
      expect(Math.abs(lossWasm - lossRef) / c.steps).toBeLessThan(1e-5 * Math.max(1, lossRef / c.steps))
      const tauRef = new Float32Array(PROBE * 10)
      const tauWasm = new Float32Array(PROBE * 10)
      const er = ref.evaluate(data.test, data.testLabels, 0, PROBE, tauRef)
      const ew = wasm.evaluate(data.test, data.testLabels, 0, PROBE, tauWasm)
      expect(maxAbsDiff(p, ref.readParams())).toBeGreaterThan(1e-2) // it trained: a comparison of two moved networks
      expect(maxAbsDiff(tauRef, tauWasm)).toBeLessThan(TAU_TOL)
      expect(Math.abs(ew.errors - er.errors)).toBeLessThanOrEqual(2)
      expect(maxAbsDiff(ref.readParams(), wasm.readParams())).toBeLessThan(PARAM_TOL)
      if (c.momentum > 0) expect(maxAbsDiff(ref.readVelocity()!, wasm.readVelocity()!)).toBeLessThan(PARAM_TOL)
      wasm.dispose()
    })
  })

  it('forward and evaluate agree with the reference on the same parameters (20 000 images, range, index list)', () => {
    const { wasm } = trainBoth(mnist(), MNIST, 'mse', { steps: 2000, batch: 1, momentum: 0, lr: 1, seed: 5 })
    for (const loss of ['mse', 'cross-entropy'] as const) {
      const params = wasm.readParams()
      const ref = new FusedMlp(MNIST, loss, params.slice())
      const w = new WasmMlp(MNIST, loss, params.slice())
      const outRef = new Float32Array(10)
      const outWasm = new Float32Array(10)
      for (const i of [0, 1, 17, 4242, 59999]) {
        ref.forward(data.train, i, outRef)
        w.forward(data.train, i, outWasm)
        expect(maxAbsDiff(outRef, outWasm)).toBeLessThan(FORWARD_TOL)
      }
      for (const [images, labels] of [
        [data.train, data.trainLabels],
        [data.test, data.testLabels],
      ] as const) {
        const n = 10_000
        const a = new Float32Array(n * 10)
        const b = new Float32Array(n * 10)
        const er = ref.evaluate(images, labels, 0, n, a)
        const ew = w.evaluate(images, labels, 0, n, b)
        expect(maxAbsDiff(a, b)).toBeLessThan(FORWARD_TOL)
        expect(Math.abs(ew.loss - er.loss)).toBeLessThan(1e-6 * Math.max(1, er.loss))
        expect(Math.abs(ew.errors - er.errors)).toBeLessThanOrEqual(1)
        // An index list (out of order, repeats) gives the outputs in list order.
        const idx = [9999, 3, 3, 1234, 0, 777]
        const c = new Float32Array(idx.length * 10)
        const ei = w.evaluate(images, labels, idx, c)
        idx.forEach((i, r) =>
          expect(Array.from(c.subarray(r * 10, r * 10 + 10))).toEqual(Array.from(b.subarray(i * 10, i * 10 + 10))),
        )
        expect(ei.errors).toBe(idx.filter((i) => argmax(b.subarray(i * 10, i * 10 + 10)) !== labels[i]).length)
        // A sub-range that crosses evaluation chunks gives the same outputs as the full pass.
        const d = new Float32Array(1500 * 10)
        w.evaluate(images, labels, 333, 1833, d)
        expect(Array.from(d)).toEqual(Array.from(b.subarray(3330, 18330)))
        expect(w.evaluate(images, labels, 5, 5)).toEqual({ loss: 0, errors: 0 })
      }
      w.dispose()
    }
  })

  it('handles any shape: hidden not a multiple of 4, few outputs, a few inputs; parameters round-trip exactly', () => {
    for (const shape of [
      { inputs: 37, hidden: 13, outputs: 3 },
      { inputs: 5, hidden: 1, outputs: 1 },
      { inputs: 64, hidden: 30, outputs: 10 },
    ]) {
      const d = randomData(300, shape, 0.3, 11)
      const p = initParams(shape, 'normal', 0.5, new Rng(4))
      const v = Float32Array.from({ length: p.length }, (_, i) => Math.fround(Math.sin(i) * 0.01))
      const w = new WasmMlp(shape, 'mse', p, 0.5, v)
      expect(Array.from(w.readParams())).toEqual(Array.from(p))
      expect(Array.from(w.readVelocity()!)).toEqual(Array.from(v))
      for (const loss of ['mse', 'cross-entropy'] as const)
        for (const [batch, momentum] of [
          [1, 0],
          [7, 0],
          [1, 0.9],
          [7, 0.9],
        ] as const) {
          const { ref, wasm } = trainBoth(d, shape, loss, { steps: 400, batch, momentum, lr: 0.2, seed: 6, sigma: 0.5 })
          expect(maxAbsDiff(ref.readParams(), wasm.readParams())).toBeLessThan(PARAM_TOL)
          const a = new Float32Array(300 * shape.outputs)
          const b = new Float32Array(300 * shape.outputs)
          ref.evaluate(d.images, d.labels, 0, 300, a)
          wasm.evaluate(d.images, d.labels, 0, 300, b)
          expect(maxAbsDiff(a, b)).toBeLessThan(TAU_TOL)
          wasm.dispose()
        }
    }
  })

  it('an image without non-zero pixels, and a batch with one bad index (nothing applied, accumulators cleared)', () => {
    const shape = { inputs: 20, hidden: 8, outputs: 4 }
    const x = new Float32Array(3 * 20)
    x[25] = 0.5
    x[59] = 1
    const images = toSparse(x, 3, 20)
    const labels = Uint8Array.of(1, 2, 3)
    const p = initParams(shape, 'normal', 1, new Rng(2))
    const ref = new FusedMlp(shape, 'cross-entropy', p.slice(), 0.9)
    const w = new WasmMlp(shape, 'cross-entropy', p.slice(), 0.9)
    for (const net of [ref, w]) {
      net.step(images, labels, [0], 0.5)
      expect(() => net.step(images, labels, [1, 2, 3], 0.5)).toThrow(RangeError)
      net.step(images, labels, [1, 2, 0], 0.5)
    }
    expect(maxAbsDiff(ref.readParams(), w.readParams())).toBeLessThan(1e-6)
    expect(maxAbsDiff(ref.readVelocity()!, w.readVelocity()!)).toBeLessThan(1e-6)
  })

  it('validates its arguments like the reference', () => {
    const s = { inputs: 4, hidden: 3, outputs: 2 }
    const n = paramCount(s)
    expect(() => new WasmMlp(s, 'mse', new Float32Array(n - 1))).toThrow(RangeError)
    expect(() => new WasmMlp(s, 'hinge' as Loss, new Float32Array(n))).toThrow(RangeError)
    expect(() => new WasmMlp({ inputs: 0, hidden: 2, outputs: 2 }, 'mse', new Float32Array(6))).toThrow(RangeError)
    expect(() => new WasmMlp(s, 'mse', new Float32Array(n), 0.9, new Float32Array(3))).toThrow(RangeError)
    expect(() => new WasmMlp(s, 'mse', new Float32Array(n), 1)).toThrow(RangeError)
    const w = new WasmMlp(s, 'mse', new Float32Array(n))
    const d = randomData(5, s, 0.5, 1)
    expect(() => w.step(d.images, d.labels, [], 1)).toThrow(RangeError)
    expect(() => w.step(d.images, d.labels, [5], 1)).toThrow(RangeError)
    expect(() => w.forward(d.images, -1, new Float32Array(2))).toThrow(RangeError)
    expect(() => w.evaluate(d.images, d.labels, 0, 6)).toThrow(RangeError)
    expect(() => w.evaluate(d.images, d.labels, [0, 9])).toThrow(RangeError)
    expect(() => w.evaluate(d.images, d.labels, 0, 5, new Float32Array(3))).toThrow(RangeError)
    expect(() => w.evaluate(randomData(2, { ...s, inputs: 5 }, 0.5, 1).images, d.labels, 0, 1)).toThrow(RangeError)
    w.dispose()
    expect(() => w.readParams()).toThrow(/dispose/)
    expect(() => w.step(d.images, d.labels, [0], 1)).toThrow(/dispose/)
  })

  it('reads the dataset in place from its shared kernel memory, with the same results as from copies', () => {
    // loadTrainData put the pixels into this thread's kernel memory (shared: workers instantiate on it).
    const rt = kernelRuntime()
    expect(data.train.memory).toBe(rt.memory)
    expect(data.train.indices.buffer).toBeInstanceOf(SharedArrayBuffer)
    const copied: SparseImages = {
      count: data.train.count,
      dim: data.train.dim,
      indptr: data.train.indptr,
      indices: data.train.indices.slice(),
      values: data.train.values.slice(),
    }
    const p = initParams(MNIST, 'torch7', 0, initRng(4, 0))
    const inPlace = new WasmMlp(MNIST, 'mse', p.slice())
    const viaCopy = new WasmMlp(MNIST, 'mse', p.slice())
    const order = epochOrder(data.train.count, 4, 0, 0)
    for (let s = 0; s < 500; s++) {
      inPlace.step(data.train, data.trainLabels, order.subarray(s, s + 1), 1)
      viaCopy.step(copied, data.trainLabels, order.subarray(s, s + 1), 1)
    }
    for (let s = 500; s < 1000; s += 10) {
      inPlace.step(data.train, data.trainLabels, order.subarray(s, s + 10), 1)
      viaCopy.step(copied, data.trainLabels, order.subarray(s, s + 10), 1)
    }
    expect(inPlace.readParams()).toEqual(viaCopy.readParams())
    inPlace.dispose()
    viaCopy.dispose()
  })

  it('reuses freed memory: creating and disposing many networks does not grow the memory', () => {
    const rt = kernelRuntime()
    const make = () => {
      const w = new WasmMlp(MNIST, 'mse', new Float32Array(paramCount(MNIST)), 0.9)
      w.step(data.train, data.trainLabels, [0, 1], 0.1) // allocates the minibatch accumulators too
      w.dispose()
    }
    for (let i = 0; i < 5; i++) make()
    const before = rt.memory.buffer.byteLength
    for (let i = 0; i < 50; i++) make()
    expect(rt.memory.buffer.byteLength).toBe(before)
  })
})

function argmax(v: ArrayLike<number>): number {
  let best = 0
  for (let k = 1; k < v.length; k++) if (v[k]! > v[best]!) best = k
  return best
}
