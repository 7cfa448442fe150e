/**
 * τ distances: Euclidean between points (network outputs on the probe set, one row each),
 * through the Gram matrix of the centred points on the fastest GEMM backend (see gemm.ts);
 * pairs with heavy cancellation are recomputed exactly in float64.
 *
 * Like the κ and Bhattacharyya distances, the full matrix is a symmetric n×n Float64Array
 * (row-major, zero diagonal), computed in blocks with progress and yields to the event loop
 * between blocks; `euclideanRows` gives distances of chosen points to all points on demand
 * (DistanceRows), which is what landmark MDS needs when n is too large for a full matrix.
 */
import { getGemm, type Gemm, type GemmOperand, type GemmPreference } from './gemm'
import { checkMatrix, checkRows, yieldToEventLoop, type DistanceOptions, type DistanceRows } from './pairwise-distances'

export interface EuclideanOptions extends DistanceOptions {
  /** GEMM backend (default `'auto'`: tfjs-node → tfjs-wasm → plain JS). */
  backend?: GemmPreference
  /** Points per Gram block (default 1024 on libtensorflow, whose threads like bigger products; else 512). */
  blockSize?: number
  /**
   * Pairs whose squared distance is this many times smaller than ‖xᵢ‖² + ‖xⱼ‖² (in the centred
   * frame) are recomputed exactly as Σ(xᵢ − xⱼ)² in float64: there the float32 Gram entries
   * cancel and lose most of their digits. Default 100. Measured against float64 on the bench's
   * path-like τ (20 000 pairs, half of them consecutive snapshots): max relative error 2e-4,
   * mean 5e-6 (without refinement consecutive late snapshots are off by up to ~2e-2).
   * `Infinity` disables it.
   */
  refineRatio?: number
  /**
   * At most this many pairs are refined (the worst-cancelling first); each costs O(d) in JS.
   * Default 100 000 (≈1 s at d = 10 000).
   */
  refineBudget?: number
  /**
   * Centre X in place (each row minus the column means, rounded to float32: X is changed)
   * instead of writing centred copies block by block. The distances are the same (the copies
   * held the same float32 values); it saves n·d·4 bytes of fresh memory, whose first touch costs
   * more than the arithmetic here (fig1's τ: 124 MB, ~1 s). For callers that own X.
   */
  centreInPlace?: boolean
}

/**
 * Euclidean distances between the n rows (dimension d) of X.
 * d²ᵢⱼ = Gᵢᵢ + Gⱼⱼ − 2Gᵢⱼ with G the Gram matrix of the column-centred rows (centring removes
 * the common offset of all points, which is most of the norm of network outputs, and with it
 * most of the cancellation); Gᵢᵢ in float64, Gᵢⱼ from the float32 GEMM, negatives clamped to 0.
 */
export async function euclideanDistances(
  X: Float32Array,
  n: number,
  d: number,
  opts: EuclideanOptions = {},
): Promise<Float64Array> {
  checkMatrix(X, n, d, 'euclideanDistances')
  const gemm = await getGemm(opts.backend)
  await gemm.activate()
  const centre = centring(X, n, d, opts.centreInPlace)
  const norms = centre.norms
  const D = new Float64Array(n * n)
  const ratio = opts.refineRatio ?? 100
  const refine: Refinement = { i: [], j: [], severity: [] }
  const blockSize = opts.blockSize ?? (gemm.name === 'tensorflow' ? 1024 : 512)
  await symmetricGram(gemm, centre, n, d, blockSize, opts.onProgress, (i0, i1, j0, j1, G) => {
    const w = j1 - j0
    for (let i = i0; i < i1; i++) {
      const gi = (i - i0) * w - j0
      const ni = norms[i]!
      const row = i * n
      for (let j = Math.max(j0, i + 1); j < j1; j++) {
        const s = ni + norms[j]!
        const d2 = s - 2 * G[gi + j]!
        if (d2 * ratio < s) {
          refine.i.push(i)
          refine.j.push(j)
          refine.severity.push(d2 > 0 ? s / d2 : Infinity)
        }
        D[row + j] = d2 > 0 ? Math.sqrt(d2) : 0
      }
    }
  })
  // The upper triangle was written row by row; the lower is its mirror, copied in tiles (writing
  // both halves at once strides a column of D per entry and cost more than the arithmetic).
  mirrorUpper(D, n)
  for (const t of worstFirst(refine, opts.refineBudget ?? 100_000)) {
    const i = refine.i[t]!
    const j = refine.j[t]!
    const v = Math.sqrt(squaredDistance(X, i * d, j * d, d))
    D[i * n + j] = v
    D[j * n + i] = v
  }
  return D
}

/** D[j·n + i] = D[i·n + j] for i < j, in cache-friendly tiles. */
function mirrorUpper(D: Float64Array, n: number): void {
  const T = 64
  for (let i0 = 0; i0 < n; i0 += T) {
    const i1 = Math.min(n, i0 + T)
    for (let j0 = i0; j0 < n; j0 += T) {
      const j1 = Math.min(n, j0 + T)
      for (let i = i0; i < i1; i++) {
        const row = i * n
        for (let j = Math.max(j0, i + 1); j < j1; j++) D[j * n + i] = D[row + j]!
      }
    }
  }
}

interface Refinement {
  i: number[]
  j: number[]
  /** (‖xᵢ‖² + ‖xⱼ‖²) / d²ᵢⱼ: how many digits the Gram formula lost */
  severity: number[]
}

/** Indices of the pairs to refine: all of them, or the `budget` most severe. */
function worstFirst(r: Refinement, budget: number): number[] {
  const all = r.i.map((_, t) => t)
  if (all.length <= budget) return all
  return all.sort((a, b) => r.severity[b]! - r.severity[a]!).slice(0, Math.max(0, budget))
}

/**
 * Euclidean distance rows of the n points of X (same arithmetic and refinement as
 * euclideanDistances). The centred points stay uploaded to the GEMM backend until dispose().
 */
export async function euclideanRows(
  X: Float32Array,
  n: number,
  d: number,
  opts: EuclideanOptions = {},
): Promise<DistanceRows> {
  checkMatrix(X, n, d, 'euclideanRows')
  const gemm = await getGemm(opts.backend)
  await gemm.activate()
  const centre = centring(X, n, d)
  const norms = centre.norms
  const ratio = opts.refineRatio ?? 100
  const bs = Math.max(1, Math.floor(opts.blockSize ?? 512))
  const lefts: GemmOperand[] = []
  let buffer: Float32Array | undefined
  return {
    n,
    rows(rows) {
      checkRows(rows, n)
      const m = rows.length
      const out = new Float64Array(m * n)
      if (m === 0) return out
      const sub = new Float32Array(m * d)
      rows.forEach((r, k) => centre.rows(r, r + 1, sub.subarray(k * d, (k + 1) * d)))
      const right = gemm.right(sub, m, d)
      try {
        for (let b = 0; b * bs < n; b++) {
          const i0 = b * bs
          const i1 = Math.min(n, i0 + bs)
          let left = lefts[b]
          if (!left) {
            buffer ??= new Float32Array(Math.min(n, bs) * d)
            left = lefts[b] = gemm.left(centre.rows(i0, i1, buffer), i1 - i0, d)
          }
          const G = gemm.multiply(left, right)
          for (let i = i0; i < i1; i++) {
            for (let k = 0; k < m; k++) {
              const r = rows[k]!
              let v = 0
              if (r !== i) {
                const s = norms[i]! + norms[r]!
                const d2 = s - 2 * G[(i - i0) * m + k]!
                v = d2 * ratio < s ? Math.sqrt(squaredDistance(X, i * d, r * d, d)) : d2 > 0 ? Math.sqrt(d2) : 0
              }
              out[k * n + i] = v
            }
          }
        }
      } finally {
        right.dispose()
      }
      return out
    },
    dispose() {
      for (const l of lefts) l?.dispose()
      lefts.length = 0
    },
  }
}

interface Centring {
  /** ‖xᵢ − x̄‖² of the float32-rounded centred rows, in float64 */
  norms: Float64Array
  /** Write the centred rows [i0, i1) (float32) into out; returns the filled part of out. */
  rows(i0: number, i1: number, out: Float32Array): Float32Array
}

/**
 * Column means of X (float64) and the squared norms of the centred rows. Centred rows are
 * produced block by block into reusable buffers rather than as one n×d copy: in this VM, first
 * touches of fresh memory cost ~10 ms per MB, more than the arithmetic.
 */
function centring(X: Float32Array, n: number, d: number, inPlace = false): Centring {
  const mean = new Float64Array(d)
  for (let i = 0; i < n; i++) {
    const row = X.subarray(i * d, (i + 1) * d)
    for (let k = 0; k < d; k++) mean[k] = mean[k]! + row[k]!
  }
  for (let k = 0; k < d; k++) mean[k] = mean[k]! / n
  const norms = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const row = X.subarray(i * d, (i + 1) * d)
    let s = 0
    for (let k = 0; k < d; k++) {
      const v = Math.fround(row[k]! - mean[k]!)
      s += v * v
    }
    norms[i] = s
  }
  if (inPlace) {
    for (let i = 0; i < n; i++) {
      const row = X.subarray(i * d, (i + 1) * d)
      for (let k = 0; k < d; k++) row[k] = row[k]! - mean[k]!
    }
    // Each block is a view of X: nothing is overwritten later, so libtensorflow's late reads are safe.
    return { norms, rows: (i0, i1) => X.subarray(i0 * d, i1 * d) }
  }
  return {
    norms,
    rows(i0, i1, out) {
      const part = out.subarray(0, (i1 - i0) * d)
      for (let i = i0; i < i1; i++) {
        const src = X.subarray(i * d, (i + 1) * d)
        const o = (i - i0) * d
        for (let k = 0; k < d; k++) part[o + k] = src[k]! - mean[k]!
      }
      return part
    },
  }
}

function squaredDistance(X: Float32Array, a: number, b: number, d: number): number {
  let s = 0
  for (let k = 0; k < d; k++) {
    const t = X[a + k]! - X[b + k]!
    s += t * t
  }
  return s
}

/**
 * Visit the upper triangle of the Gram matrix of the n centred rows block by block:
 * `visit(i0, i1, j0, j1, G)` with G the (i1−i0)×(j1−j0) block, for every i-block ≤ j-block.
 * The left blocks are uploaded once; each right block once per column of blocks.
 */
async function symmetricGram(
  gemm: Gemm,
  data: Centring,
  n: number,
  d: number,
  blockSize: number,
  onProgress: ((done: number, total: number) => void) | undefined,
  visit: (i0: number, i1: number, j0: number, j1: number, G: Float32Array) => void,
): Promise<void> {
  const bs = Math.max(1, Math.floor(blockSize))
  const blocks = Math.ceil(n / bs)
  const total = (blocks * (blocks + 1)) / 2
  const lefts: GemmOperand[] = []
  const buffer = gemm.interchangeable ? new Float32Array(0) : new Float32Array(Math.min(n, bs) * d)
  let done = 0
  try {
    for (let J = 0; J < blocks; J++) {
      const j0 = J * bs
      const j1 = Math.min(n, j0 + bs)
      // Interchangeable operands: block J, prepared once, is the right factor now and a left one
      // later. Its rows get their own buffer: libtensorflow reads a tensor's data only when a
      // product first uses it, so a shared buffer would be overwritten before.
      const shared = gemm.interchangeable
      const right = shared
        ? (lefts[J] = gemm.left(data.rows(j0, j1, new Float32Array((j1 - j0) * d)), j1 - j0, d))
        : gemm.right(data.rows(j0, j1, buffer), j1 - j0, d)
      try {
        for (let I = 0; I <= J; I++) {
          const i0 = I * bs
          const i1 = Math.min(n, i0 + bs)
          const left = (lefts[I] ??= gemm.left(data.rows(i0, i1, buffer), i1 - i0, d))
          visit(i0, i1, j0, j1, gemm.multiply(left, right))
          onProgress?.(++done, total)
          await yieldToEventLoop()
        }
      } finally {
        if (!shared) right.dispose()
      }
    }
  } finally {
    for (const l of lefts) l.dispose()
  }
}
