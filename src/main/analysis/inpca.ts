/**
 * Intensive PCA (Quinn et al., PNAS 2019), as used by Mao et al. (PNAS 2024) on Bhattacharyya
 * distances between networks' output distributions: W = −½ J D J with D the Bhattacharyya
 * distance itself (not squared: it already behaves like a squared distance, ≈ ⅛ of the squared
 * Fisher/Hellinger distance for nearby distributions), eigenvectors of the two eigenvalues of
 * largest magnitude, negative ones included, coordinates vₖ·√|λₖ|. Negative-eigenvalue axes are
 * "time-like": the embedding is in Minkowski space, with Dᵢⱼ ≈ Σₖ sign(λₖ)(xᵢₖ − xⱼₖ)².
 */
import { lanczosEigen } from './eigen'
import { doubleCentredOperator } from './operators'
import { checkSquare } from './stress'
import { EMBEDDING_DIMS, type EmbeddingResult } from './types'

export function inpca(D: Float64Array, n: number): EmbeddingResult {
  checkSquare(D, n, 'inpca')
  const coords = new Float64Array(n * EMBEDDING_DIMS)
  if (n < 2) return { method: 'inpca', coords, stress: 0, iterations: 0, eigenvalues: [], axisSigns: [] }
  const k = Math.min(EMBEDDING_DIMS, n)
  const eig = lanczosEigen(n, doubleCentredOperator(D, n, false), k, { which: 'magnitude' })
  const axisSigns = eig.values.map((l) => (l < 0 ? -1 : 1))
  eig.vectors.forEach((v, a) => {
    const s = Math.sqrt(Math.abs(eig.values[a]!))
    for (let i = 0; i < n; i++) coords[i * EMBEDDING_DIMS + a] = v[i]! * s
  })
  return {
    method: 'inpca',
    coords,
    stress: minkowskiStress(D, coords, axisSigns, n),
    iterations: eig.steps,
    eigenvalues: eig.values,
    axisSigns,
    explainedVariance: squaredNormShare(D, n, eig.values),
  }
}

/** (λ₁² + λ₂²)/‖W‖²_F with W = −½·J·D·J, formed entry by entry from D's row and grand means. */
function squaredNormShare(D: Float64Array, n: number, values: number[]): number {
  const r = new Float64Array(n)
  let g = 0
  for (let i = 0; i < n; i++) {
    let s = 0
    for (let j = 0; j < n; j++) s += D[i * n + j]!
    r[i] = s / n
    g += s
  }
  g /= n * n
  let norm = 0
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) norm += (-0.5 * (D[i * n + j]! - r[i]! - r[j]! + g)) ** 2
  return norm > 0 ? values.reduce((a, l) => a + l * l, 0) / norm : 0
}

/**
 * sqrt(Σ_{i<j}(Dᵢⱼ − Σₖ sₖ Δxₖ²)² / Σ_{i<j} Dᵢⱼ²): how well the Minkowski interval of the
 * embedding reproduces the (squared-distance-like) input D.
 */
export function minkowskiStress(D: Float64Array, coords: Float64Array, signs: number[], n: number): number {
  let num = 0
  let den = 0
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0
      signs.forEach((sg, k) => {
        const t = coords[i * EMBEDDING_DIMS + k]! - coords[j * EMBEDDING_DIMS + k]!
        s += sg * t * t
      })
      const dij = D[i * n + j]!
      num += (dij - s) ** 2
      den += dij * dij
    }
  }
  return den > 0 ? Math.sqrt(num / den) : 0
}
