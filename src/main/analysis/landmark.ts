/**
 * Landmark MDS (de Silva & Tenenbaum, "Sparse multidimensional scaling using landmark points",
 * 2004): classical MDS on L landmarks, then every point placed by distance-based triangulation
 * from its distances to the landmarks. Needs only the n×L landmark columns of the distance
 * matrix, so it scales to n far beyond what a full n×n matrix allows.
 *
 * Landmarks are chosen by max-min (farthest-point) selection, deterministically: the first is
 * the point farthest from point 0, each next one the point farthest from all chosen so far.
 * For points that are exactly Euclidean in the plane (and landmarks spanning it) the result
 * equals classical MDS up to a rigid motion.
 */
import { lanczosEigen } from './eigen'
import { doubleCentredOperator } from './operators'
import { checkSquare, kruskalStress, partialStress } from './stress'
import { EMBEDDING_DIMS, type EmbeddingResult } from './types'

/** Distances from each listed point to all n points, rows.length × n row-major. */
export type DistanceRowsFn = (rows: number[]) => Float64Array

export interface LandmarkOptions {
  /** Number of landmarks (default min(n, 100); at least 3 are needed for a plane). */
  landmarks?: number
}

export function landmarkMds(n: number, distanceToRows: DistanceRowsFn, opts: LandmarkOptions = {}): EmbeddingResult {
  const L = Math.min(n, Math.max(1, Math.floor(opts.landmarks ?? 100)))
  if (n < 2)
    return { method: 'landmark', coords: new Float64Array(n * EMBEDDING_DIMS), stress: 0, landmarks: n ? [0] : [] }
  const { landmarks, rows } = maxminLandmarks(n, distanceToRows, L)
  const m = landmarks.length
  const R = new Float64Array(m * n)
  rows.forEach((r, a) => R.set(r, a * n))
  return landmarkFromColumns(R, landmarks, n)
}

/**
 * Max-min (farthest-point) selection of up to L of n points: the first is the point farthest
 * from point 0, each next one the point farthest from all chosen so far. Returns the chosen
 * points and their distance rows (each n values). Stops early when every point coincides with
 * a chosen one.
 */
export function maxminLandmarks(
  n: number,
  distanceToRows: DistanceRowsFn,
  L: number,
): { landmarks: number[]; rows: Float64Array[] } {
  const row = (r: number): Float64Array => {
    const R = distanceToRows([r])
    if (R.length !== n) throw new Error(`landmarkMds: a distance row has ${R.length} values, expected ${n}`)
    return R
  }
  const fromZero = row(0)
  let first = 0
  for (let j = 1; j < n; j++) if (fromZero[j]! > fromZero[first]!) first = j
  const landmarks = [first]
  const rows = [first === 0 ? fromZero : row(first)]
  const minDist = Float64Array.from(rows[0]!)
  while (landmarks.length < L) {
    let next = -1
    let best = 0
    for (let j = 0; j < n; j++) {
      if (minDist[j]! > best) {
        best = minDist[j]!
        next = j
      }
    }
    if (next < 0) break // every point coincides with a landmark
    const R = row(next)
    landmarks.push(next)
    rows.push(R)
    for (let j = 0; j < n; j++) if (R[j]! < minDist[j]!) minDist[j] = R[j]!
  }
  return { landmarks, rows }
}

/**
 * Landmark MDS from the landmarks' distance columns alone: `R` is m×n row-major (row a = the
 * distances of landmark `landmarks[a]` to all n points), however they were computed (from a full
 * matrix, or block by block from the archive, streamed.ts). Stress is over the pairs R holds.
 */
export function landmarkFromColumns(R: Float64Array, landmarks: readonly number[], n: number): EmbeddingResult {
  const m = landmarks.length
  if (R.length !== m * n) throw new Error(`landmarkMds: R has ${R.length} values, expected m·n = ${m * n}`)
  const coords = new Float64Array(n * EMBEDDING_DIMS)
  if (n < 2 || m === 0) return { method: 'landmark', coords, stress: 0, landmarks: [...landmarks] }

  // Classical MDS of the landmarks.
  const DL = new Float64Array(m * m)
  for (let a = 0; a < m; a++) {
    for (let b = 0; b < m; b++) DL[a * m + b] = 0.5 * (R[a * n + landmarks[b]!]! + R[b * n + landmarks[a]!]!)
    DL[a * m + a] = 0
  }
  const k = Math.min(EMBEDDING_DIMS, m)
  const eig = lanczosEigen(m, doubleCentredOperator(DL, m, true), k, { which: 'largest' })

  // Triangulation: xₐ = −½ L# (δₐ − δ̄), L# rows vₖ/√λₖ, δ squared distances to the landmarks,
  // δ̄ the mean of the landmarks' squared-distance columns.
  const meanSq = new Float64Array(m)
  for (let a = 0; a < m; a++) {
    let s = 0
    for (let b = 0; b < m; b++) s += DL[b * m + a]! ** 2
    meanSq[a] = s / m
  }
  eig.vectors.forEach((v, axis) => {
    const lambda = eig.values[axis]!
    if (!(lambda > 1e-12 * Math.abs(eig.values[0]!))) return // degenerate axis: leave at 0
    const w = new Float64Array(m)
    for (let a = 0; a < m; a++) w[a] = (-0.5 * v[a]!) / Math.sqrt(lambda)
    for (let i = 0; i < n; i++) {
      let s = 0
      for (let a = 0; a < m; a++) s += w[a]! * (R[a * n + i]! ** 2 - meanSq[a]!)
      coords[i * EMBEDDING_DIMS + axis] = s
    }
  })

  return {
    method: 'landmark',
    coords,
    stress: partialStress(R, landmarks, coords, n),
    iterations: eig.steps,
    eigenvalues: eig.values,
    landmarks: [...landmarks],
  }
}

/** Landmark MDS from a full distance matrix (stress over all pairs). */
export function landmarkMdsFromMatrix(D: Float64Array, n: number, opts: LandmarkOptions = {}): EmbeddingResult {
  checkSquare(D, n, 'landmarkMds')
  const result = landmarkMds(
    n,
    (rows) => {
      const out = new Float64Array(rows.length * n)
      rows.forEach((r, k) => out.set(D.subarray(r * n, (r + 1) * n), k * n))
      return out
    },
    opts,
  )
  return { ...result, stress: kruskalStress(D, result.coords, n) }
}
