import { describe, expect, it } from 'vitest'
import { meanNonZeros, toDense, toSparse } from '../../../src/main/engine/sparse'

describe('toSparse', () => {
  const pixels = Float32Array.of(
    0,
    0.5,
    0,
    1, //
    0,
    0,
    0,
    0, //
    0.25,
    0,
    0,
    0.75,
  )

  it('builds the CSR of the non-zero pixels', () => {
    const s = toSparse(pixels, 3, 4)
    expect(s.count).toBe(3)
    expect(s.dim).toBe(4)
    expect(Array.from(s.indptr)).toEqual([0, 2, 2, 4])
    expect(Array.from(s.indices)).toEqual([1, 3, 0, 3])
    expect(Array.from(s.values)).toEqual([0.5, 1, 0.25, 0.75])
    expect(meanNonZeros(s)).toBeCloseTo(4 / 3)
  })

  it('is backed by SharedArrayBuffer by default, by ArrayBuffer on request', () => {
    const s = toSparse(pixels, 3, 4)
    for (const a of [s.indptr, s.indices, s.values]) expect(a.buffer).toBeInstanceOf(SharedArrayBuffer)
    const p = toSparse(pixels, 3, 4, false)
    for (const a of [p.indptr, p.indices, p.values]) expect(a.buffer).toBeInstanceOf(ArrayBuffer)
  })

  it('round-trips through toDense, also for a subset of images', () => {
    const s = toSparse(pixels, 3, 4)
    expect(Array.from(toDense(s))).toEqual(Array.from(pixels))
    expect(Array.from(toDense(s, 2, 3))).toEqual([0.25, 0, 0, 0.75])
  })

  it('uses only the first count×dim pixels and rejects impossible shapes', () => {
    expect(toSparse(pixels, 1, 4).indptr[1]).toBe(2)
    expect(toSparse(new Float32Array(0), 0, 784).count).toBe(0)
    expect(() => toSparse(pixels, 4, 4)).toThrow(RangeError)
    expect(() => toSparse(pixels, 1.5, 4)).toThrow(RangeError)
  })
})
