/**
 * M-PHATE (Gigante, Charles, Krishnaswamy & Mishne, NeurIPS 2019): PHATE of a tensor of
 * S slices (snapshots) × U points (hidden units) × F features (a unit's activations on the trace
 * set), following the reference implementation (KrishnaswamyLab/M-PHATE, `m_phate/m_phate.py`,
 * `kernel.py`, `utils.py`) and its defaults:
 *
 * - normalize: each (slice, unit) row z-scored over its F features (np.std, ddof 0; a row with
 *   standard deviation 0 is only centred).
 * - The multislice kernel, on the N = S·U points ordered slice-major (point s·U + u):
 *   - within each slice, PHATE's alpha-decaying kNN kernel between that slice's units (graphtools'
 *     kNN graph: bandwidth the distance to the intrasliceKnn-th nearest other unit, default 2;
 *     decay default 5; entries < 1e-4 dropped; (K + Kᵀ)/2) — phateKernel of phate.ts;
 *   - between slices, only each unit with itself: for unit u, the S×S distances between its rows
 *     in every slice; one fixed bandwidth σ for all units, the mean over units of the median over
 *     slices of the distance to the intersliceKnn-th nearest slice (default 25); affinity
 *     exp(−(d/σ)²), symmetrised;
 *   - graphtools then drops entries < 1e-4 of the whole (precomputed) affinity.
 * - Then PHATE: P = K row-normalised, t at the knee of the von Neumann entropy, the potential
 *   with gamma = 0 (M-PHATE's default: 2·√Pᵗ, not PHATE's log), metric MDS — phate.ts's pieces.
 *
 * Differences from the reference (docs/method.md): no PCA to n_pca = 100 features (the trace
 * set has 10 images per class, 100 for ten classes, where M-PHATE does none either); no landmarks
 * (M-PHATE uses 4000 above 4000 points: the caller bounds N instead); intersliceKnn is clamped to
 * S − 1 (np.partition fails beyond it); the MDS is PHATE's classical start refined by SMACOF
 * (see phate.ts), its picture rescaled onto the potential distances.
 */
import { nearest } from './neighbourhood'
import {
  KERNEL_THRESHOLD,
  diffusionOperator,
  diffusionPotential,
  entropyEstimate,
  entropyFromSingularValues,
  EXACT_ENTROPY_LIMIT,
  kneePoint,
  phateFinish,
  phateKernel,
  rowDistances,
  singularValues,
  toCsr,
  type Csr,
} from './phate'
import type { EmbeddingResult } from './types'

export interface MphateOptions {
  /** Neighbours within a slice that set a unit's bandwidth (default 2, M-PHATE's intraslice_knn). */
  intrasliceKnn?: number
  /** Slices that set the interslice bandwidth (default 25, M-PHATE's interslice_knn). */
  intersliceKnn?: number
  /** The intraslice kernel's alpha decay (default 5, M-PHATE's decay). */
  decay?: number
  /** The potential's gamma (default 0, M-PHATE's: 2·√Pᵗ; 1 is PHATE's log potential). */
  gamma?: number
  /** Diffusion time; default 'auto', the knee of the von Neumann entropy. */
  t?: number | 'auto'
  /** z-score each (slice, unit) row first (default true, as M-PHATE). */
  normalize?: boolean
  /** SMACOF passes (default 300). */
  maxIter?: number
  seed?: number
}

export const MPHATE_DEFAULTS = { intrasliceKnn: 2, intersliceKnn: 25, decay: 5, gamma: 0 } as const

/** M-PHATE's utils.normalize on `rows` rows of F values (a copy). */
export function zscoreRows(X: ArrayLike<number>, rows: number, F: number): Float64Array {
  if (X.length !== rows * F) throw new RangeError(`mphate: expected ${rows}×${F} values, got ${X.length}`)
  const out = new Float64Array(rows * F)
  for (let r = 0; r < rows; r++) {
    let mean = 0
    for (let f = 0; f < F; f++) mean += X[r * F + f]!
    mean /= F
    let v = 0
    for (let f = 0; f < F; f++) v += (X[r * F + f]! - mean) ** 2
    const sd = Math.sqrt(v / F)
    const div = sd > 0 ? sd : 1
    for (let f = 0; f < F; f++) out[r * F + f] = (X[r * F + f]! - mean) / div
  }
  return out
}

const median = (v: number[]): number => {
  const s = v.slice().sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

function checkInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`mphate: ${name} must be a whole number ≥ 1, not ${v}`)
}

export interface MultisliceKernel {
  K: Csr
  /** The interslice kernel's one bandwidth σ (0 with one slice). */
  intersliceBandwidth: number
}

/**
 * The multislice kernel of X (S·U rows of F features, slice-major: row s·U + u is unit u in
 * slice s), as m_phate/kernel.py builds it (see the header). X is used as given (normalise first).
 */
export function multisliceKernel(
  X: ArrayLike<number>,
  S: number,
  U: number,
  F: number,
  opts: Pick<MphateOptions, 'intrasliceKnn' | 'intersliceKnn' | 'decay'> = {},
): MultisliceKernel {
  for (const [k, v] of [
    ['slices', S],
    ['units', U],
    ['features', F],
  ] as const)
    checkInt(k, v)
  if (X.length !== S * U * F) throw new RangeError(`mphate: expected ${S}×${U}×${F} values, got ${X.length}`)
  const knn = opts.intrasliceKnn ?? MPHATE_DEFAULTS.intrasliceKnn
  const iknn = opts.intersliceKnn ?? MPHATE_DEFAULTS.intersliceKnn
  const decay = opts.decay ?? MPHATE_DEFAULTS.decay
  checkInt('intrasliceKnn', knn)
  checkInt('intersliceKnn', iknn)
  if (!(decay > 0) || !Number.isFinite(decay))
    throw new RangeError(`mphate: decay must be a positive number, not ${decay}`)
  const rows: number[] = []
  const cols: number[] = []
  const vals: number[] = []
  const slice = new Float64Array(U * F)
  for (let s = 0; s < S; s++) {
    for (let q = 0; q < U * F; q++) slice[q] = X[s * U * F + q]!
    const Ks = phateKernel(rowDistances(slice, U, F), U, knn, decay)
    for (let i = 0; i < U; i++)
      for (let e = Ks.indptr[i]!; e < Ks.indptr[i + 1]!; e++) {
        rows.push(s * U + i)
        cols.push(s * U + Ks.indices[e]!)
        vals.push(Ks.values[e]!)
      }
  }
  let sigma = 0
  if (S > 1) {
    // One unit's rows across the slices, and their distances.
    const k = Math.min(iknn, S - 1)
    const unit = new Float64Array(S * F)
    const Ds: Float64Array[] = []
    const bandwidths: number[] = []
    const nb = new Int32Array(k)
    for (let u = 0; u < U; u++) {
      for (let s = 0; s < S; s++) for (let f = 0; f < F; f++) unit[s * F + f] = X[(s * U + u) * F + f]!
      const D = rowDistances(unit, S, F)
      Ds.push(D)
      const kth: number[] = []
      for (let i = 0; i < S; i++) {
        // np.partition(D, k)[:, k]: the k-th smallest of the row, itself (0) being the smallest.
        const row = D.subarray(i * S, (i + 1) * S)
        nearest(row, S, i, k, nb)
        kth.push(row[nb[k - 1]!]!)
      }
      bandwidths.push(median(kth))
    }
    sigma = bandwidths.reduce((a, b) => a + b, 0) / U
    for (let u = 0; u < U; u++) {
      const D = Ds[u]!
      for (let i = 0; i < S; i++)
        for (let j = 0; j < S; j++) {
          // The diagonal (a unit with itself in its own slice) is the intraslice kernel's 1.
          if (i === j) continue
          const d = D[i * S + j]!
          const v = sigma > 0 ? Math.exp(-((d / sigma) ** 2)) : d === 0 ? 1 : 0
          if (v < KERNEL_THRESHOLD) continue
          rows.push(i * U + u)
          cols.push(j * U + u)
          vals.push(v)
        }
    }
  }
  return { K: toCsr(S * U, rows, cols, vals), intersliceBandwidth: sigma }
}

export interface MphateResult extends EmbeddingResult {
  diffusionTime: number
  /** The von Neumann entropy curve ('auto' only). */
  entropy?: number[]
  intersliceBandwidth: number
}

export interface MphateProgress {
  stage: 'kernel' | 'entropy' | 'potential' | 'distances' | 'embedding'
  done: number
  total: number
}

/**
 * M-PHATE of X (S slices × U units × F features, slice-major), 2-D. `distances` computes the
 * potential's row distances (default: exact, in float64; the analysis passes the GEMM backend's).
 */
export async function mphate(
  X: ArrayLike<number>,
  S: number,
  U: number,
  F: number,
  opts: MphateOptions = {},
  hooks: {
    onProgress?: (p: MphateProgress) => void
    distances?: (U: Float64Array, n: number) => Promise<Float64Array>
  } = {},
): Promise<MphateResult> {
  const gamma = opts.gamma ?? MPHATE_DEFAULTS.gamma
  if (!(gamma >= -1 && gamma <= 1)) throw new RangeError(`mphate: gamma must be between −1 and 1, not ${gamma}`)
  if (opts.t !== undefined && opts.t !== 'auto' && (!Number.isInteger(opts.t) || opts.t < 1))
    throw new RangeError(`mphate: t must be 'auto' or a whole number ≥ 1, not ${opts.t}`)
  const n = S * U
  const progress = hooks.onProgress ?? (() => undefined)
  progress({ stage: 'kernel', done: 0, total: 1 })
  const Xn = (opts.normalize ?? true) ? zscoreRows(X, n, F) : Float64Array.from(X)
  const { K, intersliceBandwidth } = multisliceKernel(Xn, S, U, F, opts)
  const P = diffusionOperator(K)
  let t: number
  let entropy: number[] | undefined
  if (opts.t === undefined || opts.t === 'auto') {
    progress({ stage: 'entropy', done: 0, total: 1 })
    entropy =
      n <= EXACT_ENTROPY_LIMIT
        ? entropyFromSingularValues(singularValues(P), 100)
        : entropyEstimate(P, 100, { seed: opts.seed })
    t = kneePoint(entropy)
  } else t = opts.t
  const potential = diffusionPotential(P, t, gamma, (done, total) => progress({ stage: 'potential', done, total }))
  progress({ stage: 'distances', done: 0, total: 1 })
  const Dpot = hooks.distances ? await hooks.distances(potential, n) : rowDistances(potential, n, n)
  const maxIter = opts.maxIter ?? 300
  progress({ stage: 'embedding', done: 0, total: maxIter })
  const of = Int32Array.from({ length: n }, (_, i) => i)
  // Metric MDS of the potential distances as PHATE's: classical MDS starts SMACOF (phateFinish).
  const r = phateFinish(Dpot, n, { m: n, of, P, t, entropy, potential }, Dpot, {
    maxIter,
    onIteration: (i) => {
      if (i % 10 === 0) progress({ stage: 'embedding', done: i, total: maxIter })
    },
  })
  return { ...r, method: 'phate', diffusionTime: t, entropy, intersliceBandwidth }
}
