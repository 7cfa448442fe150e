import { describe, expect, it } from 'vitest'
import { kruskalStress, pointStress } from '../../../src/main/analysis/stress'
import { trueNeighbours } from '../../../src/main/analysis/neighbourhood'

/** Points on a line at 0, 1, 2, 3, embedded exactly; D has two pairs altered by hand. */
function lineCase(): { D: Float64Array; coords: Float64Array } {
  const x = [0, 1, 2, 3]
  const D = new Float64Array(16)
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) D[i * 4 + j] = Math.abs(x[i]! - x[j]!)
  // pair (0,1): given 2, embedded 1 → error² 1; pair (2,3): given 3, embedded 1 → error² 4
  D[1] = D[4] = 2
  D[11] = D[14] = 3
  const coords = new Float64Array(x.flatMap((v) => [v, 0]))
  return { D, coords }
}

describe('pointStress', () => {
  it('splits the stress by point: hand-computed 4-point case', () => {
    const { D, coords } = lineCase()
    // Σ over ordered pairs = 2·(1 + 4) = 10; point 0 and 1 carry 1 each, 2 and 3 carry 4 each.
    const s = pointStress(D, coords, 4)
    expect(Array.from(s)).toEqual([0.1, 0.1, 0.4, 0.4].map((v) => Math.fround(v)))
  })

  it('shares sum to 1 and match stress-1 numerator on random data', () => {
    let seed = 7
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
    const n = 30
    const P = Array.from({ length: n }, () => [rand(), rand(), rand()])
    const D = new Float64Array(n * n)
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) D[i * n + j] = Math.hypot(...P[i]!.map((v, k) => v - P[j]![k]!))
    const coords = new Float64Array(P.flatMap((p) => [p[0]!, p[1]!]))
    const s = pointStress(D, coords, n)
    expect(s.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5)
    // the worst point's share times the total numerator equals its own squared errors
    let den = 0
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) den += D[i * n + j]! ** 2
    const num = kruskalStress(D, coords, n) ** 2 * den
    let own0 = 0
    for (let j = 1; j < n; j++)
      own0 += (D[j]! - Math.hypot(coords[0]! - coords[2 * j]!, coords[1]! - coords[2 * j + 1]!)) ** 2
    expect(s[0]! * 2 * num).toBeCloseTo(own0, 5)
  })

  it('is all zeros for a perfect embedding', () => {
    const { coords } = lineCase()
    const D = new Float64Array(16)
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) D[i * 4 + j] = Math.abs(i - j)
    expect(Array.from(pointStress(D, coords, 4))).toEqual([0, 0, 0, 0])
  })

  it('names a bad shape', () => {
    expect(() => pointStress(new Float64Array(16), new Float64Array(6), 4)).toThrow(/coords has 6 values/)
  })
})

describe('trueNeighbours', () => {
  it('lists the k nearest in the original space, nearest first, without the point itself', () => {
    const n = 8
    const D = new Float64Array(n * n)
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) D[i * n + j] = Math.abs(i - j) + 0.01 * j
    expect(trueNeighbours(D, n, 3)).toEqual([2, 4, 1, 5, 0])
    expect(trueNeighbours(new Float64Array(4), 2, 0)).toEqual([1])
  })
  it('names a point out of range', () => {
    expect(() => trueNeighbours(new Float64Array(4), 2, 5)).toThrow(/point 5 is not in 0..1/)
  })
})
