import { describe, expect, it } from 'vitest'
import { buildFigure, resolveStyle, type PathsData } from '../../../src/shared/figures'
import {
  batchPaths,
  bestColumns,
  quantizeColor,
  interactiveMetrics,
  interactivePaths,
  isFullZoom,
  metricsSeriesRoles,
  sameRegion,
  scaleZoom,
  metricsTooltip,
  screenStyle,
  zoomedAxes,
  zoomForValues,
  zoomFrame,
  zoomValues,
} from '../../../src/renderer/src/charts/chart-option'
import { syntheticMetrics, syntheticPaths } from '../../main/figures/synthetic'

type Any = Record<string, any>

describe('screen style', () => {
  it('is the look’s style at the container’s size, with screen-sized text', () => {
    const s = screenStyle({ style: 'colorblind' }, 960, 480)
    expect(s.widthIn).toBe(10)
    expect(s.heightIn).toBe(5)
    expect(s.fontSize).toBe(9)
    expect(s.epochColors).toEqual(resolveStyle('colorblind').epochColors)
    expect(s.pointSize).toBeGreaterThan(resolveStyle('paper').pointSize)
    expect(screenStyle({ style: 'paper', fontSize: 12 }, 300, 300).fontSize).toBe(12)
  })
})

describe('interactive paths', () => {
  const data: PathsData = syntheticPaths({ nets: 6, runs: ['a', 'b'], stress: 0.1 })
  const style = screenStyle({ style: 'paper' }, 900, 600)

  it('zoom all panels together, x and y separately, without filtering data', () => {
    const { option } = buildFigure('compare', data, style, { layout: 'panels' })
    const o = interactivePaths(option) as Any
    expect(o.dataZoom).toHaveLength(2)
    expect(o.dataZoom[0]).toMatchObject({ type: 'inside', xAxisIndex: [0, 1], filterMode: 'none' })
    expect(o.dataZoom[1]).toMatchObject({ type: 'inside', yAxisIndex: [0, 1], filterMode: 'none' })
    expect(o.series.every((s: Any) => s.clip === true)).toBe(true)
    expect(typeof o.tooltip.formatter).toBe('function')
    expect(interactivePaths(option, { zoom: false }).dataZoom).toBeUndefined()
  })

  it('leave the plain wheel to the page: only ctrl+wheel zooms, the wheel never pans', () => {
    const { option } = buildFigure('paths', data, style)
    const o = interactivePaths(option) as Any
    for (const dz of o.dataZoom) {
      expect(dz.zoomOnMouseWheel).toBe('ctrl')
      expect(dz.moveOnMouseWheel).toBe(false)
      expect(dz.moveOnMouseMove).toBe(true)
    }
  })

  it('zoom by a factor about the middle with the zoom tool, kept inside the full range', () => {
    expect(scaleZoom({ x: [0, 100], y: [0, 100] }, 2)).toEqual({ x: [25, 75], y: [25, 75] })
    expect(scaleZoom({ x: [25, 75], y: [10, 30] }, 0.5)).toEqual({ x: [0, 100], y: [0, 40] })
    // Near an edge: the span is kept, the window moves inside.
    expect(scaleZoom({ x: [80, 100], y: [0, 20] }, 0.5)).toEqual({ x: [60, 100], y: [0, 40] })
    expect(sameRegion({ x: [0, 1], y: [0, 1] }, { x: [0, 1 + 1e-9], y: [0, 1] })).toBe(true)
    expect(sameRegion({ x: [0, 1], y: [0, 1] }, { x: [0, 1.01], y: [0, 1] })).toBe(false)
    expect(sameRegion(undefined, null)).toBe(true)
  })

  it('put ticks 1-2-5 apart for the zoomed window, the same step on both axes', () => {
    const { option } = buildFigure('paths', data, style)
    const frame = zoomFrame(option)
    expect(frame.x[0]!.px).toBeGreaterThan(100)
    const full = zoomedAxes(frame, { x: [0, 100], y: [0, 100] })
    const zoomed = zoomedAxes(frame, { x: [40, 50], y: [40, 50] })
    const step = (a: Any) => a.interval as number
    expect(step(zoomed.xAxis[0]!)).toBeLessThan(step(full.xAxis[0]!))
    expect(step(zoomed.xAxis[0]!)).toBe(step(zoomed.yAxis[0]!))
    const ticks = (zoomed.xAxis[0] as Any).axisTick.customValues as number[]
    const v = zoomValues(frame, { x: [40, 50], y: [40, 50] })!
    expect(ticks.every((t) => t >= v.x[0] - 1e-9 && t <= v.x[1] + 1e-9)).toBe(true)
    expect(ticks.length).toBeGreaterThanOrEqual(2)
  })

  it('keep a zoomed data window across redraws', () => {
    const { option } = buildFigure('paths', data, style)
    const frame = zoomFrame(option)
    const z = { x: [20, 60] as [number, number], y: [10, 50] as [number, number] }
    const back = zoomForValues(frame, zoomValues(frame, z)!)
    expect(back.x[0]).toBeCloseTo(20)
    expect(back.y[1]).toBeCloseTo(50)
    expect(isFullZoom(zoomForValues(frame, zoomValues(frame, { x: [0, 100], y: [0, 100] })!))).toBe(true)
  })
})

describe('drawing in colour batches', () => {
  const data: PathsData = syntheticPaths({ nets: 10, stress: 0.1 })
  const style = screenStyle({ style: 'paper' }, 900, 600)
  const count = (o: Any, type: string) =>
    o.series.filter((s: Any) => s.type === type).reduce((n: number, s: Any) => n + s.data.length, 0)

  it('quantizes colours invisibly', () => {
    expect(quantizeColor('#d7191c')).toBe('#d8181c')
    expect(quantizeColor('#ffffff')).toBe('#ffffff')
  })

  it('keeps every point and segment, each batch of one colour drawn as one path', () => {
    const { option } = buildFigure('paths', data, style)
    const b = batchPaths(option) as Any
    expect(count(b, 'scatter')).toBe(count(option as Any, 'scatter'))
    expect(count(b, 'lines')).toBe(count(option as Any, 'lines'))
    expect(b.visualMap).toBeUndefined()
    const scatter = b.series.filter((s: Any) => s.type === 'scatter')
    expect(scatter.length).toBeGreaterThan(5)
    expect(scatter.every((s: Any) => s.large && /^#[0-9a-f]{6}$/.test(s.itemStyle.color))).toBe(true)
    // The first epoch is red, the last blue (paper scale), as the visualMap had them.
    const at = (e: number) => scatter.find((s: Any) => s.data.some((v: number[]) => v[2] === e)).itemStyle.color
    expect(at(0)).toBe('#d7191c')
    expect(at(20)).toBe('#0b72c9')
    const lines = b.series.filter((s: Any) => s.type === 'lines')
    expect(lines.every((s: Any) => s.large && s.data.every((d: Any) => !d.lineStyle))).toBe(true)
    expect(new Set(lines.map((s: Any) => s.lineStyle.color)).size).toBe(lines.length)
  })

  it('snaps epoch colours to 32 levels of the scale (fig5: 1000 snapshots, at most 64 batches)', () => {
    const epochs = Array.from({ length: 1001 }, (_, i) => i / 2)
    const fig5: PathsData = {
      view: 'tau',
      method: 'smacof',
      runs: [
        {
          label: 'r',
          nets: [0, 1].map((net) => ({
            net,
            points: epochs.map((epoch, i) => ({
              x: Math.cos(i / 50) * (net + 1),
              y: Math.sin(i / 50),
              epoch,
              samples: i,
            })),
          })),
        },
      ],
    }
    const { option } = buildFigure('paths', fig5, style)
    const b = batchPaths(option, { epochColors: style.epochColors }) as Any
    const scatter = b.series.filter((s: Any) => s.type === 'scatter')
    const lines = b.series.filter((s: Any) => s.type === 'lines')
    expect(scatter.length).toBeLessThanOrEqual(32)
    expect(lines.length).toBeLessThanOrEqual(32)
    expect(count(b, 'scatter')).toBe(2002)
    expect(count(b, 'lines')).toBe(2000)
    // Level colours are the scale's, first and last exact.
    const colours = new Set(scatter.map((s: Any) => s.itemStyle.color))
    expect(colours.has(style.epochColors[0]!.toLowerCase())).toBe(true)
    expect(colours.has(style.epochColors[style.epochColors.length - 1]!.toLowerCase())).toBe(true)
  })

  it('batches by network colour, keeping series names for tooltips and legends', () => {
    const two: PathsData = syntheticPaths({ nets: 12, runs: ['a', 'b'] })
    const { option } = buildFigure('paths', two, style, { colorBy: 'net' })
    const b = batchPaths(option) as Any
    expect(count(b, 'scatter')).toBe(count(option as Any, 'scatter'))
    // 10 categorical colours, two runs.
    expect(b.series.filter((s: Any) => s.type === 'scatter')).toHaveLength(20)
    expect(new Set(b.series.map((s: Any) => s.name))).toEqual(new Set(['a', 'b']))
    expect(b.series.filter((s: Any) => s.type === 'lines' && s.polyline)).toHaveLength(20)
  })
})

describe('panel columns', () => {
  it('stack panels when that draws them larger, side by side when nearly as large', () => {
    // Natural heights: one column 900 px, two 300, three 200; container 700 px tall.
    const natural = (c: number) => [0, 900, 300, 200][c]!
    expect(bestColumns(2, 700, natural)).toBe(1)
    expect(bestColumns(2, 2000, natural)).toBe(1)
    // Short containers: side by side (as large, or nearly).
    expect(bestColumns(3, 250, natural)).toBe(2)
    expect(bestColumns(3, 200, natural)).toBe(3)
    expect(bestColumns(1, 100, natural)).toBe(1)
  })
})

describe('interactive metrics', () => {
  it('tell per-network lines, band and median apart, and show median and range on hover', () => {
    const data = syntheticMetrics({ runs: ['a', 'b'] })
    const { option } = buildFigure('metrics', data, screenStyle({ style: 'paper' }, 900, 500), {
      metrics: ['test_error'],
    })
    const roles = metricsSeriesRoles(option)
    expect(roles.filter((r) => r === 'median')).toHaveLength(2)
    expect(roles.filter((r) => r === 'nets')).toHaveLength(2)
    const o = interactiveMetrics(option) as Any
    expect(o.tooltip.trigger).toBe('axis')
    expect(o.xAxis[0].axisPointer.show).toBe(true)
    const fmt = metricsTooltip(option)
    const params = roles.map((role, i) => ({
      seriesIndex: i,
      seriesName: i < roles.length / 2 ? 'a' : 'b',
      value: [1, role === 'span' ? 2 : role === 'lo' ? 3 : 4],
      color: '#123456',
    }))
    const html = fmt(params)
    expect(html).toContain('epoch 1')
    expect(html).toContain('a: 4 (3–5)')
    expect(html).toContain('b: 4 (3–5)')
  })
})
