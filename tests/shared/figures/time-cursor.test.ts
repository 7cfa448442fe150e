/** The time slider's marks in the figure builders: the learning curves' cursor, and the ids the
 * app's partial update finds in a paths frame (issue 22 item 1). */
import { describe, expect, it } from 'vitest'
import { buildMetrics, buildPaths, resolveStyle, type MetricsData, type PathsData } from '../../../src/shared/figures'

const METRICS: MetricsData = {
  runs: [
    {
      label: 'r',
      epochs: [0, 1, 2, 4],
      series: [
        { name: 'test_error', perNet: [[0.9, 0.2, 0.1, 0.05]] },
        { name: 'train_error', perNet: [[0.9, 0.25, 0.1, 0.04]] },
      ],
    },
  ],
}

type Series = { id?: string; type: string; data: number[][]; xAxisIndex?: number }
const seriesOf = (o: unknown) => (o as { series: Series[] }).series
const axes = (o: unknown) => o as { yAxis: { min: number; max: number }[] }

describe('the learning curves’ time cursor', () => {
  it('is one vertical line per panel at the epoch, from the bottom of the axis to its top', () => {
    const o = buildMetrics(METRICS, resolveStyle('paper'), { cursor: 2 })
    const cursors = seriesOf(o).filter((s) => s.id?.startsWith('cursor-'))
    expect(cursors.map((s) => s.id)).toEqual(['cursor-0', 'cursor-1'])
    cursors.forEach((c, i) => {
      expect(c.xAxisIndex).toBe(i)
      expect(c.data).toEqual([
        [2, axes(o).yAxis[i]!.min],
        [2, axes(o).yAxis[i]!.max],
      ])
    })
  })

  it('is not drawn outside the epoch axis (epoch 0 on a log axis), and absent without a time', () => {
    const log = buildMetrics(METRICS, resolveStyle('paper'), { cursor: 0, logX: true })
    expect(
      seriesOf(log)
        .filter((s) => s.id?.startsWith('cursor-'))
        .every((s) => s.data.length === 0),
    ).toBe(true)
    expect(seriesOf(buildMetrics(METRICS, resolveStyle('paper'))).some((s) => s.id?.startsWith('cursor-'))).toBe(false)
  })
})

describe('a paths frame', () => {
  it('labels its epoch in an element with an id, and rings each network’s latest point', () => {
    const data: PathsData = {
      view: 'tau',
      method: 'classical',
      runs: [
        {
          label: 'r',
          nets: [0, 1].map((net) => ({
            net,
            points: [0, 1, 2].map((e, snapshot) => ({ x: e + net, y: e * net, epoch: e, snapshot, samples: e * 10 })),
          })),
        },
      ],
    } as unknown as PathsData
    const o = buildPaths(data, resolveStyle('paper'), { until: 1 }) as {
      graphic: { id?: string; style?: { text?: string } }[]
      series: { name: string; data: unknown[] }[]
    }
    expect(o.graphic.find((g) => g.id === 'frame-label-0')?.style?.text).toBe('epoch 1')
    expect(o.series.find((s) => s.name === 'r (now)')?.data.map((d) => (d as { value: number[] }).value)).toEqual([
      [1, 0],
      [2, 1],
    ])
  })
})
