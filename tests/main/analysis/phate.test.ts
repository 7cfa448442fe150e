import { describe, expect, it } from 'vitest'
import {
  diffusionOperator,
  diffusionPotential,
  entropyEstimate,
  entropyFromSingularValues,
  kneePoint,
  phate,
  phateKernel,
  phatePrepare,
  rowDistances,
  singularValues,
  toDense,
} from '../../../src/main/analysis/phate'
import { symmetricEigen } from '../../../src/main/analysis/eigen'
import { embed } from '../../../src/main/analysis/embedding'
import { computeEmbedding } from '../../../src/main/analysis/embed-job'
import { naiveEuclidean, rng } from './helpers'

/*
 * Reference values from PHATE's own definitions, run in NumPy (the lines copied from graphtools
 * TraditionalGraph.build_kernel for precomputed distances, base.symmetrize_kernel '+', the l1
 * row normalisation, phate/vne.py and PHATE._calculate_potential; the `phate` pip package is
 * not on this machine's index):
 *
 *   def kernel(pdx, knn, decay, thresh=1e-4):
 *       n = pdx.shape[0]
 *       if knn > n - 2: knn = n - 2
 *       bandwidth = np.max(np.partition(pdx, knn + 1, axis=1)[:, : knn + 1], axis=1)
 *       K = np.exp(-np.power((pdx.T / bandwidth).T, decay)); K = np.where(np.isnan(K), 1, K)
 *       K[K < thresh] = 0
 *       return (K + K.T) / 2
 *   x = np.array([0., 1., 2., 4., 7.]); D = np.abs(x[:, None] - x[None, :])
 *   K = kernel(D, knn, decay); P = K / K.sum(1, keepdims=True)
 *   H = vne.compute_von_neumann_entropy(P, t_max=20); t = vne.find_knee_point(H)
 *   U = -np.log(np.linalg.matrix_power(P, 2) + 1e-7)
 *   Dp = np.sqrt(((U[:, None, :] - U[None, :, :]) ** 2).sum(-1))[np.triu_indices(5, 1)]
 */
const CASES = [
  {
    knn: 5, // clamped to n − 2 = 3, as graphtools does
    decay: 40,
    P: [
      [0.34868969233647, 0.34868969233647, 0.238482730747568, 0.064137884579491, 0.0],
      [0.281545865501048, 0.281545865501048, 0.28154586550092, 0.103574935664656, 0.051787467832328],
      [0.17684105150908, 0.258562335519381, 0.258562335519499, 0.176841039817303, 0.129193237634737],
      [0.062999558670206, 0.125999117340411, 0.234250098716855, 0.342501111068319, 0.234250114204209],
      [0.0, 0.077692359871766, 0.211046090108095, 0.288882089921096, 0.422379460099044],
    ],
    H: [
      1.0209413638804095, 0.5929048793409242, 0.399880563379799, 0.2681878204494855, 0.1731825553426669,
      0.10821302178882647, 0.06599272798005922, 0.03953830804460642, 0.0233772677317177, 0.013681392779665794,
      0.007941879501634165, 0.00457938091930306, 0.002625705481307198, 0.0014982840067364839, 0.0008513874852104545,
      0.0004820218121220759, 0.00027201542599893005, 0.00015305886170069756, 8.589910438000453e-5, 4.809417012117221e-5,
    ],
    t: 5,
    Dpot2: [
      0.4819838565244427, 0.978184008395957, 1.6779296175043934, 2.182413864917693, 0.5009970369217711,
      1.2217638822383765, 1.7462612566356677, 0.7364668723648983, 1.2784272248186916, 0.5572939523307113,
    ],
  },
  {
    knn: 1,
    decay: 2,
    P: [
      [0.715556840066281, 0.263238650449986, 0.013105880687018, 0.006552940343509, 0.001545688453206],
      [0.204641452634647, 0.556273142046224, 0.204641452634647, 0.029349703687871, 0.00509424899661],
      [0.011373482566953, 0.228442504043771, 0.620971107589864, 0.119907993305362, 0.019304912494051],
      [0.006139364160299, 0.035370968136152, 0.129451789686884, 0.670395851064249, 0.158642026952416],
      [0.001688852882502, 0.007159885399314, 0.02430582898202, 0.185012438232488, 0.781832994503676],
    ],
    H: [
      1.5313388502320917, 1.3747310292280681, 1.214606417835643, 1.0749197797032644, 0.9577686782180198,
      0.859920855809218, 0.7776439460873199, 0.7076627222627508, 0.6472815301038176, 0.5943616412270379,
      0.5472599170756408, 0.5047488715236553, 0.46593240980984474, 0.43016798738423656, 0.39700062916023704,
      0.3661101019734702, 0.33727026003756294, 0.31031868756388237, 0.28513461752838176, 0.26162328837045334,
    ],
    t: 6,
    Dpot2: [
      2.2259197105180846, 4.250001400814661, 6.38245824820037, 7.742054311656866, 2.1699135826914286, 4.673495437023608,
      6.445283405419016, 2.812123690867225, 4.848236210202251, 2.340888252267527,
    ],
  },
]

const LINE = [0, 1, 2, 4, 7]
const D5 = Float64Array.from({ length: 25 }, (_, q) => Math.abs(LINE[Math.floor(q / 5)]! - LINE[q % 5]!))

/** Well-separated Gaussian clusters in 10-D (as in tsne-umap.test.ts). */
function clusters(c: number, per: number, seed: number): { D: Float64Array; labels: number[]; n: number } {
  const r = rng(seed)
  const d = 10
  const n = c * per
  const X = new Float64Array(n * d)
  const labels: number[] = []
  for (let a = 0; a < c; a++) {
    const centre = Array.from({ length: d }, (_, k) => (k === a % d ? 20 : 0) + (k === (a + 3) % d ? 10 * a : 0))
    for (let p = 0; p < per; p++) {
      const i = a * per + p
      labels.push(a)
      for (let k = 0; k < d; k++) X[i * d + k] = centre[k]! + r.gauss()
    }
  }
  return { D: naiveEuclidean(X, n, d), labels, n }
}

function knnPurity(coords: Float64Array, labels: number[], k: number): number {
  const n = labels.length
  let same = 0
  for (let i = 0; i < n; i++) {
    const order = Array.from({ length: n }, (_, j) => j)
      .filter((j) => j !== i)
      .map((j) => [j, Math.hypot(coords[2 * i]! - coords[2 * j]!, coords[2 * i + 1]! - coords[2 * j + 1]!)] as const)
      .sort((a, b) => a[1] - b[1])
    for (let m = 0; m < k; m++) if (labels[order[m]![0]] === labels[i]) same++
  }
  return same / (n * k)
}

describe('PHATE diffusion', () => {
  it('the diffusion operator is row-stochastic, non-negative, and the kernel symmetric', () => {
    const { D, n } = clusters(3, 20, 4)
    for (const [knn, decay] of [
      [5, 40],
      [2, 10],
      [15, 1],
    ] as const) {
      const K = toDense(phateKernel(D, n, knn, decay))
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(K[i * n + j]).toBe(K[j * n + i])
      const P = toDense(diffusionOperator(phateKernel(D, n, knn, decay)))
      for (let i = 0; i < n; i++) {
        let s = 0
        for (let j = 0; j < n; j++) {
          expect(P[i * n + j]).toBeGreaterThanOrEqual(0)
          s += P[i * n + j]!
        }
        expect(s).toBeCloseTo(1, 14)
        expect(P[i * n + i]).toBeGreaterThan(0) // every point is its own neighbour
      }
    }
  })

  it('equals the reference definitions on a hand-checkable 5-point case: P, entropy, knee, potential distances', () => {
    for (const c of CASES) {
      const P = diffusionOperator(phateKernel(D5, 5, c.knn, c.decay))
      const dense = toDense(P)
      for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) expect(dense[i * 5 + j]).toBeCloseTo(c.P[i]![j]!, 11)
      const H = entropyFromSingularValues(singularValues(P), 20)
      H.forEach((h, t) => expect(h).toBeCloseTo(c.H[t]!, 9))
      expect(kneePoint(H)).toBe(c.t)
      const U = diffusionPotential(P, 2)
      const Dp = rowDistances(U, 5, 5)
      const upper: number[] = []
      for (let i = 0; i < 5; i++) for (let j = i + 1; j < 5; j++) upper.push(Dp[i * 5 + j]!)
      upper.forEach((v, q) => expect(v).toBeCloseTo(c.Dpot2[q]!, 9))
      // 'auto' picks the same t (with the reference's t_max of 20 here).
      expect(phatePrepare(D5, 5, { knn: c.knn, decay: c.decay, tMax: 20 }).t).toBe(c.t)
    }
  })

  it('the knee is vne.find_knee_point (its doc examples: exp(−x/10) on 0…19 → 8)', () => {
    expect(kneePoint(Array.from({ length: 20 }, (_, x) => Math.exp(-x / 10)))).toBe(8)
  })

  it('singular values match a dense eigen-decomposition of PᵀP; the entropy estimate for large n is close', () => {
    const { D, n } = clusters(4, 40, 6)
    const P = diffusionOperator(phateKernel(D, n))
    const Pd = toDense(P)
    const M = new Float64Array(n * n)
    for (let i = 0; i < n; i++)
      for (let k = 0; k < n; k++) {
        let s = 0
        for (let r = 0; r < n; r++) s += Pd[r * n + i]! * Pd[r * n + k]!
        M[i * n + k] = s
      }
    const ref = symmetricEigen(M, n)
      .values.map((l) => Math.sqrt(Math.max(0, l)))
      .sort((a, b) => b - a)
    singularValues(P).forEach((s, i) => expect(s).toBeCloseTo(ref[i]!, 9))
    const exact = entropyFromSingularValues(singularValues(P), 100)
    const est = entropyEstimate(P, 100, { seed: 1 })
    for (let t = 0; t < 100; t++) expect(Math.abs(est[t]! - exact[t]!)).toBeLessThan(0.05 * exact[0]!)
    expect(Math.abs(kneePoint(est) - kneePoint(exact))).toBeLessThanOrEqual(2)
  })
})

describe('PHATE embedding', () => {
  it('keeps well-separated clusters apart (k-NN purity ≥ 0.95)', () => {
    const { D, labels, n } = clusters(4, 25, 1)
    const r = phate(D, n)
    expect(r.method).toBe('phate')
    expect(r.diffusionTime).toBeGreaterThanOrEqual(1)
    expect(knnPurity(r.coords, labels, 10)).toBeGreaterThanOrEqual(0.95)
  })

  it('is deterministic, and refuses bad parameters with a clear message', () => {
    const { D, n } = clusters(2, 20, 2)
    expect(Array.from(phate(D, n).coords)).toEqual(Array.from(phate(D, n).coords))
    expect(() => phate(D, n, { knn: 0 })).toThrow(/knn must be a whole number/)
    expect(() => phate(D, n, { decay: -1 })).toThrow(/decay must be a positive number/)
    expect(() => phate(D, n, { t: 0 })).toThrow(/t must be 'auto'/)
    expect(() => phate(D, n, { maxIter: 0 })).toThrow(/maxIter must be/)
  })

  it('coincident points share their place', () => {
    const base = clusters(2, 15, 5)
    const n = base.n * 2
    const D = Float64Array.from(
      { length: n * n },
      (_, q) => base.D[(Math.floor(q / n) % base.n) * base.n + ((q % n) % base.n)]!,
    )
    const r = phate(D, n)
    for (let i = base.n; i < n; i++) expect(r.coords[2 * i]).toBe(r.coords[2 * (i - base.n)])
  })

  it('is in the registry and the job, with the same diagnostics as the others', async () => {
    const { D, n } = clusters(2, 15, 3)
    expect(embed('phate', { n, D }).method).toBe('phate')
    expect(() => embed('phate', { n })).toThrow(/needs a distance matrix/)
    const r = rng(9)
    const X = Float32Array.from({ length: 30 * 6 }, (_, q) => r.gauss() + (q >= 15 * 6 ? 8 : 0))
    const stages = new Set<string>()
    const res = await computeEmbedding(
      { X: X.slice(), n: 30, d: 6, pointShape: [6], view: 'tau', method: 'phate' },
      (p) => stages.add(p.stage),
    )
    expect(res.neighbourhood?.trustworthiness[0]).toBeGreaterThan(0.8)
    expect(res.shepard).toBeDefined()
    expect(res.pointStress).toBeDefined()
    expect([...stages]).toEqual(expect.arrayContaining(['distances', 'embedding', 'diagnostics']))
    // The job's GEMM potential distances give the picture the float64 ones give.
    const X64 = Float64Array.from(X)
    const ref = phate(naiveEuclidean(X64, 30, 6), 30)
    for (let q = 0; q < 60; q++) expect(res.coords[q]).toBeCloseTo(ref.coords[q]!, 2)
  })
})
