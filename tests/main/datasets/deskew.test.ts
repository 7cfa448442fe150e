import { describe, expect, it } from 'vitest'
import { deskewAll, deskewImage } from '../../../src/main/datasets/deskew'
import { moments } from './helpers'

const R = 28
const C = 28

/** A bar of half-width `w` from (r0,c0) to (r1,c1), with a one-pixel antialiased edge. */
function bar(r0: number, c0: number, r1: number, c1: number, w = 1.5, rows = R, cols = C): Float32Array {
  const img = new Float32Array(rows * cols)
  const dr = r1 - r0
  const dc = c1 - c0
  const len2 = dr * dr + dc * dc
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const t = Math.max(0, Math.min(1, ((r - r0) * dr + (c - c0) * dc) / len2))
      const d = Math.hypot(r - (r0 + t * dr), c - (c0 + t * dc))
      img[r * cols + c] = Math.max(0, Math.min(1, w + 0.5 - d))
    }
  return img
}

describe('deskewImage', () => {
  it('straightens a slanted bar and centres it at (R/2, C/2)', () => {
    const src = bar(4, 8, 24, 20)
    const before = moments(src, R, C)
    expect(before.cov / before.varR).toBeCloseTo(0.6, 1) // slope 12/20
    const out = new Float32Array(R * C)
    deskewImage(src, R, C, out)
    const after = moments(out, R, C)
    expect(Math.abs(after.cov) / after.varR).toBeLessThan(0.02)
    expect(after.mr).toBeCloseTo(14, 0)
    expect(Math.abs(after.mr - 14)).toBeLessThan(0.5)
    expect(Math.abs(after.mc - 14)).toBeLessThan(0.5)
    // A shear preserves the vertical extent and (away from the border) the ink.
    expect(after.varR).toBeCloseTo(before.varR, 0)
    expect(after.total / before.total).toBeGreaterThan(0.95)
    for (const v of out) expect(v >= 0 && v <= 1).toBe(true)
  })

  it('leaves an upright image centred at (14, 14) unchanged', () => {
    const src = new Float32Array(R * C)
    for (let r = 6; r <= 22; r++) for (let c = 12; c <= 16; c++) src[r * C + c] = Math.abs(r - 14) % 3 === 0 ? 0.5 : 1
    // Symmetric about (14, 14) in both directions: centre exactly (14, 14), cov 0.
    const out = new Float32Array(R * C)
    deskewImage(src, R, C, out)
    for (let i = 0; i < src.length; i++) expect(out[i]).toBeCloseTo(src[i]!, 6)
  })

  it('moves a single pixel to the centre', () => {
    const src = new Float32Array(R * C)
    src[10 * C + 5] = 0.75
    const out = new Float32Array(R * C)
    deskewImage(src, R, C, out)
    expect(out[14 * C + 14]).toBeCloseTo(0.75, 6)
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(0.75, 6)
  })

  it('keeps an all-zero image zero', () => {
    const out = new Float32Array(R * C).fill(0.3)
    deskewImage(new Float32Array(R * C), R, C, out)
    expect(out.every((v) => v === 0)).toBe(true)
  })

  it('uses rows/2 and cols/2 for other sizes', () => {
    const rows = 20
    const cols = 32
    const src = bar(2, 4, 17, 14, 1.5, rows, cols)
    const out = new Float32Array(rows * cols)
    deskewImage(src, rows, cols, out)
    const m = moments(out, rows, cols)
    expect(Math.abs(m.mr - rows / 2)).toBeLessThan(0.5)
    expect(Math.abs(m.mc - cols / 2)).toBeLessThan(0.5)
    expect(Math.abs(m.cov) / m.varR).toBeLessThan(0.02)
  })
})

describe('deskewAll', () => {
  it('scales bytes by 1/255 and deskews each image like deskewImage', () => {
    const a = bar(4, 8, 24, 20)
    const b = bar(3, 20, 25, 10)
    const bytes = new Uint8Array(2 * R * C)
    a.forEach((v, i) => (bytes[i] = Math.round(v * 255)))
    b.forEach((v, i) => (bytes[R * C + i] = Math.round(v * 255)))
    const all = deskewAll(bytes, 2, R, C)
    for (let k = 0; k < 2; k++) {
      const img = Float32Array.from(bytes.subarray(k * R * C, (k + 1) * R * C), (v) => v / 255)
      const one = new Float32Array(R * C)
      deskewImage(img, R, C, one)
      expect(all.subarray(k * R * C, (k + 1) * R * C)).toEqual(one)
    }
  })
  it('may deskew floats in place', () => {
    const src = bar(4, 8, 24, 20)
    const expected = new Float32Array(R * C)
    deskewImage(src, R, C, expected)
    expect(deskewAll(src, 1, R, C, src)).toEqual(expected)
  })
})
