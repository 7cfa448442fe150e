/**
 * Shepard diagram data: embedded against original distance for every pair i < j (or, above
 * SHEPARD_PAIRS_LIMIT pairs, their density in bins), with the isotonic regression of the
 * embedded on the original distance — the best any monotone picture of these distances could do.
 */
import type { ShepardData } from '../../shared/figures/data'
import { checkSquare } from './stress'
import { EMBEDDING_DIMS } from './types'

/** Up to this many pairs the diagram shows each; above, their density in bins. */
export const SHEPARD_PAIRS_LIMIT = 200_000
/** Bins per axis of the density, and knots of the fit curve. */
export const SHEPARD_BINS = 80
const FIT_KNOTS = 200

/** Bins of original distance for the fit of a binned diagram (fitBins). */
export const SHEPARD_FIT_BINS = 8192

/**
 * Up to `limit` pairs every pair is returned and the fit is exact: the pairs in order of
 * original distance (a bucket sort, ties in pair order), fitted by pool-adjacent-violators.
 * Above, the drawn data are the density in SHEPARD_BINS² bins and the fit is binned
 * (fitBins: SHEPARD_FIT_BINS bins of original distance, all pairs, no per-pair arrays); the
 * exact fit stays available as `fit: 'exact'` (it needs ~16 bytes per pair and a sort: at
 * fig1's 4.8 M pairs ~1 s, against ~0.05 s binned).
 */
export function shepardData(
  D: Float64Array,
  coords: Float64Array,
  n: number,
  opts: { limit?: number; dims?: number; fit?: 'exact' | 'binned' } = {},
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
  const binned = pairs > limit
  const exact = opts.fit === 'exact' || (!binned && opts.fit !== 'binned')
  // Pass 1: the ranges (for the bins and the sort's buckets).
  let xMax = 0
  let yMax = 0
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const x = D[i * n + j]!
      if (x > xMax) xMax = x
      const y = embedded(i, j)
      if (y > yMax) yMax = y
    }
  // Pass 2: count each density bin and each bucket of the fit (the sort's, or the binned fit's).
  const B = SHEPARD_BINS
  const counts = binned ? new Array<number>(B * B).fill(0) : undefined
  const bx = xMax > 0 ? B / xMax : 0
  const by = yMax > 0 ? B / yMax : 0
  const sorter = exact ? new PairSorter(pairs, xMax) : undefined
  const fb = exact ? undefined : new FitBins(xMax)
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const x = D[i * n + j]!
      if (sorter) sorter.count(x)
      if (counts || fb) {
        const y = embedded(i, j)
        if (counts) {
          const a = Math.min(B - 1, Math.floor(x * bx))
          const b = Math.min(B - 1, Math.floor(y * by))
          counts[b * B + a]!++
        }
        fb?.add(x, y)
      }
    }
  // Pass 3 (exact fit, or every pair returned): place every pair, in pair order.
  const points = binned ? undefined : new Array<number>(2 * pairs)
  if (sorter || points) {
    sorter?.startPlacing()
    let p = 0
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        const x = D[i * n + j]!
        const y = embedded(i, j)
        sorter?.place(x, y)
        if (points) {
          points[p++] = x
          points[p++] = y
        }
      }
  }
  let fit: number[]
  if (sorter) {
    const { xs, ys } = sorter.sorted()
    fit = fitKnots(xs, ys)
  } else fit = fb!.knots()
  return binned ? { pairs, bins: { nx: B, ny: B, xMax, yMax, counts: counts! }, fit } : { pairs, points, fit }
}

/**
 * The binned isotonic fit: the pairs' embedded distances summed in SHEPARD_FIT_BINS bins of
 * original distance, and the bins' means fitted by weighted pool-adjacent-violators. That is the
 * exact isotonic regression among fits constant on each bin, so it differs from the exact fit
 * only inside a bin (1/8192 of the range; the drawn density's bins are 100× wider). Knots are
 * at the bins' mean original distance. Read at these knots, the exact fit (between its own knots,
 * linearly) differs by at most 0.16 % of the fit's range on fig1's τ (4.8 M pairs), and by at
 * most 1.4 % (mean 0.05 %) on the test's 80,000 pairs (tests/main/analysis/shepard.test.ts).
 */
class FitBins {
  private readonly scale: number
  private readonly count = new Float64Array(SHEPARD_FIT_BINS)
  private readonly sumX = new Float64Array(SHEPARD_FIT_BINS)
  private readonly sumY = new Float64Array(SHEPARD_FIT_BINS)
  constructor(xMax: number) {
    this.scale = xMax > 0 ? SHEPARD_FIT_BINS / xMax : 0
  }
  add(x: number, y: number): void {
    const b = Math.min(SHEPARD_FIT_BINS - 1, Math.floor(x * this.scale))
    this.count[b]!++
    this.sumX[b]! += x
    this.sumY[b]! += y
  }
  knots(): number[] {
    // The non-empty bins, in order: mean x, mean y, weight.
    const K = SHEPARD_FIT_BINS
    const mx = new Float64Array(K)
    const my = new Float64Array(K)
    const w = new Float64Array(K)
    let m = 0
    for (let b = 0; b < K; b++) {
      const c = this.count[b]!
      if (c === 0) continue
      mx[m] = this.sumX[b]! / c
      my[m] = this.sumY[b]! / c
      w[m++] = c
    }
    if (m === 0) return []
    const total = w.subarray(0, m).reduce((a, c) => a + c, 0)
    const end = new Int32Array(m)
    weightedPav(my.subarray(0, m), w.slice(0, m), end)
    // A knot every total/FIT_KNOTS pairs (dense where the pairs are, as the exact fit's), and the last bin.
    const step = Math.max(1, total / FIT_KNOTS)
    const out: number[] = []
    let block = 0
    let seen = 0
    let next = 0
    for (let q = 0; q < m; q++) {
      while (end[block]! < q) block++
      if (seen >= next || q === m - 1) {
        out.push(mx[q]!, my[block]!)
        next = (Math.floor(seen / step) + 1) * step
      }
      seen += w[q]!
    }
    return out
  }
}

/** Weighted pool-adjacent-violators in place (as poolAdjacentViolators, with weights w, also
 * overwritten: block b's weight ends up in w[b]). */
function weightedPav(y: Float64Array, w: Float64Array, end: Int32Array): number {
  let blocks = 0
  for (let q = 0; q < y.length; q++) {
    let v = y[q]!
    let wt = w[q]!
    while (blocks > 0 && y[blocks - 1]! > v) {
      const pw = w[blocks - 1]!
      v = (y[blocks - 1]! * pw + v * wt) / (pw + wt)
      wt += pw
      blocks--
    }
    y[blocks] = v
    w[blocks] = wt
    end[blocks] = q
    blocks++
  }
  return blocks
}

/** Buckets per level of the sort: few enough that scattering into them stays in cache (a
 * bucket per 4 pairs at once was 3× slower on 4.8 M pairs, from cache misses). */
const FANOUT = 1024

/**
 * Sorts (x, y) pairs by x, stably, in O(m · levels): a most-significant-digit bucket sort over
 * [0, xMax], each bucket sorted again over its own range (sortRange) until small.
 */
class PairSorter {
  private readonly nb: number
  private readonly scale: number
  private readonly start: Int32Array
  private readonly xs: Float64Array
  private readonly ys: Float64Array
  constructor(
    private readonly m: number,
    xMax: number,
  ) {
    this.nb = Math.max(1, Math.min(FANOUT, Math.ceil(m / 4)))
    this.scale = xMax > 0 ? this.nb / xMax : 0
    this.start = new Int32Array(this.nb + 1)
    this.xs = new Float64Array(m)
    this.ys = new Float64Array(m)
  }
  private bucket(x: number): number {
    const b = Math.floor(x * this.scale)
    return b < this.nb ? (b > 0 ? b : 0) : this.nb - 1
  }
  count(x: number): void {
    this.start[this.bucket(x) + 1]!++
  }
  startPlacing(): void {
    for (let b = 0; b < this.nb; b++) this.start[b + 1]! += this.start[b]!
  }
  /** After startPlacing, start[b] is the next free slot of bucket b. */
  place(x: number, y: number): void {
    const q = this.start[this.bucket(x)]!++
    this.xs[q] = x
    this.ys[q] = y
  }
  sorted(): { xs: Float64Array; ys: Float64Array } {
    const { xs, ys, start, nb } = this
    let tx: Float64Array | undefined
    let ty: Float64Array | undefined
    // start[b] is now the end of bucket b (and the beginning of b + 1).
    let lo = 0
    for (let b = 0; b < nb; b++) {
      const hi = start[b]!
      if (hi - lo > 64) {
        tx ??= new Float64Array(this.m)
        ty ??= new Float64Array(this.m)
      }
      if (hi - lo > 1) sortRange(xs, ys, lo, hi, tx!, ty!)
      lo = hi
    }
    return { xs, ys }
  }
}

/**
 * Stable sort of xs[lo..hi) (with ys alongside) by xs: a crowded bucket (path data put most
 * pairs of initial points at nearly one distance) is bucket-sorted again over its own range,
 * through the scratch arrays tx, ty (at least hi − lo long).
 */
function sortRange(
  xs: Float64Array,
  ys: Float64Array,
  lo: number,
  hi: number,
  tx: Float64Array,
  ty: Float64Array,
): void {
  const len = hi - lo
  if (len <= 64) {
    for (let q = lo + 1; q < hi; q++) {
      const x = xs[q]!
      const y = ys[q]!
      let r = q
      while (r > lo && xs[r - 1]! > x) {
        xs[r] = xs[r - 1]!
        ys[r] = ys[r - 1]!
        r--
      }
      xs[r] = x
      ys[r] = y
    }
    return
  }
  let min = Infinity
  let max = -Infinity
  for (let q = lo; q < hi; q++) {
    const x = xs[q]!
    if (x < min) min = x
    if (x > max) max = x
  }
  if (!(max > min)) return // all tied: already in pair order
  const nb = Math.min(FANOUT, Math.ceil(len / 4))
  const scale = nb / (max - min)
  const key = (x: number) => Math.min(nb - 1, Math.floor((x - min) * scale))
  const start = new Int32Array(nb + 1)
  for (let q = lo; q < hi; q++) start[key(xs[q]!) + 1]!++
  for (let b = 0; b < nb; b++) start[b + 1]! += start[b]!
  for (let q = lo; q < hi; q++) {
    const r = start[key(xs[q]!)]!++
    tx[r] = xs[q]!
    ty[r] = ys[q]!
  }
  xs.set(tx.subarray(0, len), lo)
  ys.set(ty.subarray(0, len), lo)
  let a = 0
  for (let b = 0; b < nb; b++) {
    const e = start[b]!
    if (e - a > 1) sortRange(xs, ys, lo + a, lo + e, tx, ty)
    a = e
  }
}

/** The isotonic fit of ys on xs (sorted by xs) as (original, fitted) knots, interleaved, at most
 * about FIT_KNOTS of them. Overwrites ys. */
function fitKnots(xs: Float64Array, ys: Float64Array): number[] {
  const m = xs.length
  if (m === 0) return []
  const end = new Int32Array(m)
  poolAdjacentViolators(ys, end)
  const step = Math.max(1, Math.ceil(m / FIT_KNOTS))
  const out: number[] = []
  let b = 0
  const at = (q: number) => {
    while (end[b]! < q) b++
    out.push(xs[q]!, ys[b]!)
  }
  for (let q = 0; q < m; q += step) at(q)
  if ((m - 1) % step !== 0) at(m - 1)
  return out
}

/**
 * Least-squares non-decreasing fit to y (in the order given), by pool-adjacent-violators:
 * each violating neighbour block is merged into its mean.
 */
export function isotonicRegression(y: ArrayLike<number>): Float64Array {
  const m = y.length
  const mean = Float64Array.from(y)
  const end = new Int32Array(m)
  const blocks = poolAdjacentViolators(mean, end)
  const out = new Float64Array(m)
  let start = 0
  for (let b = 0; b < blocks; b++) {
    for (let q = start; q <= end[b]!; q++) out[q] = mean[b]!
    start = end[b]! + 1
  }
  return out
}

/**
 * Pool-adjacent-violators in place: on return, block b (b < the count returned) spans up to
 * index end[b] and its fitted value is y[b]. A block's weight is its length, so the block
 * stack needs no arrays beyond y (blocks ≤ index read) and end.
 */
function poolAdjacentViolators(y: Float64Array, end: Int32Array): number {
  const m = y.length
  let blocks = 0
  for (let q = 0; q < m; q++) {
    let v = y[q]!
    let w = 1
    // Merge while the previous block's mean exceeds this one's.
    while (blocks > 0 && y[blocks - 1]! > v) {
      const pw = end[blocks - 1]! - (blocks > 1 ? end[blocks - 2]! : -1)
      v = (y[blocks - 1]! * pw + v * w) / (pw + w)
      w += pw
      blocks--
    }
    y[blocks] = v
    end[blocks] = q
    blocks++
  }
  return blocks
}
