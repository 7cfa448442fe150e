import { describe, expect, it } from 'vitest'
import { gemmABtJs, getGemm, transpose } from '../../../src/main/analysis/gemm'
import { maxAbsDiff, rng } from './helpers'

function naiveABt(A: Float32Array, m: number, k: number, B: Float32Array, p: number): Float64Array {
  const C = new Float64Array(m * p)
  for (let i = 0; i < m; i++)
    for (let j = 0; j < p; j++) {
      let s = 0
      for (let t = 0; t < k; t++) s += A[i * k + t]! * B[j * k + t]!
      C[i * p + j] = s
    }
  return C
}

const r = rng(7)
const m = 37
const k = 1030
const p = 13
const A = Float32Array.from({ length: m * k }, () => r.gauss())
const B = Float32Array.from({ length: p * k }, () => r.gauss())
const exact = naiveABt(A, m, k, B, p)

describe('gemm', () => {
  it('the JS kernel handles ragged blocks exactly (float64 sums)', () => {
    expect(maxAbsDiff(gemmABtJs(A, m, k, B, p), exact)).toBeLessThan(1e-4)
  })

  it('transposes', () => {
    const T = transpose(Float32Array.from([1, 2, 3, 4, 5, 6]), 2, 3)
    expect(Array.from(T)).toEqual([1, 4, 2, 5, 3, 6])
  })

  it.each(['js', 'wasm', 'auto'] as const)('backend %s computes A·Bᵀ', async (name) => {
    const g = await getGemm(name)
    await g.activate()
    if (name === 'auto') expect(['tensorflow', 'wasm', 'js']).toContain(g.name)
    const a = g.left(A, m, k)
    const b = g.right(B, p, k)
    const C = g.multiply(a, b)
    a.dispose()
    b.dispose()
    expect(C.length).toBe(m * p)
    // float32 accumulation over k ≈ 1000 terms of size ~1
    expect(maxAbsDiff(C, exact)).toBeLessThan(1e-3)
  })

  it('rejects mismatched operands', async () => {
    const g = await getGemm('js')
    expect(() => g.left(A, m, k + 1)).toThrow(/expected/)
    expect(() => g.multiply(g.left(A, m, k), g.right(B.subarray(0, p * 10), p, 10))).toThrow(/inner dimensions/)
  })
})
