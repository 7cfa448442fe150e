import { describe, expect, it } from 'vitest'
import {
  dedupeSegments,
  PointIndex,
  simplifyPath,
  thinLines,
  thinPathsOption,
  thinScatter,
  type HitPoint,
} from '../../../src/renderer/src/charts/large-paths'

/** A deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** An SGD-like path: a drift towards a minimum with noise that shrinks. */
function walk(n: number, rand: () => number): { xs: number[]; ys: number[] } {
  const xs = [rand() * 10]
  const ys = [rand() * 10]
  for (let i = 1; i < n; i++) {
    const s = 1 / Math.sqrt(i)
    xs.push(xs[i - 1]! * 0.95 + (rand() - 0.5) * s)
    ys.push(ys[i - 1]! * 0.95 + (rand() - 0.5) * s)
  }
  return { xs, ys }
}

function distToPolyline(px: number, py: number, xs: number[], ys: number[]): number {
  let best = Infinity
  for (let i = 1; i < xs.length; i++) {
    const [ax, ay, bx, by] = [xs[i - 1]!, ys[i - 1]!, xs[i]!, ys[i]!]
    const dx = bx - ax
    const dy = by - ay
    const l2 = dx * dx + dy * dy
    const t = l2 ? Math.min(1, Math.max(0, ((px - ax) * dx + (py - ay) * dy) / l2)) : 0
    best = Math.min(best, Math.hypot(px - ax - t * dx, py - ay - t * dy))
  }
  return best
}

describe('simplifyPath (Douglas–Peucker)', () => {
  it('keeps every point within the tolerance, the endpoints and the kept snapshot', () => {
    const rand = rng(1)
    for (let trial = 0; trial < 20; trial++) {
      const { xs, ys } = walk(100, rand)
      const unitsPerPx = 0.02 // 1 px at this scale
      const keepAt = 1 + Math.floor(rand() * 98)
      const idx = simplifyPath(xs, ys, unitsPerPx, [keepAt])
      expect(idx[0]).toBe(0)
      expect(idx[idx.length - 1]).toBe(99)
      expect(idx).toContain(keepAt)
      expect([...idx].sort((a, b) => a - b)).toEqual(idx)
      const tx = idx.map((i) => xs[i]!)
      const ty = idx.map((i) => ys[i]!)
      for (let i = 0; i < xs.length; i++) expect(distToPolyline(xs[i]!, ys[i]!, tx, ty)).toBeLessThanOrEqual(unitsPerPx)
    }
  })

  it('thins a path whose steps are below a pixel, and leaves a coarse one alone', () => {
    const xs = Array.from({ length: 50 }, (_, i) => i)
    const ys = xs.map((x) => Math.sin(x) * 1e-3) // wiggles far below a pixel of 0.5 units
    expect(simplifyPath(xs, ys, 0.5)).toEqual([0, 49])
    const zig = xs.map((_, i) => (i % 2 ? 1 : 0))
    expect(simplifyPath(xs, zig, 0.5)).toHaveLength(50)
    expect(simplifyPath([0, 1], [0, 1], 1)).toEqual([0, 1])
  })
})

describe('thinLines', () => {
  it('joins epoch-coloured steps into paths, thins them and keeps their colours and ends', () => {
    const rand = rng(2)
    const data: { coords: number[][]; lineStyle: { color: string } }[] = []
    const paths = [walk(60, rand), walk(60, rand)]
    for (const p of paths)
      for (let i = 1; i < p.xs.length; i++)
        data.push({
          coords: [
            [p.xs[i - 1]!, p.ys[i - 1]!],
            [p.xs[i]!, p.ys[i]!],
          ],
          lineStyle: { color: i < 30 ? '#000000' : '#ffffff' },
        })
    const tol = 0.05
    const out = thinLines(data, tol, false)
    expect(out.length).toBeLessThan(data.length)
    // The steps chain into the two paths again, from first point to last.
    const starts = out.filter((s, k) => k === 0 || s.coords[0] !== out[k - 1]!.coords[1])
    expect(starts).toHaveLength(2)
    for (const s of out) expect(['#000000', '#ffffff']).toContain(s.lineStyle?.color)
    for (const p of paths) {
      const mine = out.filter((s) => p.xs.includes(s.coords[0]![0]!))
      expect(mine[0]!.coords[0]).toEqual([p.xs[0], p.ys[0]])
      expect(mine[mine.length - 1]!.coords[1]).toEqual([p.xs[59], p.ys[59]])
      const tx = [mine[0]!.coords[0]![0]!, ...mine.map((s) => s.coords[1]![0]!)]
      const ty = [mine[0]!.coords[0]![1]!, ...mine.map((s) => s.coords[1]![1]!)]
      for (let i = 0; i < 60; i++) expect(distToPolyline(p.xs[i]!, p.ys[i]!, tx, ty)).toBeLessThanOrEqual(tol)
    }
  })

  it('thins polylines (coloured by network) as one item each', () => {
    const p = walk(80, rng(3))
    const out = thinLines([{ coords: p.xs.map((x, i) => [x, p.ys[i]!]), lineStyle: { color: '#123456' } }], 0.05, true)
    expect(out).toHaveLength(1)
    expect(out[0]!.lineStyle?.color).toBe('#123456')
    expect(out[0]!.coords.length).toBeLessThan(80)
  })
})

describe('thinScatter', () => {
  it('keeps the last marker of each pixel cell, in drawing order', () => {
    const data = [
      [0.1, 0.1, 0, 0],
      [0.2, 0.3, 1, 0],
      [1.5, 0.1, 2, 0],
      [0.9, 0.9, 3, 0],
    ]
    expect(thinScatter(data, 1)).toEqual([data[2], data[3]])
  })

  it('leaves small series (the "now" markers) and series names alone, silences the big ones', () => {
    const big = Array.from({ length: 2000 }, (_, i) => [i % 10, 0, i, 0])
    const small = [[0, 0]]
    const o = thinPathsOption(
      {
        series: [
          { type: 'scatter', name: 'r', data: big },
          { type: 'scatter', name: 'r (now)', data: small },
        ],
      },
      1,
    )
    const s = o.series as { data: unknown[]; silent?: boolean }[]
    expect(s[0]!.data).toHaveLength(10)
    expect(s[0]!.silent).toBe(true)
    expect(s[1]!.data).toBe(small)
  })
})

describe('PointIndex', () => {
  it('finds the same nearest point as a brute-force scan', () => {
    const rand = rng(4)
    const points: HitPoint[] = Array.from({ length: 5000 }, (_, i) => ({
      series: 'run',
      // Clustered like converged paths, plus a spread.
      value: [i % 2 ? rand() * 0.1 : rand() * 10 - 5, i % 2 ? rand() * 0.1 : rand() * 10 - 5, i, i % 37],
    }))
    const index = new PointIndex(points)
    for (let q = 0; q < 500; q++) {
      const x = rand() * 12 - 6
      const y = rand() * 12 - 6
      const r = q % 2 ? 0.05 : rand() * 2
      let best: HitPoint | null = null
      let bestD = r * r
      points.forEach((p) => {
        const d = (p.value[0]! - x) ** 2 + (p.value[1]! - y) ** 2
        if (d < bestD || (d === bestD && best)) {
          bestD = d
          best = p
        }
      })
      expect(index.nearest(x, y, r)).toBe(best)
    }
  })

  it('indexes the path points of an option, not the "now" rings', () => {
    const index = PointIndex.fromOption({
      series: [
        { type: 'scatter', name: 'a', data: [[1, 1, 5, 3, 100, 0.1]] },
        { type: 'scatter', name: 'a (now)', data: [{ value: [1, 1] }] },
        {
          type: 'lines',
          name: 'a',
          data: [
            {
              coords: [
                [1, 1],
                [2, 2],
              ],
            },
          ],
        },
      ],
    } as never)
    expect(index.size).toBe(1)
    expect(index.nearest(1.1, 1, 0.5)).toEqual({ series: 'a', value: [1, 1, 5, 3, 100, 0.1] })
    expect(index.nearest(3, 3, 0.5)).toBeNull()
  })
})

describe('dedupeSegments', () => {
  it('draws a step between the same two pixels once per colour, either way round', () => {
    const seg = (a: number[], b: number[], color: string) => ({ coords: [a, b], lineStyle: { color } })
    const data = [
      seg([0.1, 0.1], [2.2, 0.1], '#000000'),
      seg([2.9, 0.5], [0.4, 0.9], '#000000'), // the same two cells, reversed
      seg([0.1, 0.1], [2.2, 0.1], '#ff0000'), // another colour
      seg([0.1, 0.1], [3.2, 0.1], '#000000'), // another cell
    ]
    expect(dedupeSegments(data, 1)).toEqual([data[0], data[2], data[3]])
  })
})
