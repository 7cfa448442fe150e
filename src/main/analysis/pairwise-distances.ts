/**
 * What the pairwise-distance functions (tau-, kappa- and bhattacharyya-distances.ts) share:
 * progress by blocks, distance rows on demand, and the checks of their arguments.
 */

export interface DistanceOptions {
  /** Called after each block with (blocks done, blocks in total). */
  onProgress?: (done: number, total: number) => void
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

/** Throws unless X holds n rows of d values. */
export function checkMatrix(X: ArrayLike<number>, n: number, d: number, what: string): void {
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 0 || d < 0) {
    throw new Error(`${what}: n and d must be non-negative integers (got ${n}, ${d})`)
  }
  if (X.length !== n * d) throw new Error(`${what}: X has ${X.length} values, expected n·d = ${n * d}`)
}

/** Throws unless every row index is in 0..n−1. */
export function checkRows(rows: readonly number[], n: number): void {
  for (const r of rows) {
    if (!Number.isInteger(r) || r < 0 || r >= n) throw new Error(`row index ${r} is outside 0..${n - 1}`)
  }
}

/** Lets other work (progress events, cancellation) run between blocks. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
