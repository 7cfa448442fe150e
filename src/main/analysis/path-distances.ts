/**
 * Distances between whole paths (one path = one network's snapshots in order), not between
 * points: do two networks take the same route, perhaps at different speeds?
 *
 * - Discrete Fréchet distance (Eiter & Mannila 1994): the shortest leash that lets two walkers
 *   traverse the paths forwards, each at its own pace.
 * - Progress-aligned distance: both paths reparameterised by a progress variable s ∈ [0, 1]
 *   (cumulative path length, or the fall of the test error), then the mean distance between
 *   the points at equal s. Points between snapshots are interpolated linearly; their distances
 *   come exactly from the point distances (squared Euclidean distances of affine combinations
 *   are affine in the squared distances), so no coordinates are needed.
 *
 * Both work from the matrix of squared distances between all points (`Q`): for τ, Q = D² of
 * the Euclidean distances; for κ, Q = the disagreement fraction itself (the squared Euclidean
 * distance between one-hot class vectors, up to the factor 2/P), so an interpolated κ point
 * is a mixture of predictions and its distance an expected disagreement.
 */

/** A path: its points' indices into Q (snapshot order). */
export interface PathPoints {
  points: number[]
  /** Test error at each point ('error' progress needs it). */
  error?: (number | undefined)[]
}

export type ProgressKind = 'length' | 'error'
/** How a squared distance is reported: τ as Euclidean distance (√Q), κ as disagreement (Q). */
export type DistanceScale = 'euclidean' | 'disagreement'

export interface PathDistanceOptions {
  progress?: ProgressKind
  /** Points on the progress grid (default 64). */
  grid?: number
}

/** Discrete Fréchet distance between paths of m and n points, `d(i, j)` the point distance. */
export function discreteFrechet(m: number, n: number, d: (i: number, j: number) => number): number {
  if (m === 0 || n === 0) throw new Error('discreteFrechet: a path needs at least one point')
  // c[j] holds the coupling distance of (i, j); one row at a time.
  let prev = new Float64Array(n)
  let cur = new Float64Array(n)
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const x = d(i, j)
      let best: number
      if (i === 0 && j === 0) best = x
      else if (i === 0) best = Math.max(cur[j - 1], x)
      else if (j === 0) best = Math.max(prev[0], x)
      else best = Math.max(Math.min(prev[j], prev[j - 1], cur[j - 1]), x)
      cur[j] = best
    }
    ;[prev, cur] = [cur, prev]
  }
  return prev[n - 1]
}

/**
 * Progress along a path at each of its points, non-decreasing from 0 to 1: by cumulative path
 * length (`steps[i]` = distance from point i to i+1), or by the fall of the test error (its
 * running minimum, so a rise does not move progress backwards). Throws when the path does not
 * progress (no length, or no fall of the error).
 */
export function progressOf(
  kind: ProgressKind,
  steps: ArrayLike<number>,
  error?: ArrayLike<number | undefined>,
): Float64Array {
  const m = steps.length + 1
  const p = new Float64Array(m)
  if (kind === 'length') {
    for (let i = 1; i < m; i++) p[i] = p[i - 1] + steps[i - 1]
  } else {
    if (!error || error.length !== m || Array.from(error).some((e) => e === undefined || !Number.isFinite(e)))
      throw new Error('progress by test error needs the test error at every snapshot of the path')
    let low = error[0] as number
    for (let i = 1; i < m; i++) {
      low = Math.min(low, error[i] as number)
      p[i] = (error[0] as number) - low
    }
  }
  const total = p[m - 1]
  if (!(total > 0))
    throw new Error(
      kind === 'length' ? 'a path that does not move has no progress' : 'the test error never falls along this path',
    )
  for (let i = 0; i < m; i++) p[i] /= total
  return p
}

/** Where progress s lies: between points i and i+1, at fraction a (plateaus: their first point). */
function locate(p: Float64Array, s: number): [number, number] {
  const m = p.length
  if (s <= 0 || m === 1) return [0, 0]
  if (s >= 1) return [m - 1, 0]
  let lo = 0
  let hi = m - 1
  // The first index with p ≥ s.
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (p[mid] >= s) hi = mid
    else lo = mid + 1
  }
  if (lo === 0) return [0, 0]
  const i = lo - 1
  const span = p[lo] - p[i]
  return span > 0 ? [i, (s - p[i]) / span] : [lo, 0]
}

/**
 * Squared distance between x = (1−a)·P[i] + a·P[i+1] and y = (1−b)·R[j] + b·R[j+1], from the
 * squared distances alone: ‖x − y‖² = Σλμ‖p − r‖² − ½Σλλ'‖p − p'‖² − ½Σμμ'‖r − r'‖².
 */
function mixedSquared(
  q: (u: number, v: number) => number,
  P: number[],
  [i, a]: [number, number],
  R: number[],
  [j, b]: [number, number],
): number {
  const xs = a > 0 ? [P[i], P[i + 1]] : [P[i]]
  const xw = a > 0 ? [1 - a, a] : [1]
  const ys = b > 0 ? [R[j], R[j + 1]] : [R[j]]
  const yw = b > 0 ? [1 - b, b] : [1]
  let v = 0
  for (let u = 0; u < xs.length; u++) for (let w = 0; w < ys.length; w++) v += xw[u] * yw[w] * q(xs[u], ys[w])
  if (xs.length === 2) v -= xw[0] * xw[1] * q(xs[0], xs[1])
  if (ys.length === 2) v -= yw[0] * yw[1] * q(ys[0], ys[1])
  return Math.max(0, v)
}

export interface PathDistanceMatrices {
  /** Paths × paths, row-major, zero diagonal. */
  frechet: Float64Array
  aligned: Float64Array
  /** Paths whose progress could not be measured (aligned distances NaN), with the reason. */
  unaligned: { path: number; reason: string }[]
}

/**
 * Fréchet and progress-aligned distances between every pair of paths, from the n×n squared
 * point distances Q. `onProgress(done, total)` after each row of pairs.
 */
export function pathDistanceMatrices(
  Q: Float64Array,
  n: number,
  paths: PathPoints[],
  scale: DistanceScale,
  opts: PathDistanceOptions = {},
  onProgress?: (done: number, total: number) => void,
): PathDistanceMatrices {
  if (Q.length !== n * n) throw new Error(`pathDistanceMatrices: Q has ${Q.length} entries, not ${n}×${n}`)
  const kind = opts.progress ?? 'length'
  const G = Math.max(2, Math.floor(opts.grid ?? 64))
  const q = (u: number, v: number) => Q[u * n + v]
  const dist = (x: number) => (scale === 'euclidean' ? Math.sqrt(x) : x)
  const P = paths.length
  const unaligned: PathDistanceMatrices['unaligned'] = []
  // Each path's grid positions once.
  const grids = paths.map((path, k) => {
    const pts = path.points
    if (pts.length === 0) throw new Error(`path ${k} has no points`)
    const steps = pts.slice(1).map((u, i) => dist(q(pts[i], u)))
    try {
      const p = progressOf(kind, steps, path.error)
      return Array.from({ length: G }, (_, g) => locate(p, g / (G - 1)))
    } catch (e) {
      unaligned.push({ path: k, reason: (e as Error).message })
      return null
    }
  })
  const frechet = new Float64Array(P * P)
  const aligned = new Float64Array(P * P)
  for (let a = 0; a < P; a++) {
    const A = paths[a].points
    for (let b = a + 1; b < P; b++) {
      const B = paths[b].points
      const f = discreteFrechet(A.length, B.length, (i, j) => dist(q(A[i], B[j])))
      frechet[a * P + b] = frechet[b * P + a] = f
      const ga = grids[a]
      const gb = grids[b]
      let s = NaN
      if (ga && gb) {
        s = 0
        for (let g = 0; g < G; g++) s += dist(mixedSquared(q, A, ga[g], B, gb[g]))
        s /= G
      }
      aligned[a * P + b] = aligned[b * P + a] = s
    }
    onProgress?.(a + 1, P)
  }
  return { frechet, aligned, unaligned }
}
