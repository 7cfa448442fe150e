/**
 * Embeddings at scale (issue 23): landmark MDS and PCA of n points that never build the n×n
 * distance matrix and never hold all of τ. Points come from a PointSource (the archive, read in
 * blocks of snapshots through RunArchive.readTauInto, or an array in memory) and are streamed
 * block by block, the next block read while the current one is multiplied.
 *
 * - Landmark MDS: L landmarks (max-min among a seeded random pool of POOL_PER_LANDMARK·L points,
 *   or seeded random), their n×L distance columns in one pass (a Gram block per block of points on
 *   the GEMM backend, as tau-distances.ts), then landmark.ts's classical MDS of the landmarks and
 *   de Silva–Tenenbaum triangulation of every point from its column.
 * - PCA: randomised subspace iteration (Halko, Martinsson & Tropp 2011, alg. 4.4 with
 *   Rayleigh–Ritz): each pass one stream over the points, accumulating Xcᵀ·(Xc·Q) for a d×l basis
 *   Q (l = 2 + oversampling); the scores come from the last pass.
 * - Stress-1 is estimated on a seeded sample of points (all pairs among them) with a delete-one
 *   jackknife 95 % interval (sampledStress), since the exact one needs every pair.
 *
 * κ (Hamming fraction of predicted classes) is the squared Euclidean distance of one-hot class
 * rows divided by 2P, so the same Gram blocks serve it, exactly (integer products in float32).
 */
import { STREAM_ABOVE } from '../../shared/embedding-scale'
import type { RunArchive } from '../archive/run'
import { symmetricEigen, xorshift } from './eigen'
import { getGemm, multiplyTransposedA, type Gemm, type GemmPreference } from './gemm'
import { classesOf, hammingDistances } from './kappa-distances'
import { landmarkFromColumns, maxminLandmarks } from './landmark'
import { yieldToEventLoop } from './pairwise-distances'
import { shepardData } from './shepard'
import { euclideanDistances } from './tau-distances'
import { EMBEDDING_DIMS, type EmbeddingResult, type StressEstimate } from './types'

/** n points of dimension d, read in blocks. */
export interface PointSource {
  readonly n: number
  readonly d: number
  /** Points i0..i1−1, row-major, into the start of out. */
  read(i0: number, i1: number, out: Float32Array): Promise<void>
  /** The listed points, in that order, into the start of out. */
  readRows(rows: readonly number[], out: Float32Array): Promise<void>
}

/** Points held in memory (tests, and jobs that were handed τ). */
export function memorySource(X: Float32Array, n: number, d: number): PointSource {
  if (X.length !== n * d) throw new Error(`memorySource: X has ${X.length} values, expected n·d = ${n * d}`)
  return {
    n,
    d,
    read: async (i0, i1, out) => out.set(X.subarray(i0 * d, i1 * d)),
    readRows: async (rows, out) => rows.forEach((r, k) => out.set(X.subarray(r * d, (r + 1) * d), k * d)),
  }
}

/** The points of several runs' rows, concatenated, read from their archives on demand. */
export function archiveSource(
  parts: readonly { run: RunArchive; rows: readonly { net: number; snapshot: number }[] }[],
  d: number,
): PointSource {
  const starts: number[] = []
  let n = 0
  for (const p of parts) {
    starts.push(n)
    n += p.rows.length
  }
  return {
    n,
    d,
    async read(i0, i1, out) {
      for (const [k, p] of parts.entries()) {
        const a = Math.max(i0, starts[k]!)
        const b = Math.min(i1, starts[k]! + p.rows.length)
        if (a >= b) continue
        await p.run.readTauInto(p.rows.slice(a - starts[k]!, b - starts[k]!), out.subarray((a - i0) * d, (b - i0) * d))
      }
    },
    async readRows(rows, out) {
      for (const [k, p] of parts.entries()) {
        const mine: number[] = []
        rows.forEach((r, at) => {
          if (r >= starts[k]! && r < starts[k]! + p.rows.length) mine.push(at)
        })
        if (mine.length === 0) continue
        const tmp = new Float32Array(mine.length * d)
        await p.run.readTauInto(
          mine.map((at) => p.rows[rows[at]! - starts[k]!]!),
          tmp,
        )
        mine.forEach((at, j) => out.set(tmp.subarray(j * d, (j + 1) * d), at * d))
      }
    },
  }
}

/** τ (Euclidean) or κ (Hamming fraction of the argmax classes of P probes × C outputs). */
export type StreamView = { kind: 'tau' } | { kind: 'kappa'; P: number; C: number }

export interface StreamOptions {
  /** Called after each block of a pass: (blocks done, blocks in all passes). */
  onProgress?: (done: number, total: number) => void
  signal?: AbortSignal
  backend?: GemmPreference
  /** Values per block of points (default 16 M: 64 MB of float32, twice for the read-ahead). */
  blockValues?: number
  /** Points in the stress sample (default STRESS_SAMPLE). */
  sample?: number
  /** Seed of the landmark pool, the PCA start and the stress sample (default 0). */
  seed?: number
}

export interface StreamedLandmarkOptions extends StreamOptions {
  /** Number of landmarks (default min(n, 100)). */
  landmarks?: number
  /** Max-min among a seeded pool (default) or seeded random landmarks. */
  landmarkChoice?: 'maxmin' | 'random'
}

export interface StreamedPcaOptions extends StreamOptions {
  /** Passes over the points (default 4: three power steps). */
  passes?: number
  /** Extra basis vectors beyond the two axes (default 10). */
  oversample?: number
}

export { STREAM_ABOVE }

/** Whether an embedding of n points by `method` is streamed. */
export function streams(method: string, n: number): boolean {
  return (method === 'landmark' || method === 'pca') && n > STREAM_ABOVE
}

/** Max-min landmarks are chosen among this many random points per landmark. */
export const POOL_PER_LANDMARK = 10
/** Stress is estimated on all pairs among this many seeded random points (≈2 million pairs). */
export const STRESS_SAMPLE = 2000
/** Pairs whose Gram formula cancels this badly are recomputed exactly (as tau-distances.ts). */
const REFINE_RATIO = 100

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('cancelled')
}

/** dF, the size of a point's features: τ itself, or κ's one-hot classes. */
function featureSize(view: StreamView, d: number): number {
  if (view.kind === 'tau') return d
  if (view.P * view.C !== d) throw new Error(`κ: a point has ${d} values, not P·C = ${view.P * view.C}`)
  return d
}

/** κ's features: the one-hot classes of each of the rows' P probes (τ is used as it is). */
function features(view: StreamView, X: Float32Array, rows: number, out: Float32Array): Float32Array {
  if (view.kind === 'tau') return X
  const { P, C } = view
  const K = classesOf(X.subarray(0, rows * P * C), P, C)
  const F = out.subarray(0, rows * P * C)
  F.fill(0)
  for (let i = 0; i < rows * P; i++) F[i * C + K[i]!] = 1
  return F
}

/** A seeded random k-subset of 0..n−1, in random order (partial Fisher–Yates). */
export function seededSample(n: number, k: number, seed: number): number[] {
  const u = xorshift(seed >>> 0 || 1)
  const idx = Int32Array.from({ length: n }, (_, i) => i)
  const m = Math.min(n, Math.max(0, Math.floor(k)))
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(u() * (n - i))
    const t = idx[i]!
    idx[i] = idx[j]!
    idx[j] = t
  }
  return Array.from(idx.subarray(0, m))
}

/**
 * One pass over the points in blocks, reading block b+1 while block b is visited. `visit(i0, i1,
 * X)` gets the block's raw values (may modify them).
 */
async function stream(
  src: PointSource,
  opts: StreamOptions,
  visit: (i0: number, i1: number, X: Float32Array) => void,
  tick: () => void,
): Promise<void> {
  const { n, d } = src
  const B = blockPoints(src, opts)
  const bufs = [new Float32Array(B * d), new Float32Array(B * d)]
  const readBlock = (b: number) => src.read(b * B, Math.min(n, (b + 1) * B), bufs[b % 2]!)
  const blocks = Math.ceil(n / B)
  let pending = blocks > 0 ? readBlock(0) : null
  for (let b = 0; b < blocks; b++) {
    await pending
    checkAbort(opts.signal)
    pending = b + 1 < blocks ? readBlock(b + 1) : null
    const i0 = b * B
    const i1 = Math.min(n, i0 + B)
    visit(i0, i1, bufs[b % 2]!.subarray(0, (i1 - i0) * d))
    tick()
    await yieldToEventLoop()
  }
}

function blockPoints(src: PointSource, opts: StreamOptions): number {
  return Math.max(1, Math.min(src.n, Math.floor((opts.blockValues ?? 16 * 1024 * 1024) / Math.max(1, src.d))))
}

/**
 * The distances of every point to each landmark: m×n row-major (row a = landmark a's distances to
 * all n points), in one pass over the points. τ: ‖xᵢ − lₐ‖ through the Gram block of points and
 * landmarks centred on the landmarks' mean (the common offset of network outputs cancels), pairs
 * that cancel badly recomputed exactly in float64; κ: the Hamming fraction, exactly.
 */
export async function landmarkColumns(
  src: PointSource,
  view: StreamView,
  landmarks: readonly number[],
  opts: StreamOptions = {},
  gemmIn?: Gemm,
): Promise<Float64Array> {
  const { n, d } = src
  const m = landmarks.length
  const dF = featureSize(view, d)
  const gemm = gemmIn ?? (await getGemm(opts.backend))
  await gemm.activate()
  const raw = new Float32Array(m * d)
  await src.readRows(landmarks, raw)
  const FL = view.kind === 'tau' ? raw : features(view, raw, m, new Float32Array(m * dF))
  // Centre: τ on the landmarks' mean; κ's one-hot rows stay as they are (exact integers).
  const centre = new Float64Array(dF)
  if (view.kind === 'tau') {
    for (let a = 0; a < m; a++) for (let k = 0; k < dF; k++) centre[k] += FL[a * dF + k]!
    for (let k = 0; k < dF; k++) centre[k] /= m
  }
  const centreRows = (F: Float32Array, rows: number, norms: Float64Array) => {
    for (let i = 0; i < rows; i++) {
      const o = i * dF
      let s = 0
      for (let k = 0; k < dF; k++) {
        const v = (F[o + k] = F[o + k]! - centre[k]!)
        s += v * v
      }
      norms[i] = s
    }
  }
  const normsL = new Float64Array(m)
  centreRows(FL, m, normsL)
  const right = gemm.right(FL, m, dF)
  const R = new Float64Array(m * n)
  const B = blockPoints(src, opts)
  const featBuf = view.kind === 'tau' ? null : new Float32Array(B * dF)
  const normsB = new Float64Array(B)
  const isLandmark = new Map(landmarks.map((l, a) => [l, a]))
  const blocks = Math.ceil(n / B)
  let done = 0
  const twoP = view.kind === 'kappa' ? 2 * view.P : 1
  try {
    await stream(
      src,
      opts,
      (i0, i1, X) => {
        const rows = i1 - i0
        const F = view.kind === 'tau' ? X : features(view, X, rows, featBuf!)
        centreRows(F, rows, normsB)
        const left = gemm.left(F.subarray(0, rows * dF), rows, dF)
        let G: Float32Array
        try {
          G = gemm.multiply(left, right)
        } finally {
          left.dispose()
        }
        for (let i = 0; i < rows; i++) {
          const ni = normsB[i]!
          const self = isLandmark.get(i0 + i)
          for (let a = 0; a < m; a++) {
            let d2: number
            if (self === a) d2 = 0
            else {
              const s = ni + normsL[a]!
              d2 = s - 2 * G[i * m + a]!
              if (view.kind === 'tau' && d2 * REFINE_RATIO < s) {
                d2 = 0
                const o = i * dF
                const p = a * dF
                for (let k = 0; k < dF; k++) d2 += (F[o + k]! - FL[p + k]!) ** 2
              }
            }
            R[a * n + i0 + i] = view.kind === 'tau' ? (d2 > 0 ? Math.sqrt(d2) : 0) : Math.max(0, Math.round(d2)) / twoP
          }
        }
      },
      () => opts.onProgress?.(++done, blocks),
    )
  } finally {
    right.dispose()
  }
  return R
}

/** Distances among the points read (τ: Euclidean, κ: Hamming), as the full-matrix route computes them. */
async function sampleDistances(src: PointSource, view: StreamView, rows: readonly number[]): Promise<Float64Array> {
  const s = rows.length
  const X = new Float32Array(s * src.d)
  await src.readRows(rows, X)
  return sampleDistancesOf(X, s, src.d, view)
}

/**
 * Stress-1 of an embedding estimated from the pairs among a sample of its points: `Ds` their
 * s×s distances, `rows` their indices in `coords` (n×2). The interval is the delete-one-point
 * jackknife's (the pairs share points, so they are not independent), ±1.96 standard errors.
 */
export function sampledStress(
  Ds: Float64Array,
  rows: readonly number[],
  coords: Float64Array,
  dims = EMBEDDING_DIMS,
): StressEstimate {
  const s = rows.length
  if (Ds.length !== s * s) throw new Error(`sampledStress: Ds has ${Ds.length} values, expected ${s}² = ${s * s}`)
  const numK = new Float64Array(s)
  const denK = new Float64Array(s)
  let num = 0
  let den = 0
  for (let a = 0; a < s; a++) {
    const ia = rows[a]! * dims
    for (let b = a + 1; b < s; b++) {
      const ib = rows[b]! * dims
      let q = 0
      for (let t = 0; t < dims; t++) q += (coords[ia + t]! - coords[ib + t]!) ** 2
      const dab = Ds[a * s + b]!
      const e = (dab - Math.sqrt(q)) ** 2
      const w = dab * dab
      numK[a] += e
      numK[b] += e
      denK[a] += w
      denK[b] += w
      num += e
      den += w
    }
  }
  const value = den > 0 ? Math.sqrt(num / den) : 0
  let half = 0
  if (s > 2 && den > 0) {
    const loo = Array.from({ length: s }, (_, k) => {
      const dk = den - denK[k]!
      return dk > 0 ? Math.sqrt(Math.max(0, num - numK[k]!) / dk) : value
    })
    const mean = loo.reduce((x, y) => x + y, 0) / s
    const v = ((s - 1) / s) * loo.reduce((x, y) => x + (y - mean) ** 2, 0)
    half = 1.96 * Math.sqrt(v)
  }
  return { value, low: Math.max(0, value - half), high: value + half, pairs: (s * (s - 1)) / 2, points: s }
}

/** The stress estimate and a Shepard diagram of the sample's pairs. */
async function sampledDiagnostics(
  src: PointSource,
  view: StreamView,
  coords: Float64Array,
  opts: StreamOptions,
): Promise<{ estimate: StressEstimate; shepard: ReturnType<typeof shepardData> }> {
  const rows = seededSample(src.n, opts.sample ?? STRESS_SAMPLE, (opts.seed ?? 0) + 0x5eed).sort((a, b) => a - b)
  const Ds = await sampleDistances(src, view, rows)
  const sub = new Float64Array(rows.length * EMBEDDING_DIMS)
  rows.forEach((r, k) => sub.set(coords.subarray(r * EMBEDDING_DIMS, (r + 1) * EMBEDDING_DIMS), k * EMBEDDING_DIMS))
  return { estimate: sampledStress(Ds, rows, coords), shepard: shepardData(Ds, sub, rows.length) }
}

/** The landmarks a streamed landmark MDS uses (see the file's comment). */
export async function chooseLandmarks(
  src: PointSource,
  view: StreamView,
  opts: StreamedLandmarkOptions = {},
): Promise<number[]> {
  const L = Math.min(src.n, Math.max(3, Math.floor(opts.landmarks ?? 100)))
  const seed = opts.seed ?? 0
  if ((opts.landmarkChoice ?? 'maxmin') === 'random') return seededSample(src.n, L, seed)
  const pool = seededSample(src.n, Math.min(src.n, POOL_PER_LANDMARK * L), seed)
  const Dp = await sampleDistances(src, view, pool)
  const P = pool.length
  const { landmarks } = maxminLandmarks(
    P,
    (r) => {
      const out = new Float64Array(r.length * P)
      r.forEach((x, k) => out.set(Dp.subarray(x * P, (x + 1) * P), k * P))
      return out
    },
    L,
  )
  return landmarks.map((k) => pool[k]!)
}

/** Each point's share of the squared residuals to the landmarks (sums to 1): the colouring by
 * stress at a size where every pair cannot be visited. */
function landmarkPointStress(R: Float64Array, landmarks: readonly number[], coords: Float64Array, n: number) {
  const out = new Float32Array(n)
  const sums = new Float64Array(n)
  let total = 0
  landmarks.forEach((l, a) => {
    for (let i = 0; i < n; i++) {
      const dx = coords[2 * i]! - coords[2 * l]!
      const dy = coords[2 * i + 1]! - coords[2 * l + 1]!
      const e = (R[a * n + i]! - Math.sqrt(dx * dx + dy * dy)) ** 2
      sums[i] += e
      total += e
    }
  })
  if (total > 0) for (let i = 0; i < n; i++) out[i] = sums[i]! / total
  return out
}

/** Landmark MDS streamed from `src` (see the file's comment). Stress is the sampled estimate. */
export async function streamedLandmark(
  src: PointSource,
  view: StreamView,
  opts: StreamedLandmarkOptions = {},
): Promise<EmbeddingResult> {
  const { n } = src
  if (n < 2)
    return { method: 'landmark', coords: new Float64Array(n * EMBEDDING_DIMS), stress: 0, landmarks: n ? [0] : [] }
  const landmarks = await chooseLandmarks(src, view, opts)
  const R = await landmarkColumns(src, view, landmarks, opts)
  const result = landmarkFromColumns(R, landmarks, n)
  const { estimate, shepard } = await sampledDiagnostics(src, view, result.coords, opts)
  return {
    ...result,
    stress: estimate.value,
    stressEstimate: estimate,
    shepard,
    pointStress: landmarkPointStress(R, result.landmarks!, result.coords, n),
  }
}

/** Orthonormal columns of the d×l row-major A (modified Gram–Schmidt, twice for stability). */
function orthonormalise(A: Float64Array, d: number, l: number): void {
  for (let rep = 0; rep < 2; rep++) {
    for (let j = 0; j < l; j++) {
      for (let i = 0; i < j; i++) {
        let s = 0
        for (let k = 0; k < d; k++) s += A[k * l + i]! * A[k * l + j]!
        for (let k = 0; k < d; k++) A[k * l + j] -= s * A[k * l + i]!
      }
      let s = 0
      for (let k = 0; k < d; k++) s += A[k * l + j]! ** 2
      const inv = s > 0 ? 1 / Math.sqrt(s) : 0
      for (let k = 0; k < d; k++) A[k * l + j] *= inv
    }
  }
}

/**
 * PCA streamed from `src` by randomised subspace iteration (see the file's comment). Each pass
 * centres the points on the stress sample's mean c (so that the float32 products do not carry the
 * common offset) and corrects exactly for the true mean μ: Σ(x−μ)(x−μ)ᵀ = Σ(x−c)(x−c)ᵀ − n(μ−c)(μ−c)ᵀ.
 */
export async function streamedPca(
  src: PointSource,
  view: StreamView,
  opts: StreamedPcaOptions = {},
): Promise<EmbeddingResult> {
  const { n, d } = src
  const dF = featureSize(view, d)
  const coords = new Float64Array(n * EMBEDDING_DIMS)
  if (n < 2 || dF < 1) return { method: 'pca', coords, stress: 0, iterations: 0, eigenvalues: [] }
  const gemm = await getGemm(opts.backend)
  await gemm.activate()
  const seed = opts.seed ?? 0
  // The centre: the mean of a seeded sample's features.
  const sampleRows = seededSample(n, Math.min(n, opts.sample ?? STRESS_SAMPLE), seed + 0x5eed)
  const SX = new Float32Array(sampleRows.length * d)
  await src.readRows(sampleRows, SX)
  const SF = view.kind === 'tau' ? SX : features(view, SX, sampleRows.length, new Float32Array(sampleRows.length * dF))
  const c = new Float64Array(dF)
  for (let i = 0; i < sampleRows.length; i++) for (let k = 0; k < dF; k++) c[k] += SF[i * dF + k]!
  for (let k = 0; k < dF; k++) c[k] /= sampleRows.length

  const l = Math.min(dF, n, EMBEDDING_DIMS + Math.max(0, Math.floor(opts.oversample ?? 10)))
  const passes = Math.max(1, Math.floor(opts.passes ?? 4))
  const gauss = (() => {
    const u = xorshift(seed + 0x9ca)
    return () => Math.sqrt(-2 * Math.log(u() + 1e-300)) * Math.cos(2 * Math.PI * u())
  })()
  const Q = Float64Array.from({ length: dF * l }, gauss)
  orthonormalise(Q, dF, l)
  const B = blockPoints(src, opts)
  const featBuf = view.kind === 'tau' ? null : new Float32Array(B * dF)
  const blocks = Math.ceil(n / B)
  const T = new Float64Array(n * l)
  let done = 0
  let values: number[] = []
  let explained = 0
  for (let pass = 0; pass < passes; pass++) {
    const Qt = new Float32Array(l * dF)
    for (let k = 0; k < dF; k++) for (let j = 0; j < l; j++) Qt[j * dF + k] = Q[k * l + j]!
    const right = gemm.right(Qt, l, dF)
    const W = new Float64Array(dF * l)
    const shift = new Float64Array(dF) // Σ (x − c)
    let total = 0 // Σ ‖x − c‖²
    try {
      await stream(
        src,
        opts,
        (i0, i1, X) => {
          const rows = i1 - i0
          const F = (view.kind === 'tau' ? X : features(view, X, rows, featBuf!)).subarray(0, rows * dF)
          for (let i = 0; i < rows; i++) {
            const o = i * dF
            for (let k = 0; k < dF; k++) {
              const v = (F[o + k] = F[o + k]! - c[k]!)
              shift[k] += v
              total += v * v
            }
          }
          const left = gemm.left(F, rows, dF)
          let Tb: Float32Array
          try {
            Tb = gemm.multiply(left, right)
          } finally {
            left.dispose()
          }
          T.set(Tb, i0 * l)
          const Wb = multiplyTransposedA(gemm, F, rows, dF, Tb, l)
          for (let q = 0; q < dF * l; q++) W[q] += Wb[q]!
        },
        () => opts.onProgress?.(++done, blocks * passes),
      )
    } finally {
      right.dispose()
    }
    // CQ = Σ(x−μ)(x−μ)ᵀQ = W − n·m·(mᵀQ), m = μ − c.
    const mQ = new Float64Array(l)
    for (let k = 0; k < dF; k++) {
      const mk = shift[k]! / n
      for (let j = 0; j < l; j++) mQ[j] += mk * Q[k * l + j]!
    }
    let mm = 0
    for (let k = 0; k < dF; k++) {
      const mk = shift[k]! / n
      mm += mk * mk
      for (let j = 0; j < l; j++) W[k * l + j] -= n * mk * mQ[j]!
    }
    const H = new Float64Array(l * l)
    for (let a = 0; a < l; a++)
      for (let b = 0; b < l; b++) {
        let s = 0
        for (let k = 0; k < dF; k++) s += Q[k * l + a]! * W[k * l + b]!
        H[a * l + b] = s
      }
    for (let a = 0; a < l; a++)
      for (let b = a + 1; b < l; b++) H[a * l + b] = H[b * l + a] = 0.5 * (H[a * l + b]! + H[b * l + a]!)
    const eig = symmetricEigen(H, l) // ascending
    if (pass === passes - 1) {
      const k = Math.min(EMBEDDING_DIMS, l)
      values = Array.from({ length: k }, (_, a) => eig.values[l - 1 - a]!)
      for (let a = 0; a < k; a++) {
        const u = eig.vectors[l - 1 - a]!
        for (let i = 0; i < n; i++) {
          let s = 0
          for (let j = 0; j < l; j++) s += (T[i * l + j]! - mQ[j]!) * u[j]!
          coords[i * EMBEDDING_DIMS + a] = s
        }
      }
      const varC = total - n * mm
      explained = varC > 0 ? values.reduce((x, y) => x + Math.max(0, y), 0) / varC : 0
    } else {
      Q.set(W)
      orthonormalise(Q, dF, l)
    }
  }
  const { estimate, shepard } = await sampledDiagnostics(src, view, coords, opts)
  return {
    method: 'pca',
    coords,
    stress: estimate.value,
    stressEstimate: estimate,
    shepard,
    iterations: passes,
    eigenvalues: values,
    explainedVariance: explained,
  }
}

/**
 * A run's derived metrics (metrics.ts: ensembleSpread, distanceToFinalMean) snapshot by snapshot,
 * for a run too large for its n×n matrix: the N networks' points at one snapshot at a time (N×N
 * distances, the same arithmetic as the full matrix), the steps from the previous snapshot's points,
 * and for τ the distance to the mean of the final snapshot's points. `src` holds the run's complete
 * snapshots net-major (row = net·S + snapshot).
 */
export async function streamedSpread(
  src: PointSource,
  view: StreamView,
  layout: { nets: number; snapshots: number },
  onProgress?: (done: number, total: number) => void,
): Promise<{ meanPairwise: number[]; meanStep: number[]; stepToSpread: number[]; distanceToFinalMean?: number[] }> {
  const { nets: N, snapshots: S } = layout
  const d = src.d
  if (N * S !== src.n) throw new Error(`streamedSpread: ${src.n} points are not ${N} networks × ${S} snapshots`)
  const at = (s: number) => Array.from({ length: N }, (_, k) => k * S + s)
  const read = async (s: number) => {
    const X = new Float32Array(N * d)
    await src.readRows(at(s), X)
    return X
  }
  const between = (A: Float32Array, B: Float32Array, k: number): number => {
    if (view.kind === 'kappa') {
      const { P, C } = view
      const a = classesOf(A.subarray(k * d, (k + 1) * d), P, C)
      const b = classesOf(B.subarray(k * d, (k + 1) * d), P, C)
      let diff = 0
      for (let p = 0; p < P; p++) if (a[p] !== b[p]) diff++
      return diff / P
    }
    let s2 = 0
    for (let t = k * d; t < (k + 1) * d; t++) s2 += (A[t]! - B[t]!) ** 2
    return Math.sqrt(s2)
  }
  let mean: Float64Array | null = null
  if (view.kind === 'tau') {
    const F = await read(S - 1)
    mean = new Float64Array(d)
    for (let k = 0; k < N; k++) for (let t = 0; t < d; t++) mean[t] += F[k * d + t]!
    for (let t = 0; t < d; t++) mean[t] /= N
  }
  const meanPairwise: number[] = []
  const meanStep: number[] = []
  const toMean: number[] = []
  let prev: Float32Array | null = null
  for (let s = 0; s < S; s++) {
    const X = await read(s)
    const Ds = await sampleDistancesOf(X, N, d, view)
    let sum = 0
    for (let a = 0; a < N; a++) for (let b = a + 1; b < N; b++) sum += Ds[a * N + b]!
    meanPairwise.push(N > 1 ? sum / ((N * (N - 1)) / 2) : NaN)
    if (prev) {
      let step = 0
      for (let k = 0; k < N; k++) step += between(prev, X, k)
      meanStep.push(step / N)
    } else meanStep.push(NaN)
    if (mean) {
      let total = 0
      for (let k = 0; k < N; k++) {
        let s2 = 0
        for (let t = 0; t < d; t++) s2 += (X[k * d + t]! - mean[t]!) ** 2
        total += Math.sqrt(s2)
      }
      toMean.push(total / N)
    }
    prev = X
    onProgress?.(s + 1, S)
  }
  return {
    meanPairwise,
    meanStep,
    stepToSpread: meanStep.map((m, s) => m / meanPairwise[s]!),
    ...(mean ? { distanceToFinalMean: toMean } : {}),
  }
}

function sampleDistancesOf(X: Float32Array, n: number, d: number, view: StreamView): Promise<Float64Array> {
  if (view.kind === 'tau') return euclideanDistances(X, n, d)
  return hammingDistances(classesOf(X, view.P, view.C), n, view.P, view.C)
}
