/**
 * Classical (Torgerson) MDS: the top eigenvectors of B = −½ J D² J, scaled by √λ.
 * Eigenpairs by Lanczos on the implicit operator (no n×n eigendecomposition, no copy of D).
 */
import { lanczosEigen } from './eigen'
import { doubleCentredOperator } from './operators'
import { checkSquare, kruskalStress } from './stress'
import { EMBEDDING_DIMS, type EmbeddingResult } from './types'

export interface ClassicalOptions {
  /** Lanczos residual tolerance relative to λ₁ (default 1e-8: coordinates to ~1e-6). */
  tol?: number
}

export function classicalMds(D: Float64Array, n: number, opts: ClassicalOptions = {}): EmbeddingResult {
  checkSquare(D, n, 'classicalMds')
  const coords = new Float64Array(n * EMBEDDING_DIMS)
  if (n < 2) return { method: 'classical', coords, stress: 0, iterations: 0, eigenvalues: [] }
  const k = Math.min(EMBEDDING_DIMS, n)
  const eig = lanczosEigen(n, doubleCentredOperator(D, n, true), k, { which: 'largest', tol: opts.tol })
  eig.vectors.forEach((v, a) => {
    const s = Math.sqrt(Math.max(0, eig.values[a]!))
    for (let i = 0; i < n; i++) coords[i * EMBEDDING_DIMS + a] = v[i]! * s
  })
  return {
    method: 'classical',
    coords,
    stress: kruskalStress(D, coords, n),
    iterations: eig.steps,
    eigenvalues: eig.values,
  }
}
