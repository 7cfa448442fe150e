import { xorshift } from '../../../src/main/analysis/eigen'

/** Deterministic test data. */
export function rng(seed: number): { uniform: () => number; gauss: () => number } {
  const u = xorshift(seed)
  return {
    uniform: u,
    gauss: () => Math.sqrt(-2 * Math.log(u() + 1e-300)) * Math.cos(2 * Math.PI * u()),
  }
}

/** Euclidean distances between the n rows (dimension d) in float64, the naive way. */
export function naiveEuclidean(X: ArrayLike<number>, n: number, d: number): Float64Array {
  const D = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0
      for (let k = 0; k < d; k++) s += (X[i * d + k]! - X[j * d + k]!) ** 2
      D[i * n + j] = Math.sqrt(s)
    }
  }
  return D
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!))
  return m
}

/** A random planar configuration, n×2. */
export function randomPlane(n: number, seed: number): Float64Array {
  const r = rng(seed)
  return Float64Array.from({ length: 2 * n }, () => r.gauss() * 3)
}
