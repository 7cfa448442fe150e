/**
 * How faithful a 2-D picture is to the distances it was drawn from, beyond stress:
 * trustworthiness and continuity (Venna & Kaski 2001, as scikit-learn's
 * `sklearn.manifold.trustworthiness`) at several neighbourhood sizes k, and the Spearman rank
 * correlation between the original and the embedded distances of the pairs.
 *
 * Trustworthiness penalises points that are neighbours in the picture but not in the original
 * space (false neighbours), continuity the reverse (neighbours torn apart). Ties in distance are
 * broken by point index, as a stable sort would.
 */
import { Rng } from '../engine/rng'
import type { NeighbourhoodScores } from '../../shared/figures/data'
import { checkSquare } from './stress'
import { EMBEDDING_DIMS } from './types'

export const NEIGHBOURHOOD_KS = [5, 10, 20] as const

export type { NeighbourhoodScores }

/** Above this many pairs the rank correlation uses a seeded sample of this many (its standard
 * error is then about 0.002). */
export const RANK_PAIRS_LIMIT = 250_000

/**
 * Scores of an embedding `coords` (n×dims, row-major) against the n×n distances D.
 */
export function neighbourhoodScores(
  D: Float64Array,
  coords: Float64Array,
  n: number,
  opts: { ks?: readonly number[]; dims?: number; maxPairs?: number } = {},
): NeighbourhoodScores {
  checkSquare(D, n, 'neighbourhoodScores')
  const dims = opts.dims ?? EMBEDDING_DIMS
  if (coords.length !== n * dims) {
    throw new Error(`neighbourhoodScores: coords has ${coords.length} values, expected n·dims = ${n * dims}`)
  }
  const ks = [...(opts.ks ?? NEIGHBOURHOOD_KS)].sort((a, b) => a - b)
  const embeddedRow = (i: number, out: Float64Array) => {
    for (let l = 0; l < n; l++) {
      let s = 0
      for (let t = 0; t < dims; t++) {
        const u = coords[i * dims + t]! - coords[l * dims + t]!
        s += u * u
      }
      out[l] = s // squared: the same order as the distance, cheaper
    }
  }
  const originalRow = (i: number, out: Float64Array) => out.set(D.subarray(i * n, (i + 1) * n))
  const { trust, cont } = trustAndContinuity(originalRow, embeddedRow, n, ks)
  const rank = rankCorrelationOfPairs(
    (i, j) => D[i * n + j]!,
    (i, j) => {
      let s = 0
      for (let t = 0; t < dims; t++) {
        const u = coords[i * dims + t]! - coords[j * dims + t]!
        s += u * u
      }
      return Math.sqrt(s)
    },
    n,
    opts.maxPairs ?? RANK_PAIRS_LIMIT,
  )
  return { k: ks, trustworthiness: trust, continuity: cont, rankCorrelation: rank.rho, pairs: rank.pairs }
}

type RowFn = (i: number, out: Float64Array) => void

/**
 * Trustworthiness (ranks from `high`, neighbours from `low`) and continuity (the reverse) at
 * each k, from two row providers: row i of each space's distances (any monotone transform).
 */
export function trustAndContinuity(
  high: RowFn,
  low: RowFn,
  n: number,
  ks: readonly number[],
): { trust: number[]; cont: number[] } {
  const valid = ks.map((k) => Number.isInteger(k) && k >= 1 && k < n / 2)
  const kmax = Math.max(0, ...ks.filter((_, a) => valid[a]))
  const trustSum = new Float64Array(ks.length)
  const contSum = new Float64Array(ks.length)
  if (kmax > 0) {
    const hi = new Float64Array(n)
    const lo = new Float64Array(n)
    const nb = new Int32Array(kmax)
    const ranks = new Float64Array(kmax)
    for (let i = 0; i < n; i++) {
      high(i, hi)
      low(i, lo)
      // Trustworthiness: the picture's neighbours, ranked in the original space.
      nearest(lo, n, i, kmax, nb)
      ranksOf(hi, n, i, nb, kmax, ranks)
      ks.forEach((k, a) => {
        if (!valid[a]) return
        for (let m = 0; m < k; m++) if (ranks[m]! > k) trustSum[a]! += ranks[m]! - k
      })
      // Continuity: the original neighbours, ranked in the picture.
      nearest(hi, n, i, kmax, nb)
      ranksOf(lo, n, i, nb, kmax, ranks)
      ks.forEach((k, a) => {
        if (!valid[a]) return
        for (let m = 0; m < k; m++) if (ranks[m]! > k) contSum[a]! += ranks[m]! - k
      })
    }
  }
  const score = (sum: number, k: number, a: number) => (valid[a] ? 1 - (sum * 2) / (n * k * (2 * n - 3 * k - 1)) : NaN)
  return {
    trust: ks.map((k, a) => score(trustSum[a]!, k, a)),
    cont: ks.map((k, a) => score(contSum[a]!, k, a)),
  }
}

/** The k nearest of row i (excluding i), nearest first, into out[0..k); ties by index. */
export function nearest(row: Float64Array, n: number, i: number, k: number, out: Int32Array): void {
  let size = 0
  let worst = Infinity // row value of out[k − 1] once full
  let worstIdx = -1
  for (let l = 0; l < n; l++) {
    if (l === i) continue
    const v = row[l]!
    if (size === k && (v > worst || (v === worst && l > worstIdx))) continue
    let p = size < k ? size++ : k - 1
    while (p > 0) {
      const q = out[p - 1]!
      const w = row[q]!
      if (v < w || (v === w && l < q)) {
        out[p] = q
        p--
      } else break
    }
    out[p] = l
    if (size === k) {
      worstIdx = out[k - 1]!
      worst = row[worstIdx]!
    }
  }
}

/**
 * 1-based ranks in `row` (excluding i) of the points cand[0..m): one pass over the row, each
 * point placed among the sorted candidates by binary search (ties broken by index).
 */
function ranksOf(row: Float64Array, n: number, i: number, cand: Int32Array, m: number, out: Float64Array): void {
  const order = Array.from(cand.subarray(0, m)).sort((a, b) => row[a]! - row[b]! || a - b)
  const tv = Float64Array.from(order, (q) => row[q]!)
  const ti = Int32Array.from(order)
  const lastV = tv[m - 1]!
  const lastI = ti[m - 1]!
  const bucket = new Int32Array(m + 1)
  for (let l = 0; l < n; l++) {
    const v = row[l]!
    if (v > lastV || (v === lastV && l >= lastI) || l === i) continue
    // a = candidates whose key ≤ key(l); l counts for every candidate after them.
    let a = 0
    let b = m
    while (a < b) {
      const mid = (a + b) >> 1
      const w = tv[mid]!
      if (v < w || (v === w && l < ti[mid]!)) b = mid
      else a = mid + 1
    }
    bucket[a]!++
  }
  let below = 0
  const rank = new Float64Array(m)
  for (let p = 0; p < m; p++) {
    below += bucket[p]!
    rank[p] = below + 1
  }
  for (let p = 0; p < m; p++) out[p] = rank[order.indexOf(cand[p]!)]!
}

/** Spearman's ρ of two pair functions over all pairs i < j, or a seeded sample of maxPairs. */
export function rankCorrelationOfPairs(
  a: (i: number, j: number) => number,
  b: (i: number, j: number) => number,
  n: number,
  maxPairs = RANK_PAIRS_LIMIT,
): { rho: number; pairs: number } {
  const all = (n * (n - 1)) / 2
  const m = Math.min(all, maxPairs)
  const A = new Float64Array(m)
  const B = new Float64Array(m)
  if (all <= maxPairs) {
    let p = 0
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        A[p] = a(i, j)
        B[p++] = b(i, j)
      }
  } else {
    const rng = new Rng(0x5eed) // the same sample of pairs on every run
    for (let p = 0; p < m; p++) {
      const i = rng.int(n)
      let j = rng.int(n - 1)
      if (j >= i) j++
      A[p] = a(i, j)
      B[p] = b(i, j)
    }
  }
  return { rho: spearman(A, B), pairs: m }
}

/** Spearman's ρ: Pearson's correlation of the average ranks (ties share their mean rank). */
export function spearman(A: Float64Array, B: Float64Array): number {
  if (A.length !== B.length) throw new Error(`spearman: ${A.length} values against ${B.length}`)
  return pearson(averageRanks(A), averageRanks(B))
}

export function averageRanks(v: Float64Array): Float64Array {
  const m = v.length
  const sorted = Float64Array.from(v).sort()
  // The mean 1-based rank of each run of equal values, stored at the run's first position.
  const tie = new Float64Array(m)
  for (let a = 0; a < m;) {
    let b = a + 1
    while (b < m && sorted[b] === sorted[a]) b++
    tie[a] = (a + b + 1) / 2
    a = b
  }
  const out = new Float64Array(m)
  for (let p = 0; p < m; p++) {
    const x = v[p]!
    let a = 0
    let b = m
    while (a < b) {
      const mid = (a + b) >> 1
      if (sorted[mid]! < x) a = mid + 1
      else b = mid
    }
    out[p] = tie[a]!
  }
  return out
}

function pearson(x: Float64Array, y: Float64Array): number {
  const m = x.length
  if (m < 2) return NaN
  let mx = 0
  let my = 0
  for (let p = 0; p < m; p++) {
    mx += x[p]!
    my += y[p]!
  }
  mx /= m
  my /= m
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (let p = 0; p < m; p++) {
    const u = x[p]! - mx
    const w = y[p]! - my
    sxy += u * w
    sxx += u * u
    syy += w * w
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN
}

/** Point i's k nearest neighbours in the original space (row i of D), nearest first. */
export function trueNeighbours(D: Float64Array, n: number, i: number, k = 5): number[] {
  checkSquare(D, n, 'trueNeighbours')
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`trueNeighbours: point ${i} is not in 0..${n - 1}`)
  const kk = Math.min(k, n - 1)
  const out = new Int32Array(kk)
  nearest(D.subarray(i * n, (i + 1) * n), n, i, kk, out)
  return Array.from(out)
}
