/**
 * Bhattacharyya distances between points' per-image output distributions (what InPCA
 * embeds), as a full symmetric matrix or rows on demand; the WebAssembly SIMD kernel where
 * it is available.
 */
import { bhattacharyyaKernel, wasmSimdAvailable, type BhattacharyyaKernel } from './wasm/kernels'
import { checkMatrix, checkRows, yieldToEventLoop, type DistanceOptions, type DistanceRows } from './pairwise-distances'

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
