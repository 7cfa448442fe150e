import type { SymmetricOperator } from './eigen'

/**
 * x ↦ −½ J M J x with J = I − 11ᵀ/n the centring matrix and M = D∘D (`square`, classical MDS)
 * or M = D (InPCA, whose distances are already squared-distance-like). Applied on the fly from
 * D, one pass over the matrix per product; nothing n×n is allocated.
 */
export function doubleCentredOperator(D: Float64Array, n: number, square: boolean): SymmetricOperator {
  const xc = new Float64Array(n)
  return (x, y) => {
    let mean = 0
    for (let i = 0; i < n; i++) mean += x[i]!
    mean /= n
    for (let i = 0; i < n; i++) xc[i] = x[i]! - mean
    let ym = 0
    for (let i = 0; i < n; i++) {
      const row = i * n
      let s = 0
      if (square) {
        for (let j = 0; j < n; j++) {
          const v = D[row + j]!
          s += v * v * xc[j]!
        }
      } else {
        for (let j = 0; j < n; j++) s += D[row + j]! * xc[j]!
      }
      y[i] = s
      ym += s
    }
    ym /= n
    for (let i = 0; i < n; i++) y[i] = -0.5 * (y[i]! - ym)
  }
}
