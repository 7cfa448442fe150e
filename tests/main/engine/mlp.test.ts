import { describe, expect, it } from 'vitest'
import { FusedMlp, initParams, paramCount, paramOffsets, type Loss, type MlpShape } from '../../../src/main/engine/mlp'
import { epochOrder, initRng, Rng } from '../../../src/main/engine/rng'
import { toDense, toSparse, type SparseImages } from '../../../src/main/engine/sparse'

const LOSSES: Loss[] = ['mse', 'cross-entropy']

/** n random images with about `density` non-zero pixels (values in (0, 1], some exactly 1) and random labels. */
function randomData(
  n: number,
  shape: MlpShape,
  density: number,
  seed: number,
): { x: Float32Array; images: SparseImages; labels: Uint8Array } {
  const rng = new Rng(seed)
  const x = new Float32Array(n * shape.inputs)
  for (let j = 0; j < x.length; j++) if (rng.next() < density) x[j] = rng.next() < 0.3 ? 1 : 1 - rng.next()
  const labels = Uint8Array.from({ length: n }, () => rng.int(shape.outputs))
  return { x, images: toSparse(x, n, shape.inputs), labels }
}

/** Plain float64 reference of the network's outputs for one dense input. */
function referenceForward(shape: MlpShape, loss: Loss, p: Float32Array, x: ArrayLike<number>): number[] {
  const { inputs: I, hidden: H, outputs: K } = shape
  const o = paramOffsets(shape)
  const h: number[] = []
  for (let j = 0; j < H; j++) {
    let z = p[o.a + j]!
    for (let i = 0; i < I; i++) z += p[o.A + i * H + j]! * x[i]!
    h.push(1 / (1 + Math.exp(-z)))
  }
  const z: number[] = []
  for (let k = 0; k < K; k++) {
    let s = p[o.b + k]!
    for (let j = 0; j < H; j++) s += p[o.B + k * H + j]! * h[j]!
    z.push(s)
  }
  if (loss === 'mse') return z.map((v) => 1 / (1 + Math.exp(-v)))
  const m = Math.max(...z)
  const e = z.map((v) => Math.exp(v - m))
  const sum = e.reduce((a, b) => a + b, 0)
  return e.map((v) => v / sum)
}

function referenceLoss(loss: Loss, y: number[], t: number): number {
  if (loss === 'mse') return y.reduce((s, v, k) => s + (v - (k === t ? 1 : 0)) ** 2, 0) / y.length
  return -Math.log(y[t]!)
}

function rows(x: Float32Array, dim: number, idx: number[]): Float32Array {
  const out = new Float32Array(idx.length * dim)
  idx.forEach((i, r) => out.set(x.subarray(i * dim, (i + 1) * dim), r * dim))
  return out
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!))
  return m
}

const BLOCKS = ['A', 'a', 'B', 'b'] as const
function blockOf(shape: MlpShape, j: number): (typeof BLOCKS)[number] {
  const o = paramOffsets(shape)
  return j < o.a ? 'A' : j < o.B ? 'a' : j < o.b ? 'B' : 'b'
}

describe('parameter layout', () => {
  it('counts and places A, a, B, b', () => {
    const s = { inputs: 784, hidden: 100, outputs: 10 }
    expect(paramCount(s)).toBe(784 * 100 + 100 + 10 * 100 + 10)
    expect(paramOffsets(s)).toEqual({ A: 0, a: 78400, layers: [], B: 78500, b: 79500 })
  })

  it('rejects bad shapes, losses and parameter lengths', () => {
    const s = { inputs: 3, hidden: 2, outputs: 2 }
    expect(() => new FusedMlp(s, 'mse', new Float32Array(paramCount(s) - 1))).toThrow(RangeError)
    expect(() => new FusedMlp(s, 'hinge' as Loss, new Float32Array(paramCount(s)))).toThrow(RangeError)
    expect(() => new FusedMlp({ inputs: 0, hidden: 2, outputs: 2 }, 'mse', new Float32Array(6))).toThrow(RangeError)
    expect(() => new FusedMlp(s, 'mse', new Float32Array(paramCount(s)), 0.9, new Float32Array(3))).toThrow(RangeError)
    expect(() => new FusedMlp(s, 'mse', new Float32Array(paramCount(s)), 1)).toThrow(RangeError)
  })

  it('uses params in place and creates a zero velocity only with momentum', () => {
    const s = { inputs: 3, hidden: 2, outputs: 2 }
    const p = new Float32Array(paramCount(s))
    expect(new FusedMlp(s, 'mse', p).params).toBe(p)
    expect(new FusedMlp(s, 'mse', p).velocity).toBeNull()
    const v = new FusedMlp(s, 'mse', p, 0.5).velocity!
    expect(v.length).toBe(p.length)
    expect(v.every((e) => e === 0)).toBe(true)
    const given = new Float32Array(p.length).fill(1)
    expect(new FusedMlp(s, 'mse', p, 0.5, given).velocity).toBe(given)
  })
})

describe('initParams', () => {
  const shape = { inputs: 784, hidden: 100, outputs: 10 }
  const o = paramOffsets(shape)
  const block = (p: Float32Array, name: (typeof BLOCKS)[number]): Float32Array => {
    const ends = { A: o.a, a: o.B, B: o.b, b: p.length }
    return p.subarray(o[name], ends[name])
  }
  const maxAbs = (a: Float32Array): number => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0)
  const mean = (a: Float32Array): number => a.reduce((s, v) => s + v, 0) / a.length

  it('torch7: U(−1/√fan_in, 1/√fan_in) for every weight and bias, filling the range', () => {
    const p = initParams(shape, 'torch7', 0, initRng(1, 0))
    for (const [name, fanIn] of [
      ['A', 784],
      ['a', 784],
      ['B', 100],
      ['b', 100],
    ] as const) {
      const bound = 1 / Math.sqrt(fanIn)
      const m = maxAbs(block(p, name))
      expect(m).toBeLessThanOrEqual(Math.fround(bound))
      expect(m).toBeGreaterThan(name === 'b' ? 0.5 * bound : 0.95 * bound) // b has only 10 draws
    }
    expect(Math.abs(mean(block(p, 'A')))).toBeLessThan(0.001)
  })

  it('xavier: Glorot-uniform weights, zero biases', () => {
    const p = initParams(shape, 'xavier', 0, initRng(1, 0))
    const b1 = Math.sqrt(6 / (784 + 100))
    const b2 = Math.sqrt(6 / (100 + 10))
    expect(maxAbs(block(p, 'A'))).toBeLessThanOrEqual(Math.fround(b1))
    expect(maxAbs(block(p, 'A'))).toBeGreaterThan(0.99 * b1)
    expect(maxAbs(block(p, 'B'))).toBeLessThanOrEqual(Math.fround(b2))
    expect(maxAbs(block(p, 'B'))).toBeGreaterThan(0.95 * b2)
    expect(maxAbs(block(p, 'a'))).toBe(0)
    expect(maxAbs(block(p, 'b'))).toBe(0)
  })

  it('normal: N(0, σ²) weights and biases', () => {
    const sigma = 0.3
    const p = initParams(shape, 'normal', sigma, initRng(1, 0))
    const A = block(p, 'A')
    const m = mean(A)
    const sd = Math.sqrt(A.reduce((s, v) => s + (v - m) ** 2, 0) / A.length)
    expect(Math.abs(m)).toBeLessThan(0.005)
    expect(Math.abs(sd / sigma - 1)).toBeLessThan(0.02)
    expect(maxAbs(block(p, 'a'))).toBeGreaterThan(0)
    expect(maxAbs(block(p, 'b'))).toBeGreaterThan(0)
    expect(initParams(shape, 'normal', 0, initRng(1, 0)).every((v) => v === 0)).toBe(true)
    expect(() => initParams(shape, 'normal', -1, initRng(1, 0))).toThrow(RangeError)
  })

  it('same rng seed → identical parameters; other network → others', () => {
    const same = (a: Float32Array, b: Float32Array): boolean => a.length === b.length && a.every((v, j) => v === b[j])
    for (const init of ['torch7', 'xavier', 'normal'] as const) {
      expect(same(initParams(shape, init, 1, initRng(7, 3)), initParams(shape, init, 1, initRng(7, 3)))).toBe(true)
      expect(same(initParams(shape, init, 1, initRng(7, 3)), initParams(shape, init, 1, initRng(7, 4)))).toBe(false)
    }
  })

  it('draws in the documented order: A as [hidden][inputs], then a, B [out][hidden], b', () => {
    const s = { inputs: 3, hidden: 2, outputs: 2 }
    const p = initParams(s, 'torch7', 0, new Rng(99))
    const rng = new Rng(99)
    const b1 = 1 / Math.sqrt(3)
    const b2 = 1 / Math.sqrt(2)
    const expected = new Float32Array(paramCount(s))
    for (let h = 0; h < 2; h++) for (let i = 0; i < 3; i++) expected[i * 2 + h] = rng.uniform(-b1, b1)
    for (let h = 0; h < 2; h++) expected[6 + h] = rng.uniform(-b1, b1)
    for (let k = 0; k < 2; k++) for (let h = 0; h < 2; h++) expected[8 + k * 2 + h] = rng.uniform(-b2, b2)
    for (let k = 0; k < 2; k++) expected[12 + k] = rng.uniform(-b2, b2)
    expect(p).toEqual(expected)
    const n = initParams(s, 'normal', 2, new Rng(5))
    const r2 = new Rng(5)
    expect(n[0]).toBe(Math.fround(2 * r2.normal())) // A[0][0]: h = 0, i = 0
    expect(n[2]).toBe(Math.fround(2 * r2.normal())) // A[1][0]: h = 0, i = 1
  })
})

describe('gradient against central finite differences', () => {
  const shapes: MlpShape[] = [
    { inputs: 7, hidden: 5, outputs: 3 },
    { inputs: 7, hidden: 5, outputs: 10 }, // the mse loss's 1/K factor with K = 10
  ]
  for (const shape of shapes)
    for (const loss of LOSSES)
      for (const n of [1, 4]) {
        it(`${shape.inputs}-${shape.hidden}-${shape.outputs} ${loss}, n = ${n}`, () => {
          const { x, labels } = randomData(n, shape, 0.7, 100 + n + shape.outputs)
          const params = initParams(shape, 'normal', 0.8, new Rng(shape.outputs * 10 + n))
          const net = new FusedMlp(shape, loss, params)
          const { loss: L, grad } = net.gradient(x, labels, n)
          expect(Number.isFinite(L) && L > 0).toBe(true)
          const seen = { A: 0, a: 0, B: 0, b: 0 }
          const eps = 1e-3
          for (let j = 0; j < params.length; j++) {
            const p0 = params[j]!
            params[j] = p0 + eps
            const up = params[j]!
            const Lp = net.gradient(x, labels, n).loss
            params[j] = p0 - eps
            const down = params[j]!
            const Lm = net.gradient(x, labels, n).loss
            params[j] = p0
            const fd = (Lp - Lm) / (up - down) // the actual float32 step
            const g = grad[j]!
            expect(Math.abs(fd - g), `parameter ${j} (${blockOf(shape, j)}): fd ${fd} vs ${g}`).toBeLessThanOrEqual(
              1e-7 + 1e-4 * Math.abs(fd),
            )
            seen[blockOf(shape, j)] = Math.max(seen[blockOf(shape, j)], Math.abs(g))
          }
          for (const b of BLOCKS) expect(seen[b], `block ${b} has a gradient`).toBeGreaterThan(1e-4)
          // the loss it reports is the mean of the samples' losses
          let ref = 0
          for (let s = 0; s < n; s++)
            ref += referenceLoss(loss, referenceForward(shape, loss, params, x.subarray(s * shape.inputs)), labels[s]!)
          expect(L).toBeCloseTo(ref / n, 12)
        })
      }
})

describe('forward and evaluate', () => {
  const shape = { inputs: 40, hidden: 13, outputs: 10 }
  for (const loss of LOSSES) {
    it(`sparse forward equals the dense reference (${loss})`, () => {
      const { x, images } = randomData(30, shape, 0.25, 1)
      const net = new FusedMlp(shape, loss, initParams(shape, 'normal', 1, new Rng(2)))
      const out = new Float32Array(10)
      for (let i = 0; i < 30; i++) {
        net.forward(images, i, out)
        const ref = referenceForward(shape, loss, net.params, x.subarray(i * 40, (i + 1) * 40))
        expect(maxAbsDiff(out, ref)).toBeLessThan(1e-6)
      }
    })

    it(`evaluate: mean loss, naive error count and outputs (${loss})`, () => {
      const { x, images, labels } = randomData(50, shape, 0.25, 3)
      const net = new FusedMlp(shape, loss, initParams(shape, 'normal', 1, new Rng(4)))
      let errors = 0
      let total = 0
      const expectedOutputs: number[] = []
      for (let i = 10; i < 45; i++) {
        const y = referenceForward(shape, loss, net.params, x.subarray(i * 40, (i + 1) * 40))
        const y32 = Float32Array.from(y)
        const arg = y32.indexOf(Math.max(...y32))
        if (arg !== labels[i]) errors++
        total += referenceLoss(loss, y, labels[i]!)
        expectedOutputs.push(...y)
      }
      const outputs = new Float32Array(35 * 10)
      const r = net.evaluate(images, labels, 10, 45, outputs)
      expect(r.errors).toBe(errors)
      expect(errors).toBeGreaterThan(0)
      expect(r.loss).toBeCloseTo(total / 35, 9)
      expect(maxAbsDiff(outputs, expectedOutputs)).toBeLessThan(1e-6)
      // the same through an index list
      const idx = Uint32Array.from({ length: 35 }, (_, r) => 10 + r)
      const outputs2 = new Float32Array(35 * 10)
      expect(net.evaluate(images, labels, idx, outputs2)).toEqual(r)
      expect(outputs2).toEqual(outputs)
      // and an empty range
      expect(net.evaluate(images, labels, 5, 5)).toEqual({ loss: 0, errors: 0 })
      expect(() => net.evaluate(images, labels, 0, 51)).toThrow(RangeError)
      expect(() => net.evaluate(images, labels, 0, 50, new Float32Array(10))).toThrow(RangeError)
    })
  }

  it('counts ties as the first maximum', () => {
    const s = { inputs: 2, hidden: 1, outputs: 3 }
    const p = new Float32Array(paramCount(s)) // all zero: every output equal
    const images = toSparse(Float32Array.of(1, 0, 0, 1, 1, 1), 3, 2)
    const net = new FusedMlp(s, 'mse', p)
    expect(net.evaluate(images, Uint8Array.of(0, 0, 1), 0, 3).errors).toBe(1) // the last maximum would give 3
  })

  it('rejects images of the wrong size', () => {
    const net = new FusedMlp(shape, 'mse', initParams(shape, 'torch7', 0, new Rng(1)))
    const { images, labels } = randomData(3, { inputs: 41, hidden: 1, outputs: 10 }, 0.5, 1)
    expect(() => net.forward(images, 0, new Float32Array(10))).toThrow(RangeError)
    expect(() => net.step(images, labels, [0], 1)).toThrow(RangeError)
    expect(() => net.step(randomData(3, shape, 0.5, 1).images, labels, [], 1)).toThrow(RangeError)
  })
})

describe('step', () => {
  const shape = { inputs: 30, hidden: 9, outputs: 10 }
  const data = randomData(12, shape, 0.3, 21)

  /** θ and the loss expected after stepping on `idx`, from `gradient` on the dense rows. */
  function expectedStep(net: FusedMlp, idx: number[]): { grad: Float32Array; loss: number } {
    return net.gradient(
      rows(data.x, shape.inputs, idx),
      Uint8Array.from(idx, (i) => data.labels[i]!),
      idx.length,
    )
  }

  function closeParams(actual: Float32Array, expected: ArrayLike<number>): void {
    for (let j = 0; j < actual.length; j++) {
      const tol = 1e-6 * (1 + Math.abs(expected[j]!))
      if (Math.abs(actual[j]! - expected[j]!) > tol) {
        throw new Error(`parameter ${j} (${blockOf(shape, j)}): ${actual[j]} vs ${expected[j]}`)
      }
    }
  }

  for (const loss of LOSSES)
    for (const batch of [[5], [3, 0, 7]]) {
      it(`θ ← θ − η·gradient, ${loss}, batch ${batch.length}, two steps`, () => {
        const net = new FusedMlp(shape, loss, initParams(shape, 'normal', 0.7, new Rng(8)))
        const lr = 0.7
        for (const idx of [batch, batch.map((i) => i + 1)]) {
          const before = Float32Array.from(net.params)
          const { grad, loss: L } = expectedStep(net, idx)
          const got = net.step(data.images, data.labels, Uint32Array.from(idx), lr)
          expect(got).toBeCloseTo(L, 10)
          closeParams(
            net.params,
            before.map((p, j) => p - lr * grad[j]!),
          )
          // the sparse step left untouched pixels' rows exactly alone
          const dense = toDense(data.images)
          for (let px = 0; px < shape.inputs; px++) {
            if (idx.some((i) => dense[i * shape.inputs + px] !== 0)) continue
            for (let h = 0; h < shape.hidden; h++)
              expect(net.params[px * shape.hidden + h]).toBe(before[px * shape.hidden + h])
          }
        }
      })

      it(`momentum (PyTorch convention), ${loss}, batch ${batch.length}, two steps`, () => {
        const mu = 0.9
        const lr = 0.3
        const net = new FusedMlp(shape, loss, initParams(shape, 'normal', 0.7, new Rng(9)), mu)
        const v = net.velocity!
        const theta0 = Float32Array.from(net.params)
        const g1 = expectedStep(net, batch).grad
        net.step(data.images, data.labels, batch, lr)
        closeParams(v, g1) // v starts at 0, so v₁ = g₁
        closeParams(
          net.params,
          theta0.map((p, j) => p - lr * g1[j]!),
        )
        const theta1 = Float32Array.from(net.params)
        const idx2 = batch.map((i) => (i + 4) % 12)
        const g2 = expectedStep(net, idx2).grad
        net.step(data.images, data.labels, idx2, lr)
        const v2 = g1.map((g, j) => mu * g + g2[j]!)
        closeParams(v, v2)
        closeParams(
          net.params,
          theta1.map((p, j) => p - lr * v2[j]!),
        )
      })
    }

  it('is exact for every number of non-zero pixels 0..20 (the kernels work in groups of 8, 4, 1 rows)', () => {
    const s = { inputs: 24, hidden: 7, outputs: 10 }
    const rng = new Rng(31)
    const n = 21
    const x = new Float32Array(n * 24)
    for (let i = 0; i < n; i++) {
      const px = Uint32Array.from({ length: 24 }, (_, k) => k)
      for (let k = 23; k > 0; k--) {
        const j = rng.int(k + 1)
        ;[px[k], px[j]] = [px[j]!, px[k]!]
      }
      for (let k = 0; k < i; k++) x[i * 24 + px[k]!] = 0.1 + 0.9 * rng.next()
    }
    const images = toSparse(x, n, 24)
    const labels = Uint8Array.from({ length: n }, (_, i) => i % 10)
    for (const loss of LOSSES) {
      const net = new FusedMlp(s, loss, initParams(s, 'normal', 0.5, new Rng(32)))
      const out = new Float32Array(10)
      for (let i = 0; i < n; i++) {
        expect(images.indptr[i + 1]! - images.indptr[i]!).toBe(i)
        net.forward(images, i, out)
        expect(maxAbsDiff(out, referenceForward(s, loss, net.params, x.subarray(i * 24, (i + 1) * 24)))).toBeLessThan(
          1e-6,
        )
        for (const idx of [[i], [i, (i + 7) % n]]) {
          const before = Float32Array.from(net.params)
          const { grad } = net.gradient(
            rows(x, 24, idx),
            Uint8Array.from(idx, (k) => labels[k]!),
            idx.length,
          )
          net.step(images, labels, idx, 0.5)
          expect(
            maxAbsDiff(
              net.params,
              before.map((p, j) => p - 0.5 * grad[j]!),
            ),
          ).toBeLessThan(2e-6)
        }
      }
    }
  })

  it('batch 1 via the hot path equals the general path on the same sample', () => {
    const a = new FusedMlp(shape, 'mse', initParams(shape, 'torch7', 0, new Rng(1)))
    const b = new FusedMlp(shape, 'mse', Float32Array.from(a.params))
    for (const i of [0, 4, 4, 11]) {
      a.step(data.images, data.labels, [i], 2) // hot path
      b.step(data.images, data.labels, [i, i], 2) // batch path, same mean gradient
    }
    expect(maxAbsDiff(a.params, b.params)).toBeLessThan(1e-6)
  })

  it('rejects sample indices outside the images and recovers cleanly from them', () => {
    for (const momentum of [0, 0.5]) {
      const a = new FusedMlp(shape, 'mse', initParams(shape, 'torch7', 0, new Rng(2)), momentum)
      const b = new FusedMlp(shape, 'mse', Float32Array.from(a.params), momentum)
      expect(() => a.step(data.images, data.labels, [12], 1)).toThrow(RangeError)
      expect(() => a.step(data.images, data.labels, [-1], 1)).toThrow(RangeError)
      expect(() => a.step(data.images, data.labels, [1, 2, 99], 1)).toThrow(RangeError)
      expect(a.params).toEqual(b.params)
      a.step(data.images, data.labels, [1, 2, 3], 1)
      b.step(data.images, data.labels, [1, 2, 3], 1)
      expect(a.params).toEqual(b.params) // the aborted batch left nothing behind
    }
    const net = new FusedMlp(shape, 'mse', initParams(shape, 'torch7', 0, new Rng(2)))
    expect(() => net.forward(data.images, 12, new Float32Array(10))).toThrow(RangeError)
    expect(() => net.evaluate(data.images, data.labels, [0, 12])).toThrow(RangeError)
  })

  it('stays finite for large weights and learning rates (stable sigmoid and softmax)', () => {
    for (const loss of LOSSES) {
      const p = initParams(shape, 'normal', 200, new Rng(3))
      const net = new FusedMlp(shape, loss, p)
      const out = new Float32Array(10)
      for (let s = 0; s < 200; s++) {
        const l = net.step(data.images, data.labels, [s % 12], 5)
        expect(Number.isFinite(l)).toBe(true)
      }
      for (let i = 0; i < 12; i++) {
        net.forward(data.images, i, out)
        expect(out.every((v) => Number.isFinite(v) && v >= 0 && v <= 1)).toBe(true)
      }
      expect(net.params.every((v) => Number.isFinite(v))).toBe(true)
      expect(Number.isFinite(net.evaluate(data.images, data.labels, 0, 12).loss)).toBe(true)
    }
  })
})

describe('learning', () => {
  /** 4 classes, each a prototype set of pixels; images are noisy copies. Linearly separable. */
  function problem(n: number, seed: number): { images: SparseImages; labels: Uint8Array } {
    const rng = new Rng(seed)
    const dim = 64
    const protos = [0, 1, 2, 3].map((c) => Array.from({ length: 16 }, (_, k) => c * 16 + k))
    const x = new Float32Array(n * dim)
    const labels = new Uint8Array(n)
    for (let i = 0; i < n; i++) {
      const c = rng.int(4)
      labels[i] = c
      for (const px of protos[c]!) if (rng.next() < 0.7) x[i * dim + px] = 0.5 + 0.5 * rng.next()
      for (let e = 0; e < 4; e++) x[i * dim + rng.int(dim)] = rng.next()
    }
    return { images: toSparse(x, n, dim), labels }
  }

  const cases = [
    { loss: 'mse', batch: 1, momentum: 0, lr: 1 },
    { loss: 'cross-entropy', batch: 1, momentum: 0, lr: 0.2 },
    { loss: 'mse', batch: 4, momentum: 0, lr: 2 },
    { loss: 'mse', batch: 1, momentum: 0.9, lr: 0.1 },
    { loss: 'cross-entropy', batch: 8, momentum: 0.5, lr: 0.5 },
  ] as const
  for (const c of cases) {
    it(`loss decreases and the problem is learnt (${c.loss}, batch ${c.batch}, momentum ${c.momentum})`, () => {
      const shape = { inputs: 64, hidden: 8, outputs: 4 }
      const train = problem(400, 1)
      const test = problem(200, 2)
      const net = new FusedMlp(shape, c.loss, initParams(shape, 'torch7', 0, initRng(1, 0)), c.momentum)
      const before = net.evaluate(train.images, train.labels, 0, 400)
      for (let epoch = 0; epoch < 5; epoch++) {
        const order = epochOrder(400, 1, 0, epoch)
        for (let s = 0; s < 400; s += c.batch)
          net.step(train.images, train.labels, order.subarray(s, s + c.batch), c.lr)
      }
      const after = net.evaluate(train.images, train.labels, 0, 400)
      expect(after.loss).toBeLessThan(0.3 * before.loss)
      expect(net.evaluate(test.images, test.labels, 0, 200).errors).toBeLessThan(10)
    })
  }
})
