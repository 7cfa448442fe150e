/**
 * Pairwise distances between points (rows of a matrix), computed in blocks.
 *
 *  - τ (network outputs on the probe set): Euclidean, through the Gram matrix of the centred
 *    points on the fastest GEMM backend (see gemm.ts), pairs with heavy cancellation recomputed
 *    exactly in float64;
 *  - κ (predicted classes): Hamming fraction, by packed-class XOR/popcount;
 *  - Bhattacharyya distance of per-image output distributions (for InPCA).
 *
 * Every full-matrix function returns a symmetric n×n Float64Array (row-major, zero diagonal),
 * reports progress in blocks and yields to the event loop between blocks. The `…Rows`
 * factories give distances of chosen points to all points on demand (DistanceRows), which is
 * what landmark MDS needs when n is too large for a full matrix.
 */
import { getGemm, type Gemm, type GemmOperand, type GemmPreference } from './gemm'
import { bhattacharyyaKernel, wasmSimdAvailable, type BhattacharyyaKernel } from './wasm/kernels'

export interface DistanceOptions {
  /** Called after each block with (blocks done, blocks in total). */
  onProgress?: (done: number, total: number) => void
}

export interface EuclideanOptions extends DistanceOptions {
  /** GEMM backend (default `'auto'`: tfjs-node → tfjs-wasm → plain JS). */
  backend?: GemmPreference
  /** Points per Gram block (default 512). */
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
}

// ---------------------------------------------------------------------------------------------
// Euclidean (τ)

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
  const centre = centring(X, n, d)
  const norms = centre.norms
  const D = new Float64Array(n * n)
  const ratio = opts.refineRatio ?? 100
  const refine: Refinement = { i: [], j: [], severity: [] }
  await symmetricGram(gemm, centre, n, d, opts.blockSize ?? 512, opts.onProgress, (i0, i1, j0, j1, G) => {
    const w = j1 - j0
    for (let i = i0; i < i1; i++) {
      const gi = (i - i0) * w
      const ni = norms[i]!
      for (let j = Math.max(j0, i + 1); j < j1; j++) {
        const s = ni + norms[j]!
        const d2 = s - 2 * G[gi + j - j0]!
        if (d2 * ratio < s) {
          refine.i.push(i)
          refine.j.push(j)
          refine.severity.push(d2 > 0 ? s / d2 : Infinity)
        }
        const v = d2 > 0 ? Math.sqrt(d2) : 0
        D[i * n + j] = v
        D[j * n + i] = v
      }
    }
  })
  for (const t of worstFirst(refine, opts.refineBudget ?? 100_000)) {
    const i = refine.i[t]!
    const j = refine.j[t]!
    const v = Math.sqrt(squaredDistance(X, i * d, j * d, d))
    D[i * n + j] = v
    D[j * n + i] = v
  }
  return D
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
 * Distances of chosen points to all n points, on demand: what landmark MDS needs when a full
 * n×n matrix is too large. `rows(list)` returns list.length × n, row-major.
 */
export interface DistanceRows {
  readonly n: number
  rows(rows: readonly number[]): Float64Array
  /** Free backend memory (tfjs tensors). */
  dispose(): void
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
function centring(X: Float32Array, n: number, d: number): Centring {
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
  const buffer = new Float32Array(Math.min(n, bs) * d)
  let done = 0
  try {
    for (let J = 0; J < blocks; J++) {
      const j0 = J * bs
      const j1 = Math.min(n, j0 + bs)
      const right = gemm.right(data.rows(j0, j1, buffer), j1 - j0, d)
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
        right.dispose()
      }
    }
  } finally {
    for (const l of lefts) l.dispose()
  }
}

// ---------------------------------------------------------------------------------------------
// Hamming (κ)

/**
 * Argmax class per image. `tau` holds consecutive images of C outputs each (one point's P×C
 * block, or many points' blocks back to back); the result has one class per image. Ties go to
 * the lowest class, NaN never wins.
 */
export function classesOf(tau: Float32Array, P: number, C: number): Uint8Array {
  if (C < 1 || C > 256) throw new Error(`classesOf: C must be in 1..256, got ${C}`)
  if (tau.length % (P * C) !== 0) {
    throw new Error(`classesOf: length ${tau.length} is not a multiple of P·C = ${P * C}`)
  }
  const images = tau.length / C
  const out = new Uint8Array(images)
  for (let i = 0; i < images; i++) {
    const o = i * C
    let best = 0
    let bv = -Infinity
    for (let c = 0; c < C; c++) {
      const v = tau[o + c]!
      if (v > bv) {
        bv = v
        best = c
      }
    }
    out[i] = best
  }
  return out
}

/**
 * Classes packed into 32-bit words, 8 per word (4 bits) when C ≤ 16, else 4 per word (8 bits).
 * Two points disagree on an image iff its field of a XOR b is non-zero.
 */
interface PackedClasses {
  words: Int32Array
  /** words per point */
  W: number
  /** bits per class field */
  bits: 4 | 8
}

function packClasses(K: Uint8Array, n: number, P: number, C: number): PackedClasses {
  if (K.length !== n * P) throw new Error(`hamming: K has ${K.length} values, expected n·P = ${n * P}`)
  if (C < 1 || C > 256) throw new Error(`hamming: C must be in 1..256, got ${C}`)
  const bits = C <= 16 ? 4 : 8
  const per = 32 / bits
  const W = Math.ceil(P / per)
  const words = new Int32Array(n * W)
  for (let i = 0; i < n; i++) {
    const o = i * P
    for (let p = 0; p < P; p++) {
      const c = K[o + p]!
      if (c >= C) throw new Error(`hamming: class ${c} at point ${i}, image ${p} is not below C = ${C}`)
      words[i * W + Math.floor(p / per)]! |= c << ((p % per) * bits)
    }
  }
  return { words, W, bits }
}

/** Number of images on which packed points a and b (word offsets) disagree. */
function disagreements(pk: PackedClasses, a: number, b: number): number {
  const { words, W } = pk
  let cnt = 0
  if (pk.bits === 4) {
    for (let w = 0; w < W; w++) {
      let x = words[a + w]! ^ words[b + w]!
      x |= x >>> 1
      x |= x >>> 2
      x &= 0x11111111
      cnt += Math.imul(x, 0x11111111) >>> 28
    }
  } else {
    for (let w = 0; w < W; w++) {
      let x = words[a + w]! ^ words[b + w]!
      x |= x >>> 1
      x |= x >>> 2
      x |= x >>> 4
      x &= 0x01010101
      cnt += Math.imul(x, 0x01010101) >>> 24
    }
  }
  return cnt
}

/**
 * Hamming distance fractions between n points of P predicted classes each (K row-major n×P,
 * values 0..C−1): Dᵢⱼ = #{p : Kᵢₚ ≠ Kⱼₚ} / P. Exact. (Equivalent to P − the one-hot Gram,
 * but the packed XOR/popcount kernel is faster than a P·C-wide GEMM: 1.3 s vs ~2.7 s on wasm
 * for 3 100 points, P = 1000, C = 10.)
 */
export async function hammingDistances(
  K: Uint8Array,
  n: number,
  P: number,
  C: number,
  opts: DistanceOptions = {},
): Promise<Float64Array> {
  const pk = packClasses(K, n, P, C)
  const D = new Float64Array(n * n)
  const BS = 256
  const blocks = Math.ceil(n / BS)
  for (let J = 0; J < blocks; J++) {
    const j0 = J * BS
    const j1 = Math.min(n, j0 + BS)
    for (let i = 0; i < j1; i++) {
      const a = i * pk.W
      for (let j = Math.max(j0, i + 1); j < j1; j++) {
        const v = disagreements(pk, a, j * pk.W) / P
        D[i * n + j] = v
        D[j * n + i] = v
      }
    }
    opts.onProgress?.(J + 1, blocks)
    await yieldToEventLoop()
  }
  return D
}

/** Hamming distance rows (see DistanceRows). */
export function hammingRows(K: Uint8Array, n: number, P: number, C: number): DistanceRows {
  const pk = packClasses(K, n, P, C)
  return {
    n,
    rows(rows) {
      checkRows(rows, n)
      const out = new Float64Array(rows.length * n)
      rows.forEach((r, k) => {
        const a = r * pk.W
        for (let j = 0; j < n; j++) out[k * n + j] = disagreements(pk, a, j * pk.W) / P
      })
      return out
    },
    dispose() {},
  }
}

// ---------------------------------------------------------------------------------------------
// Bhattacharyya (InPCA)

/** Per-image Bhattacharyya coefficients below this count as this (keeps the distance finite). */
export const MIN_BHATTACHARYYA_COEFFICIENT = 1e-30

/**
 * Square roots of the per-image output distributions: each image's C outputs are clamped at 0
 * and normalised to sum 1 (sigmoid outputs do not sum to 1; an all-zero image becomes uniform).
 * Written into `out` when given.
 */
export function sqrtProbabilities(
  X: Float32Array,
  n: number,
  P: number,
  C: number,
  out: Float32Array = new Float32Array(X.length),
): Float32Array {
  checkMatrix(X, n, P * C, 'sqrtProbabilities')
  if (out.length !== X.length) throw new Error(`sqrtProbabilities: out has ${out.length} values, expected ${X.length}`)
  const images = n * P
  for (let i = 0; i < images; i++) {
    const o = i * C
    let s = 0
    for (let c = 0; c < C; c++) s += Math.max(0, X[o + c]!)
    for (let c = 0; c < C; c++) out[o + c] = s > 0 ? Math.sqrt(Math.max(0, X[o + c]!) / s) : Math.sqrt(1 / C)
  }
  return out
}

/**
 * −Σₚ log BCₚ for two points, BCₚ = Σ_c √(p_c q_c). For close distributions BC is formed as
 * 1 − ½Σ_c(√p_c − √q_c)², which keeps full relative accuracy of 1 − BC where the dot product
 * would cancel against 1; for distant ones (Σ(√p − √q)² ≥ 1, BC ≤ ½) as the dot product, whose
 * non-negative terms keep the relative accuracy of a small BC (the difference form would lose
 * it to the float32 rounding of the unit norms). The logs are taken of running float64
 * products, rescaled before they underflow: one multiplication per image, not one log.
 */
function negLogBcSum(S: Float32Array, a: number, b: number, P: number, C: number): number {
  let prod = 1
  let logSum = 0
  for (let p = 0; p < P; p++) {
    const u = a + p * C
    const v = b + p * C
    let h = 0
    let g = 0
    for (let c = 0; c < C; c++) {
      const x = S[u + c]!
      const y = S[v + c]!
      const e = x - y
      h += e * e
      g += x * y
    }
    const bc = h < 1 ? 1 - 0.5 * h : g
    prod *= bc > MIN_BHATTACHARYYA_COEFFICIENT ? bc : MIN_BHATTACHARYYA_COEFFICIENT
    if (prod < 1e-200) {
      logSum += Math.log(prod)
      prod = 1
    }
  }
  return -(logSum + Math.log(prod))
}

export interface BhattacharyyaOptions extends DistanceOptions {
  /** WebAssembly SIMD tile kernel (default when available, ~4× faster) or plain JS. */
  kernel?: 'auto' | 'wasm' | 'js'
}

function useWasm(kernel: 'auto' | 'wasm' | 'js' | undefined): boolean {
  return kernel === 'wasm' || ((kernel ?? 'auto') === 'auto' && wasmSimdAvailable())
}

/**
 * Bhattacharyya distances (Mao et al., PNAS 2024) between n points of P images × C outputs:
 * D = −(1/P) Σₚ log Σ_c √(pₚ_c qₚ_c), with outputs normalised per image (sqrtProbabilities).
 * Computed in tiles of 8 columns (SIMD kernel) or pairs of 8-point blocks (JS) so that the
 * points' P×C blocks stay in cache; Σ log is taken as the log of running products.
 */
export async function bhattacharyyaDistances(
  X: Float32Array,
  n: number,
  P: number,
  C: number,
  opts: BhattacharyyaOptions = {},
): Promise<Float64Array> {
  checkMatrix(X, n, P * C, 'bhattacharyyaDistances')
  const D = new Float64Array(n * n)
  if (useWasm(opts.kernel)) {
    const kernel = bhattacharyyaKernel((S) => sqrtProbabilities(X, n, P, C, S), n, P, C, MIN_BHATTACHARYYA_COEFFICIENT)
    const groups = Math.ceil(n / 8)
    const out = new Float64Array(8 * Math.min(n, 8 * groups))
    for (let g = 0; g < groups; g++) {
      const j0 = 8 * g
      const rows = Math.min(n, j0 + 8)
      kernel.tile(0, rows, g, out)
      for (let i = 0; i < rows; i++) {
        for (let lane = 0; lane < 8; lane++) {
          const j = j0 + lane
          if (j <= i || j >= n) continue
          const v = out[8 * i + lane]! / P
          D[i * n + j] = v
          D[j * n + i] = v
        }
      }
      opts.onProgress?.(g + 1, groups)
      await yieldToEventLoop()
    }
    return D
  }
  const S = sqrtProbabilities(X, n, P, C)
  const stride = P * C
  const BS = 8
  const blocks = Math.ceil(n / BS)
  const total = (blocks * (blocks + 1)) / 2
  let done = 0
  for (let J = 0; J < blocks; J++) {
    const j0 = J * BS
    const j1 = Math.min(n, j0 + BS)
    for (let I = 0; I <= J; I++) {
      const i0 = I * BS
      const i1 = Math.min(n, i0 + BS)
      for (let i = i0; i < i1; i++) {
        for (let j = Math.max(j0, i + 1); j < j1; j++) {
          const v = negLogBcSum(S, i * stride, j * stride, P, C) / P
          D[i * n + j] = v
          D[j * n + i] = v
        }
      }
      done++
      if (I === J || done % 64 === 0) {
        opts.onProgress?.(done, total)
        await yieldToEventLoop()
      }
    }
  }
  return D
}

/** Bhattacharyya distance rows (see DistanceRows). */
export function bhattacharyyaRows(
  X: Float32Array,
  n: number,
  P: number,
  C: number,
  opts: { kernel?: 'auto' | 'wasm' | 'js' } = {},
): DistanceRows {
  checkMatrix(X, n, P * C, 'bhattacharyyaRows')
  const stride = P * C
  let kernel: BhattacharyyaKernel | undefined = useWasm(opts.kernel)
    ? bhattacharyyaKernel((S) => sqrtProbabilities(X, n, P, C, S), n, P, C, MIN_BHATTACHARYYA_COEFFICIENT)
    : undefined
  const S = kernel ? undefined : sqrtProbabilities(X, n, P, C)
  const tile = new Float64Array(8)
  return {
    n,
    rows(rows) {
      checkRows(rows, n)
      const out = new Float64Array(rows.length * n)
      rows.forEach((r, k) => {
        if (kernel) {
          for (let g = 0; g * 8 < n; g++) {
            kernel.tile(r, r + 1, g, tile)
            for (let lane = 0; lane < 8 && 8 * g + lane < n; lane++) {
              const j = 8 * g + lane
              out[k * n + j] = j === r ? 0 : tile[lane]! / P
            }
          }
        } else {
          for (let j = 0; j < n; j++) out[k * n + j] = j === r ? 0 : negLogBcSum(S!, r * stride, j * stride, P, C) / P
        }
      })
      return out
    },
    dispose() {
      kernel = undefined
    },
  }
}

// ---------------------------------------------------------------------------------------------

function checkMatrix(X: ArrayLike<number>, n: number, d: number, what: string): void {
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 0 || d < 0) {
    throw new Error(`${what}: n and d must be non-negative integers (got ${n}, ${d})`)
  }
  if (X.length !== n * d) throw new Error(`${what}: X has ${X.length} values, expected n·d = ${n * d}`)
}

function checkRows(rows: readonly number[], n: number): void {
  for (const r of rows) {
    if (!Number.isInteger(r) || r < 0 || r >= n) throw new Error(`row index ${r} is outside 0..${n - 1}`)
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
