/**
 * PCA of the points themselves: the top-2 principal components of the column-centred rows of X,
 * by Lanczos on the smaller of the two Gram operators (Xc·Xcᵀ, n×n, or Xcᵀ·Xc, d×d), applied
 * implicitly from X (Xc is never formed). Scores = projections on the principal axes; for
 * Euclidean distances of the same points they equal classical MDS up to the sign of each axis.
 */
import { lanczosEigen, type SymmetricOperator } from './eigen'
import { kruskalStress } from './stress'
import { EMBEDDING_DIMS, type EmbeddingResult } from './types'

export interface PcaOptions {
  /** Euclidean distances of the same points, to report stress (else stress is NaN). */
  D?: Float64Array
}

export function pca(X: Float32Array, n: number, d: number, opts: PcaOptions = {}): EmbeddingResult {
  if (X.length !== n * d) throw new Error(`pca: X has ${X.length} values, expected n·d = ${n * d}`)
  const coords = new Float64Array(n * EMBEDDING_DIMS)
  const mean = new Float64Array(d)
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k]! += X[i * d + k]!
  for (let k = 0; k < d; k++) mean[k]! /= n || 1
  const stressOf = (c: Float64Array): number => (opts.D ? kruskalStress(opts.D, c, n) : NaN)
  if (n < 2 || d < 1) return { method: 'pca', coords, stress: stressOf(coords), iterations: 0, eigenvalues: [] }

  // Xc·u (n-vector) and Xcᵀ·v (d-vector) without forming Xc.
  const mulXc = (u: Float64Array, out: Float64Array): void => {
    let mu = 0
    for (let k = 0; k < d; k++) mu += mean[k]! * u[k]!
    for (let i = 0; i < n; i++) {
      const o = i * d
      let s = 0
      for (let k = 0; k < d; k++) s += X[o + k]! * u[k]!
      out[i] = s - mu
    }
  }
  const mulXcT = (v: Float64Array, out: Float64Array): void => {
    out.fill(0)
    let sv = 0
    for (let i = 0; i < n; i++) {
      const o = i * d
      const vi = v[i]!
      sv += vi
      for (let k = 0; k < d; k++) out[k]! += X[o + k]! * vi
    }
    for (let k = 0; k < d; k++) out[k]! -= mean[k]! * sv
  }

  let total = 0
  for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) total += (X[i * d + a]! - mean[a]!) ** 2
  const explained = (values: number[]) => (total > 0 ? values.reduce((a, b) => a + Math.max(0, b), 0) / total : 0)
  const k = Math.min(EMBEDDING_DIMS, n, d)
  if (n <= d) {
    const tmp = new Float64Array(d)
    const op: SymmetricOperator = (x, y) => {
      mulXcT(x, tmp)
      mulXc(tmp, y)
    }
    const eig = lanczosEigen(n, op, k, { which: 'largest' })
    eig.vectors.forEach((v, a) => {
      const s = Math.sqrt(Math.max(0, eig.values[a]!))
      for (let i = 0; i < n; i++) coords[i * EMBEDDING_DIMS + a] = v[i]! * s
    })
    return {
      method: 'pca',
      coords,
      stress: stressOf(coords),
      iterations: eig.steps,
      eigenvalues: eig.values,
      explainedVariance: explained(eig.values),
    }
  }
  const tmp = new Float64Array(n)
  const op: SymmetricOperator = (x, y) => {
    mulXc(x, tmp)
    mulXcT(tmp, y)
  }
  const eig = lanczosEigen(d, op, k, { which: 'largest' })
  const scores = new Float64Array(n)
  eig.vectors.forEach((u, a) => {
    mulXc(u, scores)
    for (let i = 0; i < n; i++) coords[i * EMBEDDING_DIMS + a] = scores[i]!
  })
  return {
    method: 'pca',
    coords,
    stress: stressOf(coords),
    iterations: eig.steps,
    eigenvalues: eig.values,
    explainedVariance: explained(eig.values),
  }
}
