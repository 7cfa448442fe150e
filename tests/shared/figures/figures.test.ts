import { describe, expect, it } from 'vitest'
import type { EChartsOption } from 'echarts'
import {
  buildCompare,
  buildFigure,
  buildMetrics,
  buildPaths,
  colorAt,
  colorScale,
  FIGURE_KINDS,
  FIGURES,
  formatPathTooltip,
  isFigureKind,
  median,
  metricCurve,
  parseColor,
  PAPER_EPOCH_COLORS,
  PX_PER_IN,
  resolveStyle,
  selectPaths,
  STYLES,
  VIRIDIS_COLORS,
  OKABE_ITO,
  type MetricsData,
  type PathsData,
} from '../../../src/shared/figures'
import { logTicks, nearestNiceStep, niceStep, ticksIn } from '../../../src/shared/figures/ticks'
import { FIG1_EPOCHS, syntheticMetrics, syntheticPaths } from '../../main/figures/synthetic'

type Any = Record<string, any>
const series = (o: EChartsOption) => (o.series as Any[]) ?? []
const ofType = (o: EChartsOption, t: string) => series(o).filter((s) => s.type === t)
const scatterValues = (o: EChartsOption): number[][] =>
  ofType(o, 'scatter').flatMap((s) => s.data.map((d: any) => (Array.isArray(d) ? d : d.value)))
const paper = resolveStyle('paper')

/** Red/blue dominance of a colour. */
const redness = (c: string) => {
  const [r, , b] = parseColor(c)
  return r - b
}

describe('colour scales', () => {
  it('interpolate between stops and clamp outside [0, 1]', () => {
    expect(colorAt(['#000000', '#ffffff'], 0.5)).toBe('#808080')
    expect(colorAt(['#ff0000', '#0000ff'], -1)).toBe('#ff0000')
    expect(colorAt(['#ff0000', '#0000ff'], 2)).toBe('#0000ff')
    expect(colorAt(['#ff0000', '#00ff00', '#0000ff'], 0.5)).toBe('#00ff00')
  })
  it('map the first epoch to the red end and the last to the blue end (paper style)', () => {
    const c = colorScale(paper.epochColors, 0, 20)
    expect(c(0)).toBe(PAPER_EPOCH_COLORS[0])
    expect(c(20)).toBe(PAPER_EPOCH_COLORS[PAPER_EPOCH_COLORS.length - 1])
    expect(redness(c(0))).toBeGreaterThan(150)
    expect(redness(c(20))).toBeLessThan(-150)
  })
})

describe('ticks', () => {
  it('pick nice steps', () => {
    expect(niceStep(2.1)).toBe(5)
    expect(nearestNiceStep(2.1)).toBe(2)
    expect(nearestNiceStep(0.0031)).toBeCloseTo(0.002)
    expect(ticksIn(-3.47, 4.2, 2)).toEqual([-2, 0, 2, 4])
    expect(logTicks(0.1, 20)).toEqual([0.1, 0.2, 0.5, 1, 2, 5, 10, 20])
  })
})

describe('styles', () => {
  it('paper is red→blue with a categorical palette; colorblind is viridis + Okabe–Ito', () => {
    expect(STYLES.colorblind.epochColors).toEqual(VIRIDIS_COLORS)
    expect(STYLES.colorblind.categorical).toEqual(OKABE_ITO)
    expect(STYLES.paper.background).toBe('#ffffff')
    expect(STYLES.paper.widthIn).toBe(3.5)
  })
  it('resolveStyle applies overrides and rejects unknown names', () => {
    const s = resolveStyle('paper', { widthIn: 7.16, fontSize: undefined })
    expect(s.widthIn).toBe(7.16)
    expect(s.fontSize).toBe(STYLES.paper.fontSize)
    expect(STYLES.paper.widthIn).toBe(3.5)
    expect(() => resolveStyle('poster')).toThrow(/unknown figure style "poster".*paper/)
  })
})

describe('paths figure', () => {
  const data = syntheticPaths({ nets: 6, stress: 0.08 })

  it('has one lines and one scatter series per run', () => {
    const o = buildPaths(data, paper)
    expect(ofType(o, 'lines')).toHaveLength(1)
    expect(ofType(o, 'scatter')).toHaveLength(1)
    const two = syntheticPaths({ nets: 3, runs: ['a', 'b'] })
    expect(series(buildPaths(two, paper))).toHaveLength(4)
    expect(series(buildPaths(two, paper, { lines: false }))).toHaveLength(2)
    expect(series(buildPaths(two, paper, { points: false }))).toHaveLength(2)
    expect(ofType(buildPaths(two, paper, { points: false }), 'scatter')).toHaveLength(0)
  })

  it('draws every snapshot of every network once', () => {
    const o = buildPaths(data, paper)
    expect(scatterValues(o)).toHaveLength(6 * FIG1_EPOCHS.length)
    // one segment per step when colouring by epoch
    expect(ofType(o, 'lines')[0]!.data).toHaveLength(6 * (FIG1_EPOCHS.length - 1))
  })

  it('filters by epoch window', () => {
    const o = buildPaths(data, paper, { epochWindow: [2, 10] })
    const v = scatterValues(o)
    const inWindow = FIG1_EPOCHS.filter((e) => e >= 2 && e <= 10).length
    expect(v).toHaveLength(6 * inWindow)
    expect(v.every((p) => p[2]! >= 2 && p[2]! <= 10)).toBe(true)
    expect(ofType(o, 'lines')[0]!.data).toHaveLength(6 * (inWindow - 1))
    // open-ended window
    expect(scatterValues(buildPaths(data, paper, { epochWindow: [null, 0.5] })).every((p) => p[2]! <= 0.5)).toBe(true)
  })

  it('filters by network subset (by net index)', () => {
    const o = buildPaths(data, paper, { nets: [1, 4, 99] })
    const nets = new Set(scatterValues(o).map((p) => p[3]))
    expect([...nets].sort()).toEqual([1, 4])
    expect(selectPaths(data, { nets: [4] })[0]!.nets.map((n) => n.net)).toEqual([4])
  })

  it('colours by epoch: first epoch red, last blue, with a matching colour bar', () => {
    const o = buildPaths(data, paper)
    const vm = o.visualMap as Any
    expect(vm.dimension).toBe(2)
    expect(vm.min).toBe(0)
    expect(vm.max).toBe(20)
    expect(vm.inRange.color[0]).toBe(paper.epochColors[0])
    expect(vm.inRange.color.at(-1)).toBe(paper.epochColors.at(-1))
    const segs = ofType(o, 'lines')[0]!.data as Any[]
    const first = segs[0]!.lineStyle.color
    const last = segs[FIG1_EPOCHS.length - 2]!.lineStyle.color
    expect(redness(first)).toBeGreaterThan(100)
    expect(redness(last)).toBeLessThan(-100)
    const graphic = o.graphic as Any[]
    expect(graphic.some((g) => g.type === 'text' && g.style.text === 'epoch')).toBe(true)
    const bar = graphic.find((g) => g.type === 'rect' && g.style.fill?.type === 'linear')
    expect(bar!.style.fill.colorStops[0].color).toBe(paper.epochColors[0])
    // the window re-bases the scale: its first epoch is red
    const w = buildPaths(data, paper, { epochWindow: [2, null] }).visualMap as Any
    expect([w.min, w.max]).toEqual([2, 20])
  })

  it('colours by network with the categorical palette and no colour bar', () => {
    const o = buildPaths(data, paper, { colorBy: 'net' })
    expect(o.visualMap).toBeUndefined()
    const items = ofType(o, 'scatter')[0]!.data as Any[]
    for (const it of items) expect(it.itemStyle.color).toBe(paper.categorical[it.value[3] % paper.categorical.length])
    expect((o.graphic as Any[]).some((g) => g.style?.text === 'epoch')).toBe(false)
  })

  it('keeps one unit the same length on both axes', () => {
    for (const [w, h] of [
      [3.5, 2.4],
      [3.5, 3.5],
      [7.16, 3],
    ] as const) {
      const o = buildPaths(data, { ...paper, widthIn: w, heightIn: h })
      const g = (o.grid as Any[])[0]
      const x = (o.xAxis as Any[])[0]
      const y = (o.yAxis as Any[])[0]
      expect((x.max - x.min) / g.width).toBeCloseTo((y.max - y.min) / g.height, 3)
      // every point inside the ranges
      for (const p of scatterValues(o)) {
        expect(p[0]).toBeGreaterThanOrEqual(x.min)
        expect(p[0]).toBeLessThanOrEqual(x.max)
        expect(p[1]).toBeGreaterThanOrEqual(y.min)
        expect(p[1]).toBeLessThanOrEqual(y.max)
      }
    }
  })

  it('names the axes after the method and captions the stress', () => {
    const o = buildPaths(data, paper)
    expect((o.xAxis as Any[])[0].name).toBe('MDS 1')
    expect((o.yAxis as Any[])[0].name).toBe('MDS 2')
    expect((o.graphic as Any[]).some((g) => g.style?.text === 'τ · MDS · stress-1 0.080')).toBe(true)
    const pca = buildPaths({ ...data, method: 'pca', stress: undefined }, paper)
    expect((pca.xAxis as Any[])[0].name).toBe('PC 1')
    expect((pca.graphic as Any[]).some((g) => /stress/.test(g.style?.text ?? ''))).toBe(false)
  })

  it('overlays runs with a legend and a marker per run', () => {
    const two = syntheticPaths({ nets: 3, runs: ['batch 1', 'batch 100'] })
    const o = buildPaths(two, paper)
    const legend = o.legend as Any
    expect(legend.data.map((d: Any) => d.name)).toEqual(['batch 1', 'batch 100'])
    const markers = ofType(o, 'scatter').map((s) => s.symbol)
    expect(new Set(markers).size).toBe(2)
    expect((o.grid as Any[]).length).toBe(1)
  })

  it('lays several runs out as panels with shared ranges (compare)', () => {
    const three = syntheticPaths({ nets: 3, runs: ['a', 'b', 'c'] })
    const o = buildCompare(three, paper)
    const grids = o.grid as Any[]
    expect(grids).toHaveLength(3)
    const xs = o.xAxis as Any[]
    const ys = o.yAxis as Any[]
    expect(new Set(xs.map((a) => `${a.min},${a.max}`)).size).toBe(1)
    expect(new Set(ys.map((a) => `${a.min},${a.max}`)).size).toBe(1)
    // y labels only on the left column
    expect(ys.map((a) => a.axisLabel.show)).toEqual([true, false, false])
    expect(series(o).map((s) => s.xAxisIndex)).toEqual([0, 0, 1, 1, 2, 2])
    expect((o.graphic as Any[]).filter((g) => ['a', 'b', 'c'].includes(g.style?.text))).toHaveLength(3)
    expect(o.legend).toBeUndefined()
    // overlay on request
    expect((buildCompare(three, paper, { layout: 'overlay' }).grid as Any[]).length).toBe(1)
  })

  it('is plain data (JSON round-trips, no functions)', () => {
    const o = buildCompare(syntheticPaths({ nets: 2, runs: ['a', 'b'], stress: 0.1 }), paper)
    expect(JSON.parse(JSON.stringify(o))).toEqual(o)
  })

  it('copes with empty selections', () => {
    const o = buildPaths(data, paper, { nets: [] })
    expect(scatterValues(o)).toHaveLength(0)
    const empty: PathsData = { runs: [], view: 'kappa', method: 'mds' }
    expect(() => buildFigure('paths', empty, paper)).not.toThrow()
  })
})

describe('tooltips', () => {
  it('format net, epoch, samples seen and test error', () => {
    const html = formatPathTooltip({ seriesName: 'run <1>', value: [0, 0, 0.5, 7, 30000, 0.0312] })
    expect(html).toBe('run &#60;1&#62; · net 7<br>epoch 0.50<br>samples seen 30,000<br>test error 3.12 %')
    expect(formatPathTooltip({ seriesName: '', value: [0, 0, 3, 1, 180000, null] })).toBe(
      'net 1<br>epoch 3<br>samples seen 180,000',
    )
  })
  it('are declared through series dimensions, without functions', () => {
    const s = ofType(buildPaths(syntheticPaths({ nets: 1 }), paper), 'scatter')[0]!
    expect(s.dimensions).toEqual(['x', 'y', 'epoch', 'net', 'samples', 'testError'])
    expect(s.encode.tooltip).toEqual([3, 2, 4, 5])
  })
})

describe('metrics figure', () => {
  const data = syntheticMetrics({ nets: 5 })

  it('has per-network lines, a range band (two stacked series) and a median per panel and run', () => {
    const o = buildMetrics(data, paper, { metrics: ['test_error'] })
    expect(series(o)).toHaveLength(4)
    expect(ofType(o, 'lines')[0]!.data).toHaveLength(5)
    const band = ofType(o, 'line').filter((s) => s.stack)
    expect(band).toHaveLength(2)
    expect(band[1]!.areaStyle).toBeDefined()
    const two = syntheticMetrics({ nets: 3, runs: ['a', 'b'] })
    const all = buildMetrics(two, paper)
    expect((all.grid as Any[]).length).toBe(4)
    expect(series(all)).toHaveLength(4 * 2 * 4)
    expect((all.legend as Any).data.map((d: Any) => d.name)).toEqual(['a', 'b'])
    expect(series(buildMetrics(two, paper, { metrics: ['train_loss'], nets: false, range: false }))).toHaveLength(2)
  })

  it('orders the default metrics and labels errors in percent', () => {
    const o = buildMetrics(data, paper)
    expect((o.yAxis as Any[]).map((a) => a.name)).toEqual([
      'test error (%)',
      'train error (%)',
      'test loss',
      'train loss',
    ])
  })

  it('computes median and range over networks', () => {
    const d: MetricsData = {
      runs: [
        {
          label: 'r',
          epochs: [0, 1, 2],
          series: [
            {
              name: 'test_error',
              perNet: [
                [0.5, 0.1, 0.05],
                [0.7, 0.3, NaN],
                [0.9, 0.2, 0.01],
              ],
            },
          ],
        },
      ],
    }
    const c = metricCurve(d.runs[0]!, 'test_error', {})!
    expect(c.med.map((v) => Number(v!.toFixed(6)))).toEqual([70, 20, 3])
    expect(c.lo.map((v) => Number(v!.toFixed(6)))).toEqual([50, 10, 1])
    expect(c.hi.map((v) => Number(v!.toFixed(6)))).toEqual([90, 30, 5])
    expect(median([3, 1, NaN, 2])).toBe(2)
    const raw = metricCurve(d.runs[0]!, 'test_error', { errorPercent: false })!
    expect(raw.med[1]).toBeCloseTo(0.2)
  })

  it('drops epoch 0 on a log epoch axis and non-positive values on a log value axis', () => {
    const d: MetricsData = {
      runs: [{ label: 'r', epochs: [0, 0.5, 1, 2], series: [{ name: 'train_error', perNet: [[0.9, 0.1, 0, 0.01]] }] }],
    }
    const c = metricCurve(d.runs[0]!, 'train_error', { logX: true, logY: true })!
    expect(c.x).toEqual([0.5, 1, 2])
    expect(c.perNet[0]).toEqual([10, null, 1])
    const o = buildMetrics(d, paper, { logX: true, logY: true })
    expect((o.xAxis as Any[])[0].type).toBe('log')
    expect((o.yAxis as Any[])[0].type).toBe('log')
    expect((o.xAxis as Any[])[0].min).toBeGreaterThan(0)
  })

  it('applies the epoch window', () => {
    const c = metricCurve(data.runs[0]!, 'test_error', { epochWindow: [2, 5] })!
    expect(c.x).toEqual([2, 3, 4, 5])
  })

  it('is plain data', () => {
    const o = buildMetrics(syntheticMetrics({ nets: 2, runs: ['a', 'b'] }), paper, { logY: true })
    expect(JSON.parse(JSON.stringify(o))).toEqual(o)
  })
})

describe('registry', () => {
  it('lists paths, compare and metrics', () => {
    expect(FIGURE_KINDS).toEqual([
      'paths',
      'compare',
      'shepard',
      'metrics',
      'rates',
      'barrier',
      'weightVsFunction',
      'stability',
      'mphate',
    ])
    expect(isFigureKind('paths')).toBe(true)
    expect(isFigureKind('toString')).toBe(false)
    for (const k of FIGURE_KINDS) expect(FIGURES[k].description).toBeTruthy()
  })
  it('sizes figures: the style height when given, else the natural one', () => {
    const d = syntheticPaths({ nets: 3 })
    const natural = buildFigure('paths', d, paper)
    expect(natural.widthIn).toBe(3.5)
    expect(natural.heightIn).toBeGreaterThan(3.5 * 0.5)
    expect(natural.heightIn).toBeLessThan(3.5 * 1.2)
    const fixed = buildFigure('paths', d, { ...paper, heightIn: 2 })
    expect(fixed.heightIn).toBe(2)
    const g = (fixed.option.grid as Any[])[0]
    expect(g.top + g.height).toBeLessThan(2 * PX_PER_IN)
    expect(() => buildFigure('nope' as 'paths', d, paper)).toThrow(/unknown figure kind "nope"/)
  })
})
