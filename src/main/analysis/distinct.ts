/**
 * Coincident points (distance exactly 0: networks that agree on every probe class in κ, or the
 * same start in τ) embedded once. Neighbourhood methods need this: a point whose k nearest
 * neighbours are all its own copies forms a clique cut off from the rest, which t-SNE and UMAP
 * then place anywhere (and umap-js's smoothing costs O(n·k) per such point). On fig1-like κ
 * 3,100 points are often only a few hundred distinct ones.
 */
export interface Distinct {
  /** Number of distinct points. */
  m: number
  /** rep[i]: the distinct point (0..m) that point i is a copy of. */
  of: Int32Array
  /** The m×m distances between the distinct points. */
  D: Float64Array
}

export function distinctPoints(D: Float64Array, n: number): Distinct {
  const of = new Int32Array(n).fill(-1)
  const first: number[] = []
  for (let i = 0; i < n; i++) {
    if (of[i] !== -1) continue
    of[i] = first.length
    for (let j = i + 1; j < n; j++) if (of[j] === -1 && D[i * n + j] === 0) of[j] = first.length
    first.push(i)
  }
  const m = first.length
  if (m === n) return { m, of, D }
  const sub = new Float64Array(m * m)
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) sub[a * m + b] = D[first[a]! * n + first[b]!]!
  return { m, of, D: sub }
}

/** The embedding of the distinct points (m×2) spread back to all n points. */
export function spread(coords: Float64Array, of: Int32Array): Float64Array {
  const out = new Float64Array(of.length * 2)
  for (let i = 0; i < of.length; i++) {
    out[2 * i] = coords[2 * of[i]!]!
    out[2 * i + 1] = coords[2 * of[i]! + 1]!
  }
  return out
}
