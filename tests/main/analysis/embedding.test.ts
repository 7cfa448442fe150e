import { describe, expect, it } from 'vitest'
import { classicalMds } from '../../../src/main/analysis/classical'
import { hammingDistances } from '../../../src/main/analysis/kappa-distances'
import { EMBEDDINGS, embed } from '../../../src/main/analysis/embedding'
import { inpca } from '../../../src/main/analysis/inpca'
import { landmarkMds, landmarkMdsFromMatrix } from '../../../src/main/analysis/landmark'
import { pca } from '../../../src/main/analysis/pca'
import { procrustes } from '../../../src/main/analysis/procrustes'
import { smacof } from '../../../src/main/analysis/smacof'
import { kruskalStress } from '../../../src/main/analysis/stress'
import { SMACOF_SPLIT_MIN, smacofKernel } from '../../../src/main/analysis/wasm/kernels'
import { maxAbsDiff, naiveEuclidean, randomPlane, rng } from './helpers'

const n = 80
const plane = randomPlane(n, 21)
const D2 = naiveEuclidean(plane, n, 2)

/** Procrustes residual of B onto A with rotation/reflection/translation only (no scaling). */
function rigidResidual(A: Float64Array, B: Float64Array, m = n): number {
  return procrustes(A, B, m, { scale: false }).residual
}

describe('kruskalStress', () => {
  it('is 0 for a perfect embedding and known for a scaled one', () => {
    expect(kruskalStress(D2, plane, n)).toBeLessThan(1e-12)
    // coords scaled by 1.1: every d̂ = 1.1 d → stress = 0.1
    expect(
      kruskalStress(
        D2,
        plane.map((v) => 1.1 * v),
        n,
      ),
    ).toBeCloseTo(0.1, 12)
  })
})

describe('classical MDS', () => {
  it('recovers a planar configuration up to a rigid motion', () => {
    const r = classicalMds(D2, n)
    expect(r.method).toBe('classical')
    expect(r.stress).toBeLessThan(1e-8)
    expect(rigidResidual(plane, r.coords)).toBeLessThan(1e-8)
    expect(r.eigenvalues![0]).toBeGreaterThanOrEqual(r.eigenvalues![1]!)
  })

  it('embeds a higher-dimensional set by its top two axes', () => {
    const r = rng(4)
    const m = 60
    // strong x/y spread, weak z: the best plane is x/y
    const P3 = Float64Array.from({ length: 3 * m }, (_, t) => r.gauss() * [5, 3, 0.1][t % 3]!)
    const res = classicalMds(naiveEuclidean(P3, m, 3), m)
    const xy = Float64Array.from({ length: 2 * m }, (_, t) => P3[Math.floor(t / 2) * 3 + (t % 2)]!)
    expect(rigidResidual(xy, res.coords, m)).toBeLessThan(0.01)
  })
})

describe('SMACOF', () => {
  it('keeps an exact planar configuration', () => {
    const r = smacof(D2, n)
    expect(r.stress).toBeLessThan(1e-8)
    expect(rigidResidual(plane, r.coords)).toBeLessThan(1e-6)
  })

  const noisy = new Float64Array(n * n)
  {
    const r = rng(8)
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) noisy[i * n + j] = noisy[j * n + i] = D2[i * n + j]! * (1 + 0.3 * r.uniform())
  }

  it.each([true, false])('never increases stress and ends below classical (accelerate = %s)', (accelerate) => {
    const start = classicalMds(noisy, n)
    const seen: number[] = []
    const r = smacof(noisy, n, { init: start.coords, accelerate, onIteration: (_, s) => seen.push(s) })
    const h = r.stressHistory!
    expect(h).toEqual(seen)
    expect(h[0]).toBeCloseTo(start.stress, 12)
    for (let i = 1; i < h.length; i++) expect(h[i]).toBeLessThanOrEqual(h[i - 1]!)
    expect(r.stress).toBeLessThan(start.stress)
    expect(r.stress).toBeCloseTo(kruskalStress(noisy, r.coords, n), 12)
  })

  it('improves a Hamming (non-Euclidean) configuration, and acceleration ends no worse', async () => {
    const r = rng(13)
    const m = 150
    const P = 200
    const K = new Uint8Array(m * P)
    // 5 paths drifting from random predictions towards a common labelling
    for (let i = 0; i < m; i++)
      for (let p = 0; p < P; p++) K[i * P + p] = r.uniform() < (i % 30) / 30 ? p % 10 : Math.floor(r.uniform() * 10)
    const H = await hammingDistances(K, m, P, 10)
    const start = classicalMds(H, m)
    const plain = smacof(H, m, { init: start.coords, accelerate: false, eps: 0 })
    const fast = smacof(H, m, { init: start.coords })
    expect(plain.iterations).toBe(300)
    expect(plain.stress).toBeLessThan(start.stress)
    for (const res of [plain, fast]) {
      const h = res.stressHistory!
      for (let i = 1; i < h.length; i++) expect(h[i]).toBeLessThanOrEqual(h[i - 1]!)
    }
    expect(fast.stress).toBeLessThanOrEqual(plain.stress + 1e-6)
    expect(fast.iterations).toBeLessThan(300)
  })

  it('the wasm and JS pass kernels give the same iterations', () => {
    const a = smacof(noisy, n, { kernel: 'wasm', maxIter: 50 })
    const b = smacof(noisy, n, { kernel: 'js', maxIter: 50 })
    expect(a.iterations).toBe(b.iterations)
    expect(maxAbsDiff(a.coords, b.coords)).toBeLessThan(1e-9)
    expect(a.stress).toBeCloseTo(b.stress, 12)
    // an odd n exercises the masked last lane
    const m = 7
    const D7 = naiveEuclidean(randomPlane(m, 3), m, 2).map((v) => v * 1.2 + 0.1)
    for (let i = 0; i < m; i++) D7[i * m + i] = 0
    const c = smacof(D7, m, { kernel: 'wasm' })
    const d = smacof(D7, m, { kernel: 'js' })
    expect(maxAbsDiff(c.coords, d.coords)).toBeLessThan(1e-9)
  })

  it('split passes (a helper thread or not) equal the JS reference, the same with one thread or two', () => {
    // Above SMACOF_SPLIT_MIN the triangle is done in two halves: a path-like set in 5-D.
    const m = SMACOF_SPLIT_MIN + 1 // odd: the masked last lane in both halves
    const r = rng(5)
    const P = new Float64Array(m * 5)
    for (let i = 0; i < m; i++) {
      const t = (i % 100) / 100
      for (let k = 0; k < 5; k++) P[i * 5 + k] = Math.sin((k + 1) * t * 3 + Math.floor(i / 100)) + 0.05 * r.gauss()
    }
    const Dm = naiveEuclidean(P, m, 5)
    const init = classicalMds(Dm, m).coords
    const one = smacof(Dm, m, { init, kernel: 'wasm', threads: 1, maxIter: 40 })
    const two = smacof(Dm, m, { init, kernel: 'wasm', threads: 2, maxIter: 40 })
    expect(two.coords).toEqual(one.coords) // bit for bit: the halves are summed in a fixed order
    expect(two.stressHistory).toEqual(one.stressHistory)
    const js = smacof(Dm, m, { init, kernel: 'js', maxIter: 40 })
    expect(one.iterations).toBe(js.iterations)
    expect(Math.abs(one.stress - js.stress)).toBeLessThan(1e-4)
    expect(Math.abs(one.stress - kruskalStress(Dm, one.coords, m))).toBeLessThan(1e-12)
    expect(maxAbsDiff(one.coords, js.coords)).toBeLessThan(1e-6)
    // The kernel itself: a helper thread takes halves without changing a pass.
    const X = Float64Array.from({ length: 2 * m }, (_, i) => Math.cos(i))
    const [a, b] = [new Float64Array(2 * m), new Float64Array(2 * m)]
    const k1 = smacofKernel(Dm, m, { threads: 1 })
    const k2 = smacofKernel(Dm, m, { threads: 2 })
    try {
      for (let rep = 0; rep < 5; rep++) {
        expect(k2.pass(X, b)).toBe(k1.pass(X, a))
        expect(b).toEqual(a)
      }
      expect(k1.helped).toBe(0)
    } finally {
      k1.dispose()
      k2.dispose()
    }
  })

  it('stops at maxIter', () => {
    const r = smacof(noisy, n, { maxIter: 3, eps: 0 })
    expect(r.iterations).toBe(3)
    expect(r.stressHistory).toHaveLength(4)
  })
})

describe('landmark MDS', () => {
  it('matches classical MDS on Euclidean planar data', () => {
    const cl = classicalMds(D2, n)
    const lm = landmarkMdsFromMatrix(D2, n, { landmarks: 10 })
    expect(lm.landmarks).toHaveLength(10)
    expect(new Set(lm.landmarks).size).toBe(10)
    expect(lm.stress).toBeLessThan(1e-8)
    expect(rigidResidual(cl.coords, lm.coords)).toBeLessThan(1e-8)
  })

  it('needs only the landmark rows', () => {
    const asked: number[] = []
    const lm = landmarkMds(
      n,
      (rows) => {
        asked.push(...rows)
        const out = new Float64Array(rows.length * n)
        rows.forEach((row, k) => out.set(D2.subarray(row * n, (row + 1) * n), k * n))
        return out
      },
      { landmarks: 6 },
    )
    // point 0 (to find the first landmark) plus the six landmarks
    expect(new Set(asked)).toEqual(new Set([0, ...lm.landmarks!]))
    expect(asked.length).toBeLessThanOrEqual(7)
    expect(lm.stress).toBeLessThan(1e-8)
    // deterministic: the first landmark is the point farthest from point 0
    const far = Array.from(D2.subarray(0, n)).indexOf(Math.max(...D2.subarray(0, n)))
    expect(lm.landmarks![0]).toBe(far)
  })

  it('stops choosing landmarks when all points coincide with one', () => {
    const Z = new Float64Array(9)
    const lm = landmarkMdsFromMatrix(Z, 3, { landmarks: 3 })
    expect(lm.landmarks).toHaveLength(1)
    expect(Array.from(lm.coords)).toEqual([0, 0, 0, 0, 0, 0])
  })
})

describe('PCA', () => {
  it.each([
    [40, 7], // d < n: Lanczos on XᵀX
    [12, 30], // n ≤ d: Lanczos on XXᵀ
  ])('equals classical MDS of the Euclidean distances (n = %i, d = %i)', (m, d) => {
    const r = rng(m * d)
    const X = Float32Array.from({ length: m * d }, (_, t) => r.gauss() * (1 + (t % d)) + 3)
    const D = naiveEuclidean(X, m, d)
    const p = pca(X, m, d, { D })
    const c = classicalMds(D, m)
    // same axes up to the sign of each
    for (let a = 0; a < 2; a++) {
      const sign = Math.sign(p.coords[a]! * c.coords[a]!) || 1
      for (let i = 0; i < m; i++) expect(p.coords[2 * i + a]).toBeCloseTo(sign * c.coords[2 * i + a]!, 6)
    }
    expect(p.stress).toBeCloseTo(c.stress, 8)
    expect(pca(X, m, d).stress).toBeNaN()
  })

  it('reports the share of the variance on its two axes', () => {
    // Axis variances 18, 8 and 2 (sums of squares): the plane keeps 26 of 28.
    const X = Float32Array.from([3, 0, 0, -3, 0, 0, 0, 2, 0, 0, -2, 0, 0, 0, 1, 0, 0, -1])
    expect(pca(X, 6, 3).explainedVariance).toBeCloseTo(26 / 28, 10)
    expect(pca(X.subarray(0, 12), 4, 3).explainedVariance).toBeCloseTo(1, 10)
  })
})

describe('InPCA', () => {
  it('recovers a Minkowski configuration, reporting the time-like axis', () => {
    const m = 50
    const r = rng(17)
    const P = Float64Array.from({ length: 2 * m }, (_, t) => r.gauss() * (t % 2 ? 1 : 2))
    // Centred, orthogonal columns: otherwise InPCA recovers P only up to a Lorentz boost
    // (which preserves Δx² − Δy²), not up to a rotation.
    for (const axis of [0, 1]) {
      let mean = 0
      for (let i = 0; i < m; i++) mean += P[2 * i + axis]! / m
      for (let i = 0; i < m; i++) P[2 * i + axis]! -= mean
    }
    let xy = 0
    let xx = 0
    for (let i = 0; i < m; i++) {
      xy += P[2 * i]! * P[2 * i + 1]!
      xx += P[2 * i]! ** 2
    }
    for (let i = 0; i < m; i++) P[2 * i + 1]! -= (xy / xx) * P[2 * i]!
    // D = Δx² − Δy²: squared-distance-like with one negative direction
    const D = new Float64Array(m * m)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) {
        D[i * m + j] = (P[2 * i]! - P[2 * j]!) ** 2 - (P[2 * i + 1]! - P[2 * j + 1]!) ** 2
      }
    const res = inpca(D, m)
    expect(res.axisSigns).toEqual([1, -1])
    expect(res.eigenvalues![1]).toBeLessThan(0)
    expect(res.stress).toBeLessThan(1e-8)
    expect(res.explainedVariance).toBeCloseTo(1, 10) // W has rank 2
    expect(rigidResidual(P, res.coords, m)).toBeLessThan(1e-8)
  })

  it('on squared Euclidean distances equals classical MDS', () => {
    const sq = D2.map((v) => v * v)
    const res = inpca(sq, n)
    expect(res.axisSigns).toEqual([1, 1])
    expect(rigidResidual(plane, res.coords)).toBeLessThan(1e-8)
  })
})

describe('registry', () => {
  it('has every method and checks its input', () => {
    expect(Object.keys(EMBEDDINGS).sort()).toEqual([
      'classical',
      'inpca',
      'landmark',
      'pca',
      'phate',
      'smacof',
      'tsne',
      'umap',
    ])
    for (const method of ['classical', 'smacof', 'landmark'] as const) {
      const res = embed(method, { n, D: D2 })
      expect(res.method).toBe(method)
      expect(res.coords).toHaveLength(2 * n)
      expect(res.stress).toBeLessThan(1e-6)
    }
    expect(() => embed('smacof', { n })).toThrow(/needs a distance matrix/)
    expect(() => embed('pca', { n, D: D2 })).toThrow(/needs the points/)
    const X = Float32Array.from(plane)
    expect(
      maxAbsDiff(embed('pca', { n, X, d: 2 }).coords.map(Math.abs), classicalMds(D2, n).coords.map(Math.abs)),
    ).toBeLessThan(1e-6)
  })
})
