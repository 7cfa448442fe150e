/** The paths figure coloured by per-point stress, and a selected point with its neighbours drawn on top. */
import { describe, expect, it } from 'vitest'
import { buildPaths, STRESS_COLORS, stressScale } from '../../../src/shared/figures/paths'
import { colorScale } from '../../../src/shared/figures/color'
import { resolveStyle } from '../../../src/shared/figures/style'
import type { PathsData } from '../../../src/shared/figures/data'

const paper = resolveStyle('paper')
const shares = [0.1, 0.2, 0.3, 0.4]
const data = (withStress = true): PathsData => ({
  view: 'tau',
  method: 'smacof',
  stress: 0.1,
  runs: [
    {
      label: 'run',
      nets: [0, 1].map((net) => ({
        net,
        points: [0, 1].map((j) => ({
          x: net + j,
          y: j,
          epoch: j,
          samples: j,
          snapshot: j,
          ...(withStress ? { stress: shares[net * 2 + j]! } : {}),
        })),
      })),
    },
  ],
})
type Obj = Record<string, any>
const scatter = (o: Obj) => (o.series as Obj[]).filter((s) => s.type === 'scatter')
const texts = (o: Obj) => (o.graphic as Obj[]).filter((g) => g.type === 'text').map((g) => g.style.text)

describe('paths coloured by per-point stress', () => {
  it('colours each point by its share × n on a scale ending at the 98th percentile, with a colour bar', () => {
    // Sorted shares × 4 = 0.4, 0.8, 1.2, 1.6; the 98th percentile of 4 values is the third.
    expect(stressScale(data())).toEqual({ n: 4, top: expect.closeTo(1.2, 12) })
    const o = buildPaths(data(), paper, { colorBy: 'stress' }) as Obj
    const scale = colorScale(STRESS_COLORS, 0, 1.2)
    const colours = scatter(o)[0]!.data.map((d: Obj) => d.itemStyle.color)
    expect(colours).toEqual(shares.map((s) => scale(Math.min(s * 4, 1.2))))
    expect(colours[3]).toBe(colours[2]) // above the top: the darkest colour
    expect(texts(o)).toContain('stress ×avg')
    expect(o.visualMap).toBeUndefined()
  })

  it('falls back to epochs for data without per-point stress', () => {
    const o = buildPaths(data(false), paper, { colorBy: 'stress' }) as Obj
    expect(texts(o)).toContain('epoch')
    expect(o.visualMap).toBeDefined()
  })

  it('draws a selected point and its true neighbours enlarged, on top', () => {
    const o = buildPaths(data(), paper, {
      highlight: {
        point: { run: 0, net: 0, snapshot: 1 },
        neighbours: [
          { run: 0, net: 1, snapshot: 0 },
          { run: 0, net: 1, snapshot: 1 },
        ],
      },
    }) as Obj
    const [, nb, sel] = scatter(o)
    expect(nb.name).toBe('true neighbours')
    expect(nb.data).toEqual([
      [1, 0],
      [2, 1],
    ])
    expect(sel.name).toBe('selected')
    expect(sel.data).toEqual([[1, 1]])
    expect(sel.z).toBeGreaterThan(scatter(o)[0]!.z)
    // A neighbour outside the shown window is not drawn.
    const w = buildPaths(data(), paper, {
      epochWindow: [0, 0],
      highlight: { point: { run: 0, net: 0, snapshot: 0 }, neighbours: [{ run: 0, net: 1, snapshot: 1 }] },
    }) as Obj
    expect(scatter(w).map((s) => s.name)).toEqual(['run', 'selected'])
  })
})
