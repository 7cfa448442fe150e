/** The M-PHATE figure: one panel per network, shared square axes, colours by epoch, layer or class. */
import { describe, expect, it } from 'vitest'
import { buildMphate } from '../../../src/shared/figures/mphate'
import type { MphateData } from '../../../src/shared/figures/beyond-data'
import { resolveStyle } from '../../../src/shared/figures/style'

const paper = resolveStyle('paper')
// 2 units × 3 snapshots; unit 1 is in layer 2.
const data: MphateData = {
  epochs: [0, 1, 2],
  layers: [1, 2],
  classes: ['0', '1'],
  networks: [
    { label: 'network 0', x: [0, 1, 0, 2, 0, 3], y: [0, 0, 1, 0, 2, 0], topClass: [0, 1, 0, 1, 1, 1] },
    { label: 'network 1 (units matched)', x: [0, 1, 0, 2, 0, 4], y: [0, 0, 1, 0, 2, 0], topClass: [0, 1, 0, 1, 1, 0] },
  ],
}
type Item = { value: [number, number]; itemStyle: { color: string } }
const colours = (o: ReturnType<typeof buildMphate>, k: number) =>
  ((o.series as { data: Item[] }[])[k]!.data as Item[]).map((d) => d.itemStyle.color)

describe('the M-PHATE figure', () => {
  it('draws every point of each network in its own panel, with one square range for both', () => {
    const o = buildMphate(data, paper)
    expect(o.series).toHaveLength(2)
    const xa = o.xAxis as { min: number; max: number }[]
    const ya = o.yAxis as { min: number; max: number }[]
    expect([xa[1]!.min, xa[1]!.max]).toEqual([xa[0]!.min, xa[0]!.max])
    expect(xa[0]!.max - xa[0]!.min).toBeCloseTo(ya[0]!.max - ya[0]!.min, 12)
    expect(xa[0]!.max).toBeGreaterThan(4)
    expect(((o.series as { data: Item[] }[])[1]!.data[5] as Item).value).toEqual([4, 0])
  })

  it('colours by epoch (first red, last blue), layer or most-activating class', () => {
    const byEpoch = colours(buildMphate(data, paper), 0)
    expect(byEpoch[0]).toBe(byEpoch[1]) // the same snapshot
    expect(byEpoch[0]).toBe('#d7191c')
    expect(byEpoch[5]).toBe('#0b72c9')
    const byLayer = colours(buildMphate(data, paper, { color: 'layer' }), 0)
    expect(byLayer).toEqual([0, 1, 0, 1, 0, 1].map((l) => paper.categorical[l]))
    const byClass = colours(buildMphate(data, paper, { color: 'class' }), 1)
    expect(byClass).toEqual([0, 1, 0, 1, 1, 0].map((c) => paper.categorical[c]))
  })
})
