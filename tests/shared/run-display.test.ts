import { describe, expect, it } from 'vitest'
import { defaultRunColor, RUN_PALETTE, resolveRunColors, runLegend } from '../../src/shared/run-display'
import { buildCompare } from '../../src/shared/figures'
import { STYLES } from '../../src/shared/figures/style'
import type { PathsData } from '../../src/shared/figures/data'

describe('run display', () => {
  it('gives each run a stable colour from the colour-blind safe palette', () => {
    const c = defaultRunColor('20260101-fig6-a')
    expect(RUN_PALETTE).toContain(c)
    expect(defaultRunColor('20260101-fig6-a')).toBe(c)
    expect(RUN_PALETTE).not.toContain('#F0E442') // Okabe–Ito's yellow is unreadable on white
  })

  it('keeps the colours runs ask for and never gives two runs of one view the same one', () => {
    expect(resolveRunColors(['#D55E00', '#0072B2'])).toEqual(['#d55e00', '#0072b2'])
    // Two runs asking for the same colour: the second gets the first unused palette colour.
    expect(resolveRunColors(['#0072B2', '#0072b2', '#D55E00'])).toEqual(['#0072b2', '#d55e00', '#009e73'])
    const many = resolveRunColors(Array.from({ length: RUN_PALETTE.length }, () => '#000000'))
    expect(new Set(many).size).toBe(RUN_PALETTE.length)
  })

  it('labels a run with its label, else its name, else its id', () => {
    expect(runLegend('r1', 'fig6 batch 100', { label: 'B=100' })).toBe('B=100')
    expect(runLegend('r1', 'fig6 batch 100', { name: 'large batch' })).toBe('large batch')
    expect(runLegend('r1', 'fig6 batch 100')).toBe('fig6 batch 100')
    expect(runLegend('r1', undefined)).toBe('r1')
  })

  it('draws runs with their labels and distinct colours in the legend', () => {
    const pts = [{ x: 0, y: 0, epoch: 0, samples: 0 }]
    const data: PathsData = {
      runs: [
        { label: 'B=1', color: '#0072B2', nets: [{ net: 0, points: pts }] },
        { label: 'B=100', color: '#0072B2', nets: [{ net: 0, points: pts }] },
      ],
      view: 'tau',
      method: 'smacof',
    }
    const o = buildCompare(data, STYLES.paper, { colorBy: 'run', layout: 'overlay' }) as {
      legend: { data: { name: string; itemStyle: { color: string } }[] }[]
    }
    const legend = [o.legend].flat()[0]!.data
    expect(legend.map((d) => d.name)).toEqual(['B=1', 'B=100'])
    expect(legend.map((d) => d.itemStyle.color)).toEqual(['#0072b2', '#d55e00'])
  })
})

describe('paths without the initial points', () => {
  it('leaves out epoch 0 and lets the rest set the axes', async () => {
    const { selectPaths } = await import('../../src/shared/figures')
    const pts = [
      { x: 100, y: 100, epoch: 0, samples: 0 },
      { x: 1, y: 1, epoch: 0.01, samples: 600 },
      { x: 2, y: 0, epoch: 1, samples: 60000 },
    ]
    const data: PathsData = { runs: [{ label: 'a', nets: [{ net: 0, points: pts }] }], view: 'tau', method: 'smacof' }
    expect(selectPaths(data)[0]!.nets[0]!.points).toHaveLength(3)
    expect(selectPaths(data, { hideInitial: true })[0]!.nets[0]!.points.map((p) => p.epoch)).toEqual([0.01, 1])
    const o = buildCompare(data, STYLES.paper, { hideInitial: true, layout: 'overlay' }) as {
      xAxis: { max: number }[]
    }
    expect([o.xAxis].flat()[0]!.max).toBeLessThan(50)
  })
})
