/**
 * Shepard diagram data: embedded against original distance for every pair i < j (or, above
 * SHEPARD_PAIRS_LIMIT pairs, their density in bins), with the isotonic regression of the
 * embedded on the original distance — the best any monotone picture of these distances could do.
 */
import { Rng } from '../engine/rng'
import type { ShepardData } from '../../shared/figures/data'
import { checkSquare } from './stress'
import { EMBEDDING_DIMS } from './types'

/** Up to this many pairs the diagram shows each; above, their density in bins. */
export const SHEPARD_PAIRS_LIMIT = 200_000
/** Bins per axis of the density, and knots of the fit curve. */
export const SHEPARD_BINS = 80
const FIT_KNOTS = 200
/** The isotonic fit of a binned diagram is computed on a seeded sample of this many pairs. */
const FIT_SAMPLE = 250_000

export function shepardData(
  D: Float64Array,
  coords: Float64Array,
  n: number,
  opts: { limit?: number; dims?: number } = {},
): ShepardData {
  checkSquare(D, n, 'shepardData')
  const dims = opts.dims ?? EMBEDDING_DIMS
  if (coords.length !== n * dims) {
    throw new Error(`shepardData: coords has ${coords.length} values, expected n·dims = ${n * dims}`)
  }
  const limit = opts.limit ?? SHEPARD_PAIRS_LIMIT
  const embedded = (i: number, j: number) => {
    let s = 0
    for (let t = 0; t < dims; t++) {
      const u = coords[i * dims + t]! - coords[j * dims + t]!
      s += u * u
    }
    return Math.sqrt(s)
  }
  const pairs = (n * (n - 1)) / 2
  if (pairs <= limit) {
    const points = new Array<number>(2 * pairs)
    let p = 0
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        points[p++] = D[i * n + j]!
        points[p++] = embedded(i, j)
      }
    const x = Float64Array.from({ length: pairs }, (_, q) => points[2 * q]!)
    const y = Float64Array.from({ length: pairs }, (_, q) => points[2 * q + 1]!)
    return { pairs, points, fit: fitKnots(x, y) }
  }
  // Density: one pass for the ranges, one to count.
  let xMax = 0
  let yMax = 0
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      xMax = Math.max(xMax, D[i * n + j]!)
      yMax = Math.max(yMax, embedded(i, j))
    }
  const B = SHEPARD_BINS
  const counts = new Array<number>(B * B).fill(0)
  const bx = xMax > 0 ? B / xMax : 0
  const by = yMax > 0 ? B / yMax : 0
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const a = Math.min(B - 1, Math.floor(D[i * n + j]! * bx))
      const b = Math.min(B - 1, Math.floor(embedded(i, j) * by))
      counts[b * B + a]!++
    }
  const rng = new Rng(0x5eed)
  const x = new Float64Array(FIT_SAMPLE)
  const y = new Float64Array(FIT_SAMPLE)
  for (let p = 0; p < FIT_SAMPLE; p++) {
    const i = rng.int(n)
    let j = rng.int(n - 1)
    if (j >= i) j++
    x[p] = D[i * n + j]!
    y[p] = embedded(i, j)
  }
  return { pairs, bins: { nx: B, ny: B, xMax, yMax, counts }, fit: fitKnots(x, y) }
}

/** The isotonic fit as (original, fitted) knots, interleaved, at most FIT_KNOTS of them. */
function fitKnots(x: Float64Array, y: Float64Array): number[] {
  const order = Array.from({ length: x.length }, (_, q) => q).sort((a, b) => x[a]! - x[b]! || a - b)
  const xs = Float64Array.from(order, (q) => x[q]!)
  const fitted = isotonicRegression(Float64Array.from(order, (q) => y[q]!))
  const m = xs.length
  if (m === 0) return []
  const step = Math.max(1, Math.ceil(m / FIT_KNOTS))
  const out: number[] = []
  for (let q = 0; q < m; q += step) out.push(xs[q]!, fitted[q]!)
  if ((m - 1) % step !== 0) out.push(xs[m - 1]!, fitted[m - 1]!)
  return out
}

/**
 * Least-squares non-decreasing fit to y (in the order given), by pool-adjacent-violators:
 * each violating neighbour block is merged into its mean.
 */
export function isotonicRegression(y: ArrayLike<number>): Float64Array {
  const m = y.length
  const mean = new Float64Array(m)
  const weight = new Float64Array(m)
  const end = new Int32Array(m) // last index of each block
  let blocks = 0
  for (let q = 0; q < m; q++) {
    mean[blocks] = y[q]!
    weight[blocks] = 1
    end[blocks] = q
    blocks++
    while (blocks > 1 && mean[blocks - 2]! > mean[blocks - 1]!) {
      const w = weight[blocks - 2]! + weight[blocks - 1]!
      mean[blocks - 2] = (mean[blocks - 2]! * weight[blocks - 2]! + mean[blocks - 1]! * weight[blocks - 1]!) / w
      weight[blocks - 2] = w
      end[blocks - 2] = end[blocks - 1]!
      blocks--
    }
  }
  const out = new Float64Array(m)
  let start = 0
  for (let b = 0; b < blocks; b++) {
    for (let q = start; q <= end[b]!; q++) out[q] = mean[b]!
    start = end[b]! + 1
  }
  return out
}
