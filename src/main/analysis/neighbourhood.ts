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
    const nbLo = new Int32Array(kmax)
    const nbHi = new Int32Array(kmax)
    const ranks = new Float64Array(kmax)
    const ranker = new Ranker(n, kmax)
    const add = (sums: Float64Array) =>
      ks.forEach((k, a) => {
        if (!valid[a]) return
        for (let m = 0; m < k; m++) if (ranks[m]! > k) sums[a]! += ranks[m]! - k
      })
    for (let i = 0; i < n; i++) {
      high(i, hi)
      low(i, lo)
      nearest(lo, n, i, kmax, nbLo)
      nearest(hi, n, i, kmax, nbHi)
      // Trustworthiness: the picture's neighbours, ranked in the original space.
      ranker.ranks(hi, i, nbLo, nbHi, ranks)
      add(trustSum)
      // Continuity: the original neighbours, ranked in the picture.
      ranker.ranks(lo, i, nbHi, nbLo, ranks)
      add(contSum)
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
 * 1-based ranks in a row (excluding the row's own point, ties broken by index) of k candidates,
 * given the row's own k nearest (`top`, nearest first): a candidate among them has its place
 * there; only the others (rank > k) are counted, in one pass over the row that skips every
 * point beyond the farthest of them. Buffers are reused from row to row.
 */
class Ranker {
  private readonly pos: Int32Array
  private readonly tv: Float64Array
  private readonly ti: Int32Array
  private readonly slot: Int32Array
  private readonly bucket: Int32Array
  constructor(
    private readonly n: number,
    k: number,
  ) {
    this.pos = new Int32Array(n).fill(-1)
    this.tv = new Float64Array(k)
    this.ti = new Int32Array(k)
    this.slot = new Int32Array(k)
    this.bucket = new Int32Array(k + 1)
  }

  ranks(row: Float64Array, i: number, cand: Int32Array, top: Int32Array, out: Float64Array): void {
    const { pos, tv, ti, slot, bucket, n } = this
    const k = cand.length
    for (let p = 0; p < k; p++) pos[top[p]!] = p
    // The candidates outside the top, sorted by (value, index).
    let r = 0
    for (let m = 0; m < k; m++) {
      const c = cand[m]!
      const p = pos[c]!
      if (p >= 0) {
        out[m] = p + 1
        continue
      }
      const v = row[c]!
      let q = r++
      while (q > 0 && (tv[q - 1]! > v || (tv[q - 1]! === v && ti[q - 1]! > c))) {
        tv[q] = tv[q - 1]!
        ti[q] = ti[q - 1]!
        slot[q] = slot[q - 1]!
        q--
      }
      tv[q] = v
      ti[q] = c
      slot[q] = m
    }
    for (let p = 0; p < k; p++) pos[top[p]!] = -1
    if (r === 0) return
    // bucket[a]: points whose key lies between outlier a − 1 and outlier a.
    bucket.fill(0, 0, r + 1)
    const lastV = tv[r - 1]!
    const lastI = ti[r - 1]!
    for (let l = 0; l < n; l++) {
      const v = row[l]!
      if (v > lastV || (v === lastV && l >= lastI) || l === i) continue
      let a = 0
      while (a < r && (v > tv[a]! || (v === tv[a]! && l >= ti[a]!))) a++
      bucket[a]!++
    }
    let below = 0
    for (let a = 0; a < r; a++) {
      below += bucket[a]!
      out[slot[a]!] = below + 1
    }
  }
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
  const order = argsort(v)
  // Each run of equal values shares its mean 1-based rank.
  const out = new Float64Array(m)
  for (let a = 0; a < m;) {
    let b = a + 1
    while (b < m && v[order[b]!] === v[order[a]!]) b++
    const r = (a + b + 1) / 2
    for (let q = a; q < b; q++) out[order[q]!] = r
    a = b
  }
  return out
}

/**
 * The permutation that sorts v ascending (stable): an LSD radix sort on the 64-bit
 * order-preserving image of each value (sign bit flipped, negatives' bits inverted), 16 bits a
 * pass, passes whose digit is the same everywhere skipped. A comparator sort of 250,000 values
 * (the rank correlation's sample) took ~0.1 s; this takes ~0.01 s.
 */
export function argsort(v: Float64Array): Int32Array {
  const m = v.length
  if (m < 1024) return Int32Array.from({ length: m }, (_, q) => q).sort((a, b) => v[a]! - v[b]! || a - b)
  const u = new Uint32Array(Float64Array.from(v).buffer) // little-endian: low word, high word
  for (let p = 0; p < m; p++) {
    if (v[p] === 0) u[2 * p + 1] = 0 // −0 is +0 (a tie, kept in index order)
    const hi = u[2 * p + 1]!
    if (hi & 0x80000000) {
      u[2 * p] = ~u[2 * p]!
      u[2 * p + 1] = ~hi
    } else u[2 * p + 1] = hi ^ 0x80000000
  }
  let order = Int32Array.from({ length: m }, (_, q) => q)
  let next = new Int32Array(m)
  const count = new Int32Array(65537)
  for (let pass = 0; pass < 4; pass++) {
    const word = pass >> 1
    const shift = (pass & 1) * 16
    count.fill(0)
    for (let p = 0; p < m; p++) count[((u[2 * p + word]! >>> shift) & 0xffff) + 1]!++
    if (count[((u[word]! >>> shift) & 0xffff) + 1] === m) continue // one digit everywhere
    for (let d = 0; d < 65536; d++) count[d + 1]! += count[d]!
    for (let q = 0; q < m; q++) {
      const p = order[q]!
      next[count[(u[2 * p + word]! >>> shift) & 0xffff]!++] = p
    }
    ;[order, next] = [next, order]
  }
  return order
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
