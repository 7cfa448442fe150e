/** Distances between whole paths, checked against hand-computed cases and by brute force. */
import { describe, expect, it } from 'vitest'
import {
  discreteFrechet,
  pathDistanceMatrices,
  progressOf,
  type PathPoints,
} from '../../../src/main/analysis/path-distances'

type Pt = number[]
const euclid = (a: Pt, b: Pt) => Math.hypot(...a.map((x, i) => x - b[i]))

/** The squared distance matrix of points, and each path as index ranges into it. */
function setup(pathsOf: Pt[][]): { Q: Float64Array; n: number; paths: PathPoints[] } {
  const all = pathsOf.flat()
  const n = all.length
  const Q = new Float64Array(n * n)
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Q[i * n + j] = euclid(all[i], all[j]) ** 2
  let o = 0
  const paths = pathsOf.map((p) => {
    const points = p.map((_, i) => o + i)
    o += p.length
    return { points }
  })
  return { Q, n, paths }
}

/** Fréchet by its recursive definition (Eiter & Mannila), memoised. */
function frechetReference(P: Pt[], R: Pt[]): number {
  const memo = new Map<string, number>()
  const c = (i: number, j: number): number => {
    const k = `${i},${j}`
    if (memo.has(k)) return memo.get(k)!
    const d = euclid(P[i], R[j])
    let v: number
    if (i === 0 && j === 0) v = d
    else if (i === 0) v = Math.max(c(0, j - 1), d)
    else if (j === 0) v = Math.max(c(i - 1, 0), d)
    else v = Math.max(Math.min(c(i - 1, j), c(i - 1, j - 1), c(i, j - 1)), d)
    memo.set(k, v)
    return v
  }
  return c(P.length - 1, R.length - 1)
}

describe('discrete Fréchet distance', () => {
  it('equals hand-computed values, including paths of unequal length', () => {
    const f = (P: Pt[], R: Pt[]) => discreteFrechet(P.length, R.length, (i, j) => euclid(P[i], R[j]))
    // On a line: 0,1,2 against 0,2 — the middle point is 1 from either of the other's points.
    expect(f([[0], [1], [2]], [[0], [2]])).toBe(1)
    // Two parallel segments one apart, the lower with a midpoint: that midpoint is √2 from both ends above.
    expect(
      f(
        [
          [0, 0],
          [1, 0],
          [2, 0],
        ],
        [
          [0, 1],
          [2, 1],
        ],
      ),
    ).toBeCloseTo(Math.SQRT2, 15)
    // A path and itself; a single point against a path (its farthest point).
    expect(f([[0], [3], [1]], [[0], [3], [1]])).toBe(0)
    expect(f([[0]], [[1], [5], [2]])).toBe(5)
    // The walkers cannot go back: a detour on one path costs its full length.
    expect(f([[0], [4], [0], [4]], [[0], [4]])).toBe(4)
  })

  it('equals the recursive definition on random paths', () => {
    let s = 7
    const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1
    for (let t = 0; t < 20; t++) {
      const P = Array.from({ length: 2 + (t % 7) }, () => [rnd(), rnd(), rnd()])
      const R = Array.from({ length: 1 + ((t * 3) % 9) }, () => [rnd(), rnd(), rnd()])
      const { Q, n, paths } = setup([P, R])
      const m = pathDistanceMatrices(Q, n, paths, 'euclidean')
      expect(m.frechet[1]).toBeCloseTo(frechetReference(P, R), 12)
      expect(m.frechet[2]).toBe(m.frechet[1])
    }
  })
})

describe('progress along a path', () => {
  it('by length is the normalised cumulative length; by test error its running fall', () => {
    expect(Array.from(progressOf('length', [1, 3, 0, 4]))).toEqual([0, 0.125, 0.5, 0.5, 1])
    // A rise of the error (0.3 after 0.2) does not move progress back.
    const byError = progressOf('error', [0, 0, 0, 0], [0.9, 0.5, 0.3, 0.4, 0.1])
    ;[0, 0.5, 0.75, 0.75, 1].forEach((want, i) => expect(byError[i]).toBeCloseTo(want, 12))
    expect(() => progressOf('length', [0, 0])).toThrow(/does not move/)
    expect(() => progressOf('error', [1], [0.2, 0.2])).toThrow(/never falls/)
    expect(() => progressOf('error', [1], [0.2, undefined])).toThrow(/every snapshot/)
  })
})

describe('progress-aligned distance', () => {
  // A helix, sampled at its own times.
  const curve = (t: number): Pt => [Math.cos(t), Math.sin(t), 0.5 * t]
  const uniform = (m: number) => Array.from({ length: m }, (_, i) => (Math.PI * i) / (m - 1))

  it('of a time-rescaled copy is about 0; of a translated copy, the translation', () => {
    const a = uniform(41).map(curve)
    // The same curve walked at another speed (slow start, fast end), at other sample times.
    const b = uniform(37).map((t) => curve((t * t) / Math.PI))
    const c = uniform(41).map((t) => curve(t).map((x, i) => (i === 0 ? x + 0.3 : x)))
    const { Q, n, paths } = setup([a, b, c])
    const m = pathDistanceMatrices(Q, n, paths, 'euclidean', { grid: 200 })
    const P = 3
    expect(m.aligned[0 * P + 1]).toBeLessThan(0.01) // sampling only: the two walk one route
    expect(m.aligned[0 * P + 2]).toBeCloseTo(0.3, 10)
    // Fréchet sees the rescaled copy as close too, but not as close (its points fall between a's).
    expect(m.frechet[0 * P + 1]).toBeLessThan(0.1)
    expect(m.unaligned).toEqual([])
  })

  it('interpolates between snapshots exactly from the point distances alone', () => {
    // Two 2-point paths in 4-D; at progress s both points are on their segments.
    const a = [
      [0, 0, 0, 0],
      [2, 1, 0, 3],
    ]
    const b = [
      [1, 1, 1, 1],
      [0, 2, 5, -1],
    ]
    const { Q, n, paths } = setup([a, b])
    const G = 11
    const m = pathDistanceMatrices(Q, n, paths, 'euclidean', { grid: G })
    let want = 0
    for (let g = 0; g < G; g++) {
      const s = g / (G - 1)
      const x = a[0].map((v, i) => v + s * (a[1][i] - v))
      const y = b[0].map((v, i) => v + s * (b[1][i] - v))
      want += euclid(x, y)
    }
    expect(m.aligned[1]).toBeCloseTo(want / G, 12)
  })

  it('names the paths it cannot align, and leaves their distances NaN', () => {
    const { Q, n, paths } = setup([
      [[0], [1]],
      [[2], [2]],
    ])
    const m = pathDistanceMatrices(Q, n, paths, 'euclidean')
    expect(m.unaligned).toEqual([{ path: 1, reason: 'a path that does not move has no progress' }])
    expect(m.aligned[1]).toBeNaN()
    expect(m.frechet[1]).toBe(2)
  })
})
