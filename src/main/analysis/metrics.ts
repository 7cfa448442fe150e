/**
 * Derived metrics of an ensemble's paths. Points are indexed by (net, snapshot); by default the
 * rows are net-major (row = net·snapshots + snapshot), as in the run archive's τ array.
 */
import { checkSquare } from './stress'

export interface EnsembleLayout {
  nets: number
  snapshots: number
  /** Row of (net, snapshot); default net·snapshots + snapshot. */
  index?: (net: number, snapshot: number) => number
}

export interface EnsembleSpread {
  /** Per snapshot: mean distance over the N(N−1)/2 pairs of networks (NaN for N < 2). */
  meanPairwise: Float64Array
  /** Per snapshot s: mean over networks of the distance from snapshot s−1 to s (NaN at s = 0). */
  meanStep: Float64Array
  /** meanStep / meanPairwise per snapshot. */
  stepToSpread: Float64Array
}

function indexer(layout: EnsembleLayout): (net: number, snapshot: number) => number {
  const S = layout.snapshots
  return layout.index ?? ((net, s) => net * S + s)
}

function checkLayout(layout: EnsembleLayout, n: number, what: string): void {
  const { nets, snapshots } = layout
  if (!Number.isInteger(nets) || !Number.isInteger(snapshots) || nets < 1 || snapshots < 1) {
    throw new Error(`${what}: nets and snapshots must be positive integers (got ${nets}, ${snapshots})`)
  }
  const at = indexer(layout)
  for (let k = 0; k < nets; k++) {
    for (let s = 0; s < snapshots; s++) {
      const r = at(k, s)
      if (!Number.isInteger(r) || r < 0 || r >= n)
        throw new Error(`${what}: (net ${k}, snapshot ${s}) maps to row ${r}, outside 0..${n - 1}`)
    }
  }
}

/** Spread of the ensemble and speed of its members, per snapshot, from a distance matrix. */
export function ensembleSpread(D: Float64Array, n: number, layout: EnsembleLayout): EnsembleSpread {
  checkSquare(D, n, 'ensembleSpread')
  checkLayout(layout, n, 'ensembleSpread')
  const { nets: N, snapshots: S } = layout
  const at = indexer(layout)
  const meanPairwise = new Float64Array(S)
  const meanStep = new Float64Array(S)
  const stepToSpread = new Float64Array(S)
  for (let s = 0; s < S; s++) {
    let sum = 0
    for (let a = 0; a < N; a++) for (let b = a + 1; b < N; b++) sum += D[at(a, s) * n + at(b, s)]!
    meanPairwise[s] = N > 1 ? sum / ((N * (N - 1)) / 2) : NaN
    if (s === 0) {
      meanStep[s] = NaN
    } else {
      let step = 0
      for (let a = 0; a < N; a++) step += D[at(a, s - 1) * n + at(a, s)]!
      meanStep[s] = step / N
    }
    stepToSpread[s] = meanStep[s]! / meanPairwise[s]!
  }
  return { meanPairwise, meanStep, stepToSpread }
}

export interface DistanceToMean {
  /** Distance of every (net, snapshot) to the mean of the nets' final snapshots: [net·S + s]. */
  perPoint: Float64Array
  /** Per snapshot: mean over nets. */
  mean: Float64Array
}

/**
 * Euclidean distance of each (net, snapshot) point of X (rows of dimension d, e.g. τ) to the
 * ensemble's final mean m = (1/N) Σₖ x(k, final). Computed in float64.
 */
export function distanceToFinalMean(
  X: Float32Array,
  d: number,
  layout: EnsembleLayout,
  opts: { finalSnapshot?: number } = {},
): DistanceToMean {
  if (X.length % d !== 0) throw new Error(`distanceToFinalMean: X has ${X.length} values, not a multiple of d = ${d}`)
  const n = X.length / d
  checkLayout(layout, n, 'distanceToFinalMean')
  const { nets: N, snapshots: S } = layout
  const at = indexer(layout)
  const f = finalOf(layout, opts.finalSnapshot)
  const m = new Float64Array(d)
  for (let k = 0; k < N; k++) {
    const o = at(k, f) * d
    for (let t = 0; t < d; t++) m[t]! += X[o + t]!
  }
  for (let t = 0; t < d; t++) m[t]! /= N
  const perPoint = new Float64Array(N * S)
  for (let k = 0; k < N; k++) {
    for (let s = 0; s < S; s++) {
      const o = at(k, s) * d
      let sum = 0
      for (let t = 0; t < d; t++) sum += (X[o + t]! - m[t]!) ** 2
      perPoint[k * S + s] = Math.sqrt(sum)
    }
  }
  return { perPoint, mean: meanOverNets(perPoint, N, S) }
}

/**
 * The same from Euclidean distances alone: ‖x − m‖² = (1/N)Σₖ‖x − xₖ‖² − (1/2N²)Σₖₗ‖xₖ − xₗ‖²
 * with xₖ the final snapshots. Exact for Euclidean D (up to round-off, which matters only when
 * x is much closer to m than the final points are to each other); meaningless for non-Euclidean
 * distances such as Hamming.
 */
export function distanceToFinalMeanFromDistances(
  D: Float64Array,
  n: number,
  layout: EnsembleLayout,
  opts: { finalSnapshot?: number } = {},
): DistanceToMean {
  checkSquare(D, n, 'distanceToFinalMeanFromDistances')
  checkLayout(layout, n, 'distanceToFinalMeanFromDistances')
  const { nets: N, snapshots: S } = layout
  const at = indexer(layout)
  const f = finalOf(layout, opts.finalSnapshot)
  const finals = Array.from({ length: N }, (_, k) => at(k, f))
  let spread = 0
  for (const a of finals) for (const b of finals) spread += D[a * n + b]! ** 2
  spread /= 2 * N * N
  const perPoint = new Float64Array(N * S)
  for (let k = 0; k < N; k++) {
    for (let s = 0; s < S; s++) {
      const r = at(k, s)
      let sum = 0
      for (const a of finals) sum += D[r * n + a]! ** 2
      perPoint[k * S + s] = Math.sqrt(Math.max(0, sum / N - spread))
    }
  }
  return { perPoint, mean: meanOverNets(perPoint, N, S) }
}

function finalOf(layout: EnsembleLayout, finalSnapshot: number | undefined): number {
  const f = finalSnapshot ?? layout.snapshots - 1
  if (!Number.isInteger(f) || f < 0 || f >= layout.snapshots) {
    throw new Error(`final snapshot ${f} is outside 0..${layout.snapshots - 1}`)
  }
  return f
}

function meanOverNets(perPoint: Float64Array, N: number, S: number): Float64Array {
  const mean = new Float64Array(S)
  for (let k = 0; k < N; k++) for (let s = 0; s < S; s++) mean[s]! += perPoint[k * S + s]!
  for (let s = 0; s < S; s++) mean[s]! /= N
  return mean
}
