import { describe, expect, it } from 'vitest'
import { tsne, tsneAffinities, tsneGradient } from '../../../src/main/analysis/tsne'
import { knnFromDistances, umap } from '../../../src/main/analysis/umap'
import { embed } from '../../../src/main/analysis/embedding'
import { computeEmbedding } from '../../../src/main/analysis/embed-job'
import { distinctPoints } from '../../../src/main/analysis/distinct'
import { naiveEuclidean, rng } from './helpers'

/*
 * scikit-learn 1.9's t-SNE affinities (float32 bisection inside), made by:
 *
 *   import numpy as np
 *   from sklearn.manifold._t_sne import _joint_probabilities_nn
 *   from sklearn.neighbors import NearestNeighbors
 *   n = 40
 *   t = np.arange(n) * 0.53
 *   X = np.stack([np.cos(t), np.sin(1.3 * t), 0.07 * t * t, np.sin(2.9 * t) * 0.4], axis=1)
 *   D = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
 *   perplexity = 5.0
 *   k = min(n - 1, int(3.0 * perplexity + 1))
 *   G = NearestNeighbors(n_neighbors=k, metric='precomputed').fit(D).kneighbors_graph(mode='distance')
 *   G.data **= 2
 *   P = _joint_probabilities_nn(G, perplexity, 0).toarray()
 *   print(P.sum(1).tolist()); print(P[0].tolist())
 */
const SK_ROW_SUMS = [
  0.020305095428637548, 0.024529889817946165, 0.026708162768983298, 0.02606225560991774, 0.026758671017320684,
  0.025778342850528168, 0.026004362042024273, 0.023137369616131505, 0.027412139755556134, 0.02437437362256723,
  0.027585279707520508, 0.024483158146784187, 0.025775201835497658, 0.025046440045901987, 0.024027310741481317,
  0.024241907833163705, 0.025084975379381917, 0.02488660772978065, 0.02526275300737565, 0.024757160038779924,
  0.024906326258257717, 0.02468721643164886, 0.02486569753268402, 0.024982495561882367, 0.025166144251478915,
  0.02504236903786966, 0.02488431078039667, 0.02473415663842566, 0.024885636349247165, 0.02514263130573621,
  0.025052509530780045, 0.025304444897951167, 0.02504269212809773, 0.025729612649559426, 0.026354075339468715,
  0.027318783861914202, 0.026961281090249034, 0.02558890423183892, 0.02256394301722534, 0.018565312110007958,
]
const SK_ROW0 = [
  0.0, 0.009284954853024859, 0.005123837941615916, 0.0026601910286401147, 0.0012218624368963257, 0.0003547904430898415,
  0.00019908830165320888, 0.00020467178416983586, 0.0003074082752421043, 0.000529003259078003, 0.000272557853048209,
  0.00010477109389482962, 3.816030419325782e-5, 3.778662961758184e-6, 1.9099569037918777e-8, 9.139308675123444e-11,
  1.6715913535367212e-13,
]

function curve(n: number): Float64Array {
  const d = 4
  const X = new Float64Array(n * d)
  for (let i = 0; i < n; i++) {
    const t = i * 0.53
    X.set([Math.cos(t), Math.sin(1.3 * t), 0.07 * t * t, Math.sin(2.9 * t) * 0.4], i * d)
  }
  return naiveEuclidean(X, n, d)
}

/** Well-separated Gaussian clusters in 10-D: `per` points around each of `c` centres 20σ apart. */
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

/** Share of each point's k nearest neighbours in the picture that carry its label. */
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

function dense(P: ReturnType<typeof tsneAffinities>, n: number): Float64Array {
  const M = new Float64Array(n * n)
  for (let i = 0; i < n; i++)
    for (let e = P.indptr[i]!; e < P.indptr[i + 1]!; e++) M[i * n + P.indices[e]!] = P.values[e]!
  return M
}

describe('t-SNE', () => {
  it('has scikit-learn’s joint probabilities (perplexity-calibrated on the k-NN, symmetrised)', () => {
    const n = 40
    const P = dense(tsneAffinities(curve(n), n, 5), n)
    let total = 0
    for (let i = 0; i < n; i++) {
      let s = 0
      for (let j = 0; j < n; j++) {
        s += P[i * n + j]!
        expect(P[i * n + j]).toBeCloseTo(P[j * n + i]!, 15)
      }
      total += s
      // scikit-learn bisects in float32: agreement to its precision.
      expect(Math.abs(s - SK_ROW_SUMS[i]!)).toBeLessThan(2e-6 * SK_ROW_SUMS[i]! + 1e-9)
    }
    expect(total).toBeCloseTo(1, 12)
    SK_ROW0.forEach((v, j) => expect(Math.abs(P[j]! - v)).toBeLessThan(2e-6 * v + 1e-12))
    for (let j = SK_ROW0.length; j < n; j++) expect(P[j]).toBe(0)
  })

  it('the Barnes-Hut gradient is the exact one at θ = 0 and close to it at θ = 0.5', () => {
    const n = 120
    const { D } = clusters(3, 40, 7)
    const P = tsneAffinities(D, n, 10)
    const r = rng(3)
    const Y = Float64Array.from({ length: 2 * n }, () => r.gauss() * 5)
    const exact = new Float64Array(2 * n)
    const bh0 = new Float64Array(2 * n)
    const bh = new Float64Array(2 * n)
    const zExact = tsneGradient(P, Y, n, exact, { gradient: 'exact', exaggeration: 12 })
    const z0 = tsneGradient(P, Y, n, bh0, { gradient: 'bh', theta: 0, exaggeration: 12 })
    const z5 = tsneGradient(P, Y, n, bh, { gradient: 'bh', theta: 0.5, exaggeration: 12 })
    expect(z0).toBeCloseTo(zExact, 8)
    let scale = 0
    for (let q = 0; q < 2 * n; q++) scale = Math.max(scale, Math.abs(exact[q]!))
    for (let q = 0; q < 2 * n; q++) expect(Math.abs(bh0[q]! - exact[q]!)).toBeLessThan(1e-12 * scale + 1e-15)
    // An approximation, but a good one: within a few per cent of the largest component.
    expect(Math.abs(z5 - zExact) / zExact).toBeLessThan(0.02)
    let err = 0
    for (let q = 0; q < 2 * n; q++) err = Math.max(err, Math.abs(bh[q]! - exact[q]!))
    expect(err / scale).toBeLessThan(0.05)
    expect(err).toBeGreaterThan(0) // θ = 0.5 did summarise cells
  })

  it('keeps well-separated clusters apart (k-NN purity ≥ 0.95), with either gradient', () => {
    const { D, labels, n } = clusters(4, 30, 11)
    for (const gradient of ['bh', 'exact'] as const) {
      const r = tsne(D, n, { perplexity: 10, maxIter: 500, gradient })
      expect(r.method).toBe('tsne')
      expect(r.iterations).toBeGreaterThan(250)
      expect(r.coords.every(Number.isFinite)).toBe(true)
      expect(knnPurity(r.coords, labels, 10)).toBeGreaterThanOrEqual(0.95)
      expect(r.klDivergence).toBeGreaterThan(0)
      expect(r.klDivergence).toBeLessThan(1.5)
    }
  })

  it('is deterministic: the same seed gives the same coordinates; another seed other ones', () => {
    const { D, n } = clusters(3, 20, 5)
    const a = tsne(D, n, { maxIter: 300, init: 'random', seed: 4 })
    const b = tsne(D, n, { maxIter: 300, init: 'random', seed: 4 })
    const c = tsne(D, n, { maxIter: 300, init: 'random', seed: 5 })
    expect(Array.from(a.coords)).toEqual(Array.from(b.coords))
    expect(Array.from(a.coords)).not.toEqual(Array.from(c.coords))
    const d1 = tsne(D, n, { maxIter: 300 })
    const d2 = tsne(D, n, { maxIter: 300 })
    expect(Array.from(d1.coords)).toEqual(Array.from(d2.coords))
  })

  it('stops at maxIter, and refuses a bad one or a bad perplexity', () => {
    const { D, n } = clusters(2, 10, 1)
    let seen = 0
    expect(tsne(D, n, { maxIter: 40, onIteration: (i) => (seen = i) }).iterations).toBe(40)
    expect(seen).toBe(40)
    expect(() => tsne(D, n, { maxIter: 0 })).toThrow(/maxIter/)
    expect(() => tsne(D, n, { perplexity: -1 })).toThrow(/perplexity/)
  })
})

describe('UMAP', () => {
  it('builds exact k-NN lists from D, each starting with the point itself', () => {
    const n = 40
    const D = curve(n)
    const knn = knnFromDistances(D, n, 6)
    for (let i = 0; i < n; i++) {
      expect(knn.indices[i]![0]).toBe(i)
      expect(knn.distances[i]![0]).toBe(0)
      const others = Array.from({ length: n }, (_, j) => j)
        .filter((j) => j !== i)
        .sort((a, b) => D[i * n + a]! - D[i * n + b]! || a - b)
        .slice(0, 5)
      expect(knn.indices[i]!.slice(1)).toEqual(others)
      expect(knn.distances[i]!.slice(1)).toEqual(others.map((j) => D[i * n + j]))
    }
  })

  it('keeps well-separated clusters apart (k-NN purity ≥ 0.95)', () => {
    const { D, labels, n } = clusters(4, 30, 11)
    const r = umap(D, n, { maxIter: 200 })
    expect(r.method).toBe('umap')
    expect(r.iterations).toBe(200)
    expect(knnPurity(r.coords, labels, 10)).toBeGreaterThanOrEqual(0.95)
  })

  it('is deterministic: the same seed gives the same coordinates; another seed other ones', () => {
    const { D, n } = clusters(3, 20, 5)
    const a = umap(D, n, { maxIter: 100, seed: 1 })
    const b = umap(D, n, { maxIter: 100, seed: 1 })
    const c = umap(D, n, { maxIter: 100, seed: 2 })
    expect(Array.from(a.coords)).toEqual(Array.from(b.coords))
    expect(Array.from(a.coords)).not.toEqual(Array.from(c.coords))
  })
})

describe('coincident points', () => {
  it('are embedded once and share their place, so copies do not split off as their own cluster', () => {
    // Three clusters, each point present three times (as κ of networks that agree).
    const base = clusters(3, 15, 2)
    const n = base.n * 3
    const D = new Float64Array(n * n)
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) D[i * n + j] = base.D[(i % base.n) * base.n + (j % base.n)]!
    const labels = Array.from({ length: n }, (_, i) => base.labels[i % base.n]!)
    const d = distinctPoints(D, n)
    expect(d.m).toBe(base.n)
    expect(Array.from(d.of.subarray(0, 3))).toEqual([0, 1, 2])
    expect(d.of[base.n]).toBe(0)
    for (const method of ['tsne', 'umap'] as const) {
      const r = embed(method, { n, D }, { maxIter: 300 })
      for (let i = base.n; i < n; i++) {
        expect(r.coords[2 * i]).toBe(r.coords[2 * (i % base.n)])
        expect(r.coords[2 * i + 1]).toBe(r.coords[2 * (i % base.n) + 1])
      }
      expect(knnPurity(r.coords, labels, 10)).toBeGreaterThanOrEqual(0.95)
    }
  })
})

describe('t-SNE and UMAP as embedding methods', () => {
  it('are in the registry and the job, with the same diagnostics as the others', async () => {
    const { D, n } = clusters(2, 15, 3)
    for (const method of ['tsne', 'umap'] as const) {
      const r = embed(method, { n, D }, { maxIter: 120 })
      expect(r.method).toBe(method)
      expect(Number.isFinite(r.stress)).toBe(true)
      expect(() => embed(method, { n })).toThrow(/needs a distance matrix/)
    }
    // τ points: the job computes the distances, the embedding, the neighbourhood scores and the Shepard data.
    const r = rng(9)
    const X = Float32Array.from({ length: 30 * 6 }, (_, q) => r.gauss() + (q >= 15 * 6 ? 8 : 0))
    const stages = new Set<string>()
    for (const method of ['tsne', 'umap'] as const) {
      const res = await computeEmbedding(
        { X: X.slice(), n: 30, d: 6, pointShape: [6], view: 'tau', method, options: { maxIter: 100 } },
        (p) => stages.add(p.stage),
      )
      expect(res.neighbourhood?.trustworthiness[0]).toBeGreaterThan(0.8) // a random picture scores ~0.5
      expect(res.shepard).toBeDefined()
    }
    expect([...stages]).toEqual(expect.arrayContaining(['distances', 'embedding', 'diagnostics']))
  })
})
