/**
 * Embedding at scale (issue 23), the same in every host: which method is the default for a number of
 * points, and what an O(n²) method will cost before it starts (so the CLI prints a warning and the
 * app shows one). The figures are estimates from measurements on the 2-core development machine
 * (`npm run bench -- scale`, docs/method.md "Embedding at scale").
 */

/** Above this many points landmark MDS and PCA are streamed from the archive (never n×n, never
 * all of τ), and the default method is landmark instead of SMACOF. */
export const STREAM_ABOVE = 12_000

/** Above this many points an O(n²) method starts only after a warning of its time and memory. */
export const QUADRATIC_WARN_ABOVE = 8_000

/** Methods that need every pair's distance (n×n doubles). */
export const QUADRATIC_METHODS: readonly string[] = ['smacof', 'classical', 'inpca', 'tsne', 'umap', 'phate']

/** The default method for an embedding of `points` points: SMACOF, or landmark above STREAM_ABOVE. */
export function defaultMethod(points: number): 'smacof' | 'landmark' {
  return points > STREAM_ABOVE ? 'landmark' : 'smacof'
}

/** The line that says the default switched (CLI, app). */
export function defaultSwitchNote(points: number): string {
  return `${points.toLocaleString('en-US')} points is above ${STREAM_ABOVE.toLocaleString('en-US')}: the default method is landmark MDS (streamed, bounded memory); choose SMACOF explicitly to fit every pair`
}

export interface EmbeddingCost {
  seconds: number
  bytes: number
}

// Measured on the development machine (2 cores, libtensorflow GEMM, WebAssembly SMACOF passes):
// distances ≈ 2·n²·d flops at GEMM_FLOPS; one SMACOF pass over the pairs PASS_PAIRS per second,
// 300 passes; diagnostics (neighbourhoods, Shepard, per-point stress) DIAG_PAIRS pairs per second;
// memory: the n×n doubles MATRIX_COPIES times (the matrix, its shared copy for the threads, the
// diagnostics' rows) plus τ and a base process.
const GEMM_FLOPS = 60e9
const PASS_PAIRS = 2.5e9
const DIAG_PAIRS = 2.5e7
const MATRIX_COPIES = 2.5
const BASE_BYTES = 0.35 * 1024 ** 3

/** Estimated time and peak memory of an embedding of n points of dimension d by `method`. */
export function embeddingCost(method: string, n: number, d: number, iterations = 300): EmbeddingCost {
  const tauBytes = n * d * 4
  if ((method === 'landmark' || method === 'pca') && n > STREAM_ABOVE) {
    // One pass (landmark: 100 columns) or four (PCA: 12 directions and back) over τ in blocks.
    const passes = method === 'pca' ? 4 : 1
    const width = method === 'pca' ? 24 : 100
    return {
      seconds: (passes * 2 * n * d * width) / GEMM_FLOPS + (passes * tauBytes) / 1.5e9,
      bytes: BASE_BYTES + 2 * 64 * 1024 ** 2 + n * 100 * 8 + 2000 * d * 4 + 2000 ** 2 * 8,
    }
  }
  const pairs = (n * n) / 2
  const passes = method === 'pca' || method === 'classical' || method === 'landmark' ? 1 : iterations
  return {
    seconds: (2 * pairs * 2 * d) / GEMM_FLOPS + (passes * 2 * pairs) / PASS_PAIRS + (2 * pairs) / DIAG_PAIRS,
    bytes: BASE_BYTES + tauBytes + MATRIX_COPIES * n * n * 8,
  }
}

function gb(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`
}

function duration(s: number): string {
  return s < 90
    ? `${Math.max(1, Math.round(s))} s`
    : s < 5400
      ? `${Math.round(s / 60)} min`
      : `${(s / 3600).toFixed(1)} h`
}

/**
 * A warning before an O(n²) method starts on a large n (undefined when there is nothing to warn
 * about): the estimated time and memory, and the bounded-memory alternatives.
 */
export function scaleWarning(method: string, n: number, d: number, iterations?: number): string | undefined {
  if (!QUADRATIC_METHODS.includes(method) || n <= QUADRATIC_WARN_ABOVE) return undefined
  const c = embeddingCost(method, n, d, iterations)
  return `${method} on ${n.toLocaleString('en-US')} points needs all ${Math.round((n * (n - 1)) / 2 / 1e6).toLocaleString('en-US')} million pairwise distances: about ${gb(c.bytes)} of memory and ${duration(c.seconds)} on a 2-core machine (estimated). Landmark MDS or PCA embed them in bounded memory.`
}
