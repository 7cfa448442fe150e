import { describe, expect, it } from 'vitest'
import {
  bhattacharyyaDistances,
  bhattacharyyaRows,
  sqrtProbabilities,
} from '../../../src/main/analysis/bhattacharyya-distances'
import { classesOf, hammingDistances, hammingRows } from '../../../src/main/analysis/kappa-distances'
import { euclideanDistances, euclideanRows } from '../../../src/main/analysis/tau-distances'
import { maxAbsDiff, naiveEuclidean, rng } from './helpers'

function expectSymmetricZeroDiagonal(D: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    expect(D[i * n + i]).toBe(0)
    for (let j = 0; j < i; j++) expect(D[i * n + j]).toBe(D[j * n + i])
  }
}

describe('euclideanDistances', () => {
  const r = rng(1)
  const n = 45
  const d = 300
  // an offset common to all points (like sigmoid outputs) plus spread
  const X = Float32Array.from({ length: n * d }, (_, t) => 0.5 + 0.1 * Math.sin(t % d) + 0.05 * r.gauss())
  const exact = naiveEuclidean(X, n, d)

  it.each(['wasm', 'js', 'auto'] as const)('matches float64 on %s, blocks with ragged edges', async (backend) => {
    const progress: [number, number][] = []
    const D = await euclideanDistances(X, n, d, { backend, blockSize: 16, onProgress: (a, b) => progress.push([a, b]) })
    expectSymmetricZeroDiagonal(D, n)
    let maxRel = 0
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++)
        maxRel = Math.max(maxRel, Math.abs(D[i * n + j]! - exact[i * n + j]!) / exact[i * n + j]!)
    // 'auto' is libtensorflow where it loads (one operand per block, transposed by the product).
    expect(maxRel).toBeLessThan(1e-6)
    // 3 blocks of 16 rows → 6 upper-triangle block products
    expect(progress.at(-1)).toEqual([6, 6])
  })

  it('stays accurate for near-identical points (refinement of cancelling pairs)', async () => {
    // A path with tiny steps far from the centroid: Gram entries cancel to ~7 digits.
    const m = 40
    const dd = 2000
    const base = Float64Array.from({ length: dd }, () => r.gauss())
    const P = new Float32Array(m * dd)
    for (let i = 0; i < m; i++) {
      const far = i < m / 2 ? 0 : 5 // two clusters, so the centroid is far from each
      for (let k = 0; k < dd; k++) P[i * dd + k] = base[k]! + far + 1e-4 * i + 1e-5 * r.gauss()
    }
    const ex = naiveEuclidean(P, m, dd)
    const D = await euclideanDistances(P, m, dd, { backend: 'wasm' })
    const raw = await euclideanDistances(P, m, dd, { backend: 'wasm', refineRatio: Infinity })
    const rel = (A: Float64Array): number => {
      let worst = 0
      for (let i = 0; i < m; i++)
        for (let j = i + 1; j < m; j++)
          worst = Math.max(worst, Math.abs(A[i * m + j]! - ex[i * m + j]!) / ex[i * m + j]!)
      return worst
    }
    expect(rel(D)).toBeLessThan(5e-5) // float32 Gram error of the well-separated pairs
    expect(rel(raw)).toBeGreaterThan(1e-3) // what the refinement fixes
  })

  it.each(['wasm', 'auto'] as const)(
    'centred in place (%s): the same distances without copies, X left centred',
    async (backend) => {
      const copy = await euclideanDistances(X, n, d, { backend, blockSize: 16, refineRatio: Infinity })
      const Y = X.slice()
      const inPlace = await euclideanDistances(Y, n, d, {
        backend,
        blockSize: 16,
        refineRatio: Infinity,
        centreInPlace: true,
      })
      // The centred copies held the same float32 values: the same products, the same distances.
      expect(Array.from(inPlace)).toEqual(Array.from(copy))
      for (const k of [0, 7, d - 1]) {
        let mean = 0
        for (let i = 0; i < n; i++) mean += Y[i * d + k]!
        expect(Math.abs(mean / n)).toBeLessThan(1e-6)
      }
      // With refinement (on the centred rows) still within float32 of float64.
      const Z = X.slice()
      const refined = await euclideanDistances(Z, n, d, { backend, centreInPlace: true })
      let maxRel = 0
      for (let i = 0; i < n; i++)
        for (let j = i + 1; j < n; j++)
          maxRel = Math.max(maxRel, Math.abs(refined[i * n + j]! - exact[i * n + j]!) / exact[i * n + j]!)
      expect(maxRel).toBeLessThan(1e-6)
    },
  )

  it('rows on demand agree with the full matrix', async () => {
    const D = await euclideanDistances(X, n, d, { backend: 'wasm' })
    const src = await euclideanRows(X, n, d, { backend: 'wasm', blockSize: 16 })
    const rows = [3, 0, 44]
    const R = src.rows(rows)
    src.dispose()
    rows.forEach((row, k) => {
      expect(R[k * n + row]).toBe(0)
      expect(maxAbsDiff(R.subarray(k * n, (k + 1) * n), D.subarray(row * n, (row + 1) * n))).toBeLessThan(1e-4)
    })
  })

  it('rejects a matrix of the wrong size', async () => {
    await expect(euclideanDistances(new Float32Array(10), 3, 3)).rejects.toThrow(/expected n·d/)
  })
})

describe('classesOf', () => {
  it('takes the argmax per image, first of ties', () => {
    const tau = Float32Array.from([0.1, 0.9, 0.2, /**/ 0.5, 0.5, 0.1, /**/ 0, 0, 1, /**/ 0.3, 0.2, 0.1])
    expect(Array.from(classesOf(tau, 2, 3))).toEqual([1, 0, 2, 0])
  })
})

function naiveHamming(K: Uint8Array, n: number, P: number): Float64Array {
  const D = new Float64Array(n * n)
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let c = 0
      for (let p = 0; p < P; p++) if (K[i * P + p] !== K[j * P + p]) c++
      D[i * n + j] = c / P
    }
  return D
}

describe('hammingDistances', () => {
  it.each([
    [10, 1000],
    [10, 37], // P not a multiple of 8
    [47, 101], // EMNIST-balanced: byte fields
    [2, 9],
  ])('is exact for C = %i, P = %i', async (C, P) => {
    const r = rng(C * 1000 + P)
    const n = 300
    // correlated points so that distances span 0..1
    const K = new Uint8Array(n * P)
    for (let i = 0; i < n; i++)
      for (let p = 0; p < P; p++) {
        K[i * P + p] = r.uniform() < i / n ? Math.floor(r.uniform() * C) : p % C
      }
    const D = await hammingDistances(K, n, P, C)
    expect(maxAbsDiff(D, naiveHamming(K, n, P))).toBe(0)
    const R = hammingRows(K, n, P, C).rows([5, 299])
    expect(Array.from(R.subarray(0, n))).toEqual(Array.from(D.subarray(5 * n, 6 * n)))
    expect(Array.from(R.subarray(n))).toEqual(Array.from(D.subarray(299 * n, 300 * n)))
  })

  it('rejects classes outside 0..C−1', async () => {
    await expect(hammingDistances(Uint8Array.from([0, 1, 5]), 1, 3, 4)).rejects.toThrow(/not below C/)
  })
})

function naiveBhattacharyya(X: Float32Array, n: number, P: number, C: number): Float64Array {
  const D = new Float64Array(n * n)
  const prob = (i: number, p: number): number[] => {
    const v = Array.from(X.subarray((i * P + p) * C, (i * P + p + 1) * C), (x) => Math.max(0, x))
    const s = v.reduce((a, b) => a + b, 0)
    return v.map((x) => x / s)
  }
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let sum = 0
      for (let p = 0; p < P; p++) {
        const a = prob(i, p)
        const b = prob(j, p)
        sum += Math.log(a.reduce((acc, x, c) => acc + Math.sqrt(x * b[c]!), 0))
      }
      D[i * n + j] = -sum / P
    }
  return D
}

describe('bhattacharyyaDistances', () => {
  const r = rng(3)
  const n = 30
  const P = 50
  const C = 10
  // sigmoid-like outputs, not normalised
  const X = Float32Array.from({ length: n * P * C }, () => 1 / (1 + Math.exp(-3 * r.gauss())))

  it.each(['wasm', 'js'] as const)(
    'matches −(1/P) Σ log Σ √(pq) with per-image normalisation (%s kernel)',
    async (kernel) => {
      const D = await bhattacharyyaDistances(X, n, P, C, { kernel })
      const ex = naiveBhattacharyya(X, n, P, C)
      expectSymmetricZeroDiagonal(D, n)
      let maxRel = 0
      for (let i = 0; i < n; i++)
        for (let j = i + 1; j < n; j++)
          maxRel = Math.max(maxRel, Math.abs(D[i * n + j]! - ex[i * n + j]!) / ex[i * n + j]!)
      expect(maxRel).toBeLessThan(1e-5)
      const R = bhattacharyyaRows(X, n, P, C, { kernel }).rows([7, 29])
      expect(maxAbsDiff(R.subarray(0, n), D.subarray(7 * n, 8 * n))).toBeLessThan(1e-15)
      expect(maxAbsDiff(R.subarray(n), D.subarray(29 * n, 30 * n))).toBeLessThan(1e-15)
    },
  )

  it('wasm and JS kernels agree on odd shapes and near-disjoint distributions', async () => {
    const m = 13
    const PP = 21 // not a multiple of 8: the last products are not renormalised
    const CC = 3
    // very confident outputs: per-image coefficients down to ~1e-9, products far below 1e-300
    const Y = Float32Array.from({ length: m * PP * CC }, () => (r.uniform() < 0.5 ? 1 : 1e-9 * r.uniform()))
    const a = await bhattacharyyaDistances(Y, m, PP, CC, { kernel: 'wasm' })
    const b = await bhattacharyyaDistances(Y, m, PP, CC, { kernel: 'js' })
    const ex = naiveBhattacharyya(Y, m, PP, CC)
    for (let t = 0; t < m * m; t++) {
      expect(a[t]).toBeCloseTo(b[t]!, 6)
      expect(a[t]).toBeCloseTo(ex[t]!, 4)
    }
    expect(Math.max(...a)).toBeGreaterThan(3) // far apart: per-image BC ≈ 1e-2 and below
  })

  it('keeps relative accuracy for nearly equal distributions', async () => {
    const Y = new Float32Array(2 * P * C)
    Y.set(X.subarray(0, P * C))
    for (let t = 0; t < P * C; t++) Y[P * C + t] = X[t]! * (1 + 1e-3 * r.gauss())
    const D = await bhattacharyyaDistances(Y, 2, P, C)
    const Dj = await bhattacharyyaDistances(Y, 2, P, C, { kernel: 'js' })
    // float64 reference in the stable form 1 − ½Σ(√p − √q)², from float64 normalisation
    const S = (i: number, p: number): number[] => {
      const v = Array.from(Y.subarray((i * P + p) * C, (i * P + p + 1) * C))
      const s = v.reduce((a, b) => a + b, 0)
      return v.map((x) => Math.sqrt(x / s))
    }
    let sum = 0
    for (let p = 0; p < P; p++) {
      const a = S(0, p)
      const b = S(1, p)
      sum += Math.log1p(-0.5 * a.reduce((acc, x, c) => acc + (x - b[c]!) ** 2, 0))
    }
    const ex = -sum / P
    expect(ex).toBeLessThan(1e-6)
    expect(Math.abs(D[1]! - ex) / ex).toBeLessThan(1e-3)
    expect(Math.abs(Dj[1]! - ex) / ex).toBeLessThan(1e-3)
  })

  it('normalises all-zero images to uniform and stays finite for disjoint supports', async () => {
    const Z = Float32Array.from([0, 0, /**/ 1, 0, /**/ 0, 1])
    expect(Array.from(sqrtProbabilities(Z, 3, 1, 2)).map((v) => +v.toFixed(6))).toEqual([
      0.707107, 0.707107, 1, 0, 0, 1,
    ])
    const D = await bhattacharyyaDistances(Z, 3, 1, 2)
    expect(D[0 * 3 + 1]).toBeCloseTo(-Math.log(Math.SQRT1_2), 6)
    expect(D[1 * 3 + 2]).toBeCloseTo(-Math.log(1e-30), 6)
  })
})
