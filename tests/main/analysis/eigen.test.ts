import { describe, expect, it } from 'vitest'
import {
  lanczosEigen,
  symmetricEigen,
  tridiagonalEigen,
  type SymmetricOperator,
} from '../../../src/main/analysis/eigen'
import { rng } from './helpers'

function dense(A: Float64Array, n: number): SymmetricOperator {
  return (x, y) => {
    for (let i = 0; i < n; i++) {
      let s = 0
      for (let j = 0; j < n; j++) s += A[i * n + j]! * x[j]!
      y[i] = s
    }
  }
}

function randomSymmetric(n: number, seed: number): Float64Array {
  const r = rng(seed)
  const A = new Float64Array(n * n)
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) A[i * n + j] = A[j * n + i] = r.gauss()
  return A
}

describe('eigen solvers', () => {
  it('tridiagonal QL agrees with Jacobi', () => {
    const r = rng(5)
    const m = 30
    const diag = Array.from({ length: m }, () => r.gauss())
    const off = Array.from({ length: m - 1 }, () => r.gauss())
    const T = new Float64Array(m * m)
    for (let i = 0; i < m; i++) T[i * m + i] = diag[i]!
    for (let i = 0; i < m - 1; i++) T[i * m + i + 1] = T[(i + 1) * m + i] = off[i]!
    const a = tridiagonalEigen(diag, off)
    const b = symmetricEigen(T, m)
    a.values.forEach((v, i) => expect(v).toBeCloseTo(b.values[i]!, 10))
    // T v = λ v
    a.vectors.forEach((v, k) => {
      for (let i = 0; i < m; i++) {
        let s = 0
        for (let j = 0; j < m; j++) s += T[i * m + j]! * v[j]!
        expect(s).toBeCloseTo(a.values[k]! * v[i]!, 9)
      }
    })
  })

  it('Lanczos finds the largest and the largest-magnitude eigenpairs', () => {
    const n = 120
    const A = randomSymmetric(n, 9)
    const all = symmetricEigen(A, n).values
    const top = lanczosEigen(n, dense(A, n), 2, { which: 'largest', tol: 1e-10 })
    expect(top.values[0]).toBeCloseTo(all[n - 1]!, 8)
    expect(top.values[1]).toBeCloseTo(all[n - 2]!, 8)
    top.residuals.forEach((res) => expect(res).toBeLessThan(1e-7))
    const mag = lanczosEigen(n, dense(A, n), 2, { which: 'magnitude' })
    const byMag = [...all].sort((x, y) => Math.abs(y) - Math.abs(x))
    expect(mag.values[0]).toBeCloseTo(byMag[0]!, 8)
    expect(mag.values[1]).toBeCloseTo(byMag[1]!, 8)
  })

  it('handles a low-rank operator exactly (invariant Krylov space)', () => {
    const n = 50
    const r = rng(11)
    const u = Float64Array.from({ length: n }, () => r.gauss())
    const v = Float64Array.from({ length: n }, () => r.gauss())
    const A = new Float64Array(n * n)
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] = 3 * u[i]! * u[j]! - 2 * v[i]! * v[j]!
    const all = symmetricEigen(A, n).values
    const res = lanczosEigen(n, dense(A, n), 2, { which: 'magnitude' })
    const byMag = [...all].sort((x, y) => Math.abs(y) - Math.abs(x))
    expect(res.values[0]).toBeCloseTo(byMag[0]!, 9)
    expect(res.values[1]).toBeCloseTo(byMag[1]!, 9)
    expect(Math.min(...res.values)).toBeLessThan(0)
  })
})
