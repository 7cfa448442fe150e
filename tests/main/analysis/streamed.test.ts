import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { classesOf, hammingDistances } from '../../../src/main/analysis/kappa-distances'
import { landmarkFromColumns, landmarkMdsFromMatrix } from '../../../src/main/analysis/landmark'
import { distanceToFinalMean, ensembleSpread } from '../../../src/main/analysis/metrics'
import { pca } from '../../../src/main/analysis/pca'
import { kruskalStress } from '../../../src/main/analysis/stress'
import {
  archiveSource,
  chooseLandmarks,
  landmarkColumns,
  memorySource,
  sampledStress,
  seededSample,
  streamedLandmark,
  streamedPca,
  streamedSpread,
} from '../../../src/main/analysis/streamed'
import { euclideanDistances } from '../../../src/main/analysis/tau-distances'
import { writeTestExternalRun } from '../../helpers/external'
import { maxAbsDiff, naiveEuclidean, rng } from './helpers'

/** Random-walk paths: `paths` walks of `steps` points in d dimensions, a common offset added
 * (as network outputs have), path-major. */
function walks(paths: number, steps: number, d: number, seed: number): Float32Array {
  const r = rng(seed)
  const X = new Float32Array(paths * steps * d)
  for (let p = 0; p < paths; p++) {
    const x = Float64Array.from({ length: d }, () => r.gauss() * 0.2)
    for (let s = 0; s < steps; s++) {
      for (let k = 0; k < d; k++) {
        x[k] += r.gauss() * 0.05 * (1 + (k % 3))
        X[(p * steps + s) * d + k] = 3 + x[k]!
      }
    }
  }
  return X
}

const dirs: string[] = []
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

describe('landmark columns, block by block', () => {
  it('equal the full distance matrix (τ), over several blocks', async () => {
    const n = 137
    const d = 23
    const X = walks(6, 27, d, 3).subarray(0, n * d)
    const all = Array.from({ length: n }, (_, i) => i)
    // 10 points per block: 14 blocks, the last one short.
    const R = await landmarkColumns(memorySource(X, n, d), { kind: 'tau' }, all, { blockValues: 10 * d })
    const D = naiveEuclidean(X, n, d)
    expect(maxAbsDiff(R, D)).toBeLessThan(1e-4 * Math.max(...D))
    for (let i = 0; i < n; i++) expect(R[i * n + i]).toBe(0)
  })

  it('equal the Hamming matrix (κ) exactly', async () => {
    const P = 40
    const C = 5
    const n = 60
    const r = rng(9)
    const X = Float32Array.from({ length: n * P * C }, () => r.uniform())
    const D = await hammingDistances(classesOf(X, P, C), n, P, C)
    const some = [3, 0, 59, 17]
    const R = await landmarkColumns(memorySource(X, n, P * C), { kind: 'kappa', P, C }, some, {
      blockValues: 7 * P * C,
    })
    some.forEach((l, a) =>
      expect(Array.from(R.subarray(a * n, (a + 1) * n))).toEqual(Array.from(D.subarray(l * n, (l + 1) * n))),
    )
  })

  it('read from a run archive equal those read from memory', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sgdscope-streamed-'))
    dirs.push(dir)
    const { run, whole } = await writeTestExternalRun(dir, {
      nets: 4,
      snapshots: 6,
      probe: 12,
      classes: 3,
      outputs: 'probabilities',
    })
    const d = 12 * 3
    const rows = Array.from({ length: 24 }, (_, i) => ({ net: Math.floor(i / 6), snapshot: i % 6 }))
    // Two "runs" (the same archive, split) as a joint embedding reads them.
    const src = archiveSource(
      [
        { run, rows: rows.slice(0, 10) },
        { run, rows: rows.slice(10) },
      ],
      d,
    )
    const X = Float32Array.from(whole.outputs as ArrayLike<number>)
    const mem = memorySource(X, 24, d)
    const L = [5, 11, 20]
    const fromArchive = await landmarkColumns(src, { kind: 'tau' }, L, { blockValues: 5 * d })
    const fromMemory = await landmarkColumns(mem, { kind: 'tau' }, L)
    expect(maxAbsDiff(fromArchive, fromMemory)).toBeLessThan(1e-6)
    const k1 = await landmarkColumns(src, { kind: 'kappa', P: 12, C: 3 }, L, { blockValues: 5 * d })
    const k2 = await landmarkColumns(mem, { kind: 'kappa', P: 12, C: 3 }, L)
    expect(Array.from(k1)).toEqual(Array.from(k2))
  })
})

describe('landmark MDS from columns', () => {
  it('equals landmark MDS from the full matrix with the same landmarks', async () => {
    const n = 400
    const d = 30
    const X = walks(8, 50, d, 11)
    const D = await euclideanDistances(X, n, d)
    const full = landmarkMdsFromMatrix(D, n, { landmarks: 40 })
    const R = await landmarkColumns(memorySource(X, n, d), { kind: 'tau' }, full.landmarks!, { blockValues: 64 * d })
    const streamed = landmarkFromColumns(R, full.landmarks!, n)
    const scale = Math.max(...full.coords.map(Math.abs))
    expect(maxAbsDiff(streamed.coords, full.coords)).toBeLessThan(1e-4 * scale)
  })

  it('streamed: a picture close to the full one, stress estimated with an interval', async () => {
    const n = 1200
    const d = 20
    const X = walks(12, 100, d, 5)
    const src = memorySource(X, n, d)
    const r = await streamedLandmark(src, { kind: 'tau' }, { landmarks: 60, sample: 400, seed: 1 })
    const D = await euclideanDistances(X, n, d)
    const exact = kruskalStress(D, r.coords, n)
    expect(r.stressEstimate!.low).toBeLessThanOrEqual(exact)
    expect(r.stressEstimate!.high).toBeGreaterThanOrEqual(exact)
    expect(r.stressEstimate!.pairs).toBe((400 * 399) / 2)
    // As good as landmark MDS with max-min over all points (within 0.02 stress-1).
    expect(Math.abs(exact - landmarkMdsFromMatrix(D, n, { landmarks: 60 }).stress)).toBeLessThan(0.02)
    // Seeded: the same landmarks again; another seed another pool.
    expect(await chooseLandmarks(src, { kind: 'tau' }, { landmarks: 60, seed: 1 })).toEqual(r.landmarks)
    expect(r.pointStress!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4)
  })
})

describe('sampled stress', () => {
  it('its interval brackets the exact stress over all pairs', async () => {
    const n = 1500
    const d = 12
    const X = walks(15, 100, d, 21)
    const D = await euclideanDistances(X, n, d)
    // A deliberately imperfect picture: the first two coordinates.
    const coords = new Float64Array(2 * n)
    for (let i = 0; i < n; i++) {
      coords[2 * i] = X[i * d]!
      coords[2 * i + 1] = X[i * d + 1]!
    }
    const exact = kruskalStress(D, coords, n)
    for (const seed of [1, 2, 3]) {
      const rows = seededSample(n, 300, seed)
      const Ds = new Float64Array(300 * 300)
      rows.forEach((a, i) => rows.forEach((b, j) => (Ds[i * 300 + j] = D[a * n + b]!)))
      const e = sampledStress(Ds, rows, coords)
      expect(e.low).toBeLessThanOrEqual(exact)
      expect(e.high).toBeGreaterThanOrEqual(exact)
      expect(e.high - e.low).toBeLessThan(0.2 * exact) // informative, not just wide
    }
    // All points as the sample: the exact stress.
    const every = Array.from({ length: n }, (_, i) => i)
    expect(sampledStress(D, every, coords).value).toBeCloseTo(exact, 10)
  })
})

describe('streamed PCA', () => {
  it('equals PCA of the points held in memory (up to the sign of each axis)', async () => {
    const n = 600
    const d = 40
    const X = walks(6, 100, d, 8)
    const ref = pca(X, n, d)
    const r = await streamedPca(memorySource(X, n, d), { kind: 'tau' }, { blockValues: 50 * d, sample: 200 })
    for (let a = 0; a < 2; a++) {
      const sign = Math.sign(ref.coords[a]! * r.coords[a]!) || 1
      let err = 0
      let scale = 0
      for (let i = 0; i < n; i++) {
        err = Math.max(err, Math.abs(ref.coords[2 * i + a]! - sign * r.coords[2 * i + a]!))
        scale = Math.max(scale, Math.abs(ref.coords[2 * i + a]!))
      }
      expect(err).toBeLessThan(2e-3 * scale)
      expect(r.eigenvalues![a]! / ref.eigenvalues![a]!).toBeCloseTo(1, 3)
    }
    expect(r.explainedVariance!).toBeCloseTo(ref.explainedVariance!, 3)
    expect(r.stressEstimate!.points).toBe(200)
  })
})

describe('derived metrics snapshot by snapshot', () => {
  it('equal those from the full distance matrix', async () => {
    const N = 7
    const S = 9
    const d = 15
    const X = walks(N, S, d, 4)
    const n = N * S
    const D = await euclideanDistances(X, n, d)
    const full = ensembleSpread(D, n, { nets: N, snapshots: S })
    const toMean = distanceToFinalMean(Float32Array.from(X), d, { nets: N, snapshots: S }).mean
    const s = await streamedSpread(memorySource(X, n, d), { kind: 'tau' }, { nets: N, snapshots: S })
    expect(maxAbsDiff(s.meanPairwise, full.meanPairwise)).toBeLessThan(1e-6)
    expect(maxAbsDiff(s.meanStep.slice(1), full.meanStep.slice(1))).toBeLessThan(1e-5)
    expect(s.meanStep[0]).toBeNaN()
    expect(maxAbsDiff(s.distanceToFinalMean!, toMean)).toBeLessThan(1e-5)
  })
})
