/**
 * Line-plot panels in the house style (frame.ts): boxed axes with exact ticks, thin
 * per-item lines drawn as one polyline series, bold summary lines, a drawn legend
 * (line samples and text as graphic elements, so exports match the screen). The
 * beyond-the-paper figures (rates, barrier, weightVsFunction) are built on it.
 */
import type { EChartsOption, GraphicComponentOption, LineSeriesOption, LinesSeriesOption, SeriesOption } from 'echarts'
import {
  baseOption,
  frameBox,
  frameMetrics,
  grid,
  labelsWidth,
  round2,
  text,
  xAxis,
  yAxis,
  type FrameMetrics,
  type Rect,
} from './frame'
import { PX_PER_IN, type FigureStyle } from './style'
import { logTicks, niceTicks, textWidth, ticksIn } from './ticks'

export interface LineAxis {
  name: string
  min: number
  max: number
  /** Tick step (linear axes). */
  step?: number
  log?: boolean
  /** See AxisSpec.zeroAt. */
  zeroAt?: number
}

/** One line; a null y breaks it. */
export interface LineSpec {
  points: [number, number | null][]
  color: string
  /** Width relative to the style's line width (1 = a per-network line of metrics). */
  weight: number
  dash?: boolean
  opacity?: number
  z?: number
  /** Mark the points (for lines through few points). */
  symbol?: boolean
}

/** Many thin lines of one colour, drawn as one series. */
export interface LineGroup {
  lines: [number, number][][]
  color: string
  opacity: number
}

export interface LinePanel {
  x: LineAxis
  y: LineAxis
  groups?: LineGroup[]
  lines?: LineSpec[]
  /** Centred grey text (e.g. "no data"). */
  note?: string
}

export interface LegendItem {
  label: string
  color: string
  dash?: boolean
  weight?: number
}

export interface PanelsLayout {
  columns: number
  title?: string
  legend?: LegendItem[]
  /** Panel height / width when the figure's height is free. */
  aspect: number
  /** Tick labels and name of x only on the bottom row (panels sharing x). */
  sharedX?: boolean
}

/** A linear range from nice ticks covering [lo, hi] (from zero when fromZero and lo ≥ 0). */
export function linearAxisRange(
  lo: number,
  hi: number,
  count = 4,
  fromZero = false,
): { min: number; max: number; step: number } {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1]
  if (fromZero && lo >= 0) lo = 0
  if (hi <= lo) hi = lo + (Math.abs(lo) || 1)
  const { step } = niceTicks(lo, hi, count)
  const at = (k: number) => Number((k * step).toPrecision(12))
  return { min: at(Math.floor(lo / step + 1e-9)), max: at(Math.ceil(hi / step - 1e-9)), step }
}

/** A log range from the decade at or below lo to the one at or above hi. */
export function logAxisRange(lo: number, hi: number): { min: number; max: number } {
  if (!(lo > 0) || !Number.isFinite(hi) || !(hi > 0)) return { min: 1, max: 10 }
  const min = 10 ** Math.floor(Math.log10(lo) + 1e-9)
  let max = 10 ** Math.ceil(Math.log10(hi) - 1e-9)
  if (max <= min) max = min * 10
  return { min: Number(min.toPrecision(6)), max: Number(max.toPrecision(6)) }
}

/** Finite values of a list of point lists, for ranges. */
export function extent(values: Iterable<number | null | undefined>): [number, number] {
  let lo = Infinity
  let hi = -Infinity
  for (const v of values) {
    if (typeof v !== 'number' || !Number.isFinite(v)) continue
    lo = Math.min(lo, v)
    hi = Math.max(hi, v)
  }
  return [lo, hi]
}

function tickLabels(a: LineAxis): string[] {
  if (a.log) return logTicks(a.min, a.max).map((v) => (v === a.zeroAt ? '0' : String(v)))
  return []
}

function yLabelsWidth(a: LineAxis, fpx: number): number {
  if (a.log) return Math.max(0, ...tickLabels(a).map((s) => textWidth(s, fpx)))
  const step = a.step ?? niceTicks(a.min, a.max, 4).step
  return labelsWidth(ticksIn(a.min, a.max, step), step, fpx)
}

interface Layout {
  W: number
  H: number
  rects: Rect[]
  yNameGap: number
  xNameGap: number
  titleY?: number
  legendY?: number
  /** Legend items per row. */
  legendRows: LegendItem[][]
}

const legendSample = (m: FrameMetrics) => m.fpx * 1.8
const legendItemWidth = (item: LegendItem, m: FrameMetrics) =>
  legendSample(m) + m.fpx * 0.35 + textWidth(item.label, m.fpx)

/** Legend items wrapped into rows no wider than `width`. */
function wrapLegend(items: LegendItem[], m: FrameMetrics, width: number): LegendItem[][] {
  const rows: LegendItem[][] = []
  let row: LegendItem[] = []
  let used = 0
  for (const item of items) {
    const w = legendItemWidth(item, m)
    if (row.length > 0 && used + m.fpx * 1.1 + w > width) {
      rows.push(row)
      row = []
      used = 0
    }
    used += (row.length ? m.fpx * 1.1 : 0) + w
    row.push(item)
  }
  if (row.length) rows.push(row)
  return rows
}

function layoutPanels(
  panels: LinePanel[],
  style: FigureStyle,
  m: FrameMetrics,
  L: PanelsLayout,
  heightPx?: number,
): Layout {
  const W = style.widthIn * PX_PER_IN
  const cols = Math.max(1, Math.min(panels.length, L.columns))
  const rows = Math.max(1, Math.ceil(panels.length / cols))
  const ylabelW = panels.reduce((w, p) => Math.max(w, yLabelsWidth(p.y, m.fpx)), 0)
  const yNameGap = m.tick + m.labelGap + ylabelW + m.fpx * 0.4
  const yArea = m.fpx * 1.05 + yNameGap
  const right = m.pad + m.fpx * 0.9
  const legendRows = L.legend?.length ? wrapLegend(L.legend, m, W - m.pad - yArea - right) : []
  let y = m.pad
  const out: Partial<Layout> = {}
  if (L.title) {
    out.titleY = y
    y += m.titlePx * 1.35
  }
  if (legendRows.length) {
    out.legendY = y
    y += m.fpx * 1.5 * legendRows.length
  }
  const top = y + (y > m.pad ? m.fpx * 0.2 : m.fpx * 0.5)
  const xNameGap = m.tick + m.labelGap + m.fpx * 1.3
  const xArea = xNameGap + m.fpx * 1.05
  const bottom = xArea + m.pad
  const hgap = m.fpx * 1.2
  const vgap = L.sharedX ? m.fpx * 1.2 : xArea + m.fpx * 0.6
  const pw = Math.max(10, (W - m.pad - right - cols * yArea - (cols - 1) * hgap) / cols)
  const ph = Math.max(10, heightPx !== undefined ? (heightPx - top - bottom - (rows - 1) * vgap) / rows : pw * L.aspect)
  const H = heightPx ?? top + bottom + rows * ph + (rows - 1) * vgap
  const rects = panels.map((_, i) => {
    const c = i % cols
    const r = Math.floor(i / cols)
    return {
      x: round2(m.pad + yArea + c * (yArea + pw + hgap)),
      y: round2(top + r * (ph + vgap)),
      w: round2(pw),
      h: round2(ph),
    }
  })
  return { W, H, rects, yNameGap, xNameGap, legendRows, ...out }
}

const toData = (pts: [number, number | null][]) => pts.map(([x, y]) => [x, y === null || !Number.isFinite(y) ? '-' : y])

/** Panels of lines as an ECharts option, sized by the style (its height, or natural). */
export function linePanelsOption(panels: LinePanel[], style: FigureStyle, L: PanelsLayout): EChartsOption {
  const m = frameMetrics(style)
  const heightPx = style.heightIn !== undefined ? style.heightIn * PX_PER_IN : undefined
  const lay = layoutPanels(panels, style, m, L, heightPx)
  const cols = Math.max(1, Math.min(panels.length, L.columns))
  const axisOf = (a: LineAxis) => ({
    min: a.min,
    max: a.max,
    ...(a.log ? { log: true, ticks: logTicks(a.min, a.max) } : { step: a.step }),
    ...(a.zeroAt !== undefined ? { zeroAt: a.zeroAt } : {}),
  })
  const grids = lay.rects.map((r) => grid(style, m, r))
  const xAxes = panels.map((p, i) => {
    const bottomRow = i + cols >= panels.length
    return xAxis(style, m, {
      gridIndex: i,
      ...axisOf(p.x),
      name: p.x.name,
      labels: L.sharedX ? bottomRow : true,
      nameGap: lay.xNameGap,
    })
  })
  const yAxes = panels.map((p, i) =>
    yAxis(style, m, { gridIndex: i, ...axisOf(p.y), name: p.y.name, nameGap: lay.yNameGap, splitLine: true }),
  )
  const series: SeriesOption[] = []
  panels.forEach((p, i) => {
    const axes = { xAxisIndex: i, yAxisIndex: i }
    for (const g of p.groups ?? []) {
      const lines = g.lines.filter((l) => l.length > 1).map((coords) => ({ coords }))
      if (lines.length === 0) continue
      series.push({
        type: 'lines',
        coordinateSystem: 'cartesian2d',
        ...axes,
        polyline: true,
        silent: true,
        progressive: 0,
        large: false,
        z: 1,
        lineStyle: { color: g.color, width: m.linePx * 0.7, opacity: g.opacity },
        data: lines,
      } as LinesSeriesOption)
    }
    for (const l of p.lines ?? [])
      series.push({
        type: 'line',
        ...axes,
        symbol: l.symbol ? 'circle' : 'none',
        symbolSize: m.pointPx * 1.2,
        showSymbol: !!l.symbol,
        silent: true,
        z: l.z ?? 3,
        connectNulls: false,
        lineStyle: {
          color: l.color,
          width: Math.max(0.75, m.linePx * l.weight),
          opacity: l.opacity ?? 1,
          type: l.dash ? [m.fpx * 0.45, m.fpx * 0.3] : 'solid',
        },
        itemStyle: { color: l.color },
        data: toData(l.points),
      } as LineSeriesOption)
  })
  const graphic: GraphicComponentOption[] = lay.rects.map((r) => frameBox(style, m, r))
  panels.forEach((p, i) => {
    if (!p.note) return
    const r = lay.rects[i]!
    graphic.push(
      text(style, m, {
        text: p.note,
        x: r.x + r.w / 2,
        y: r.y + r.h / 2,
        align: 'center',
        verticalAlign: 'middle',
        color: '#888888',
      }),
    )
  })
  if (L.title && lay.titleY !== undefined)
    graphic.push(text(style, m, { text: L.title, x: lay.rects[0]!.x, y: lay.titleY, size: m.titlePx, weight: 'bold' }))
  if (lay.legendY !== undefined)
    lay.legendRows.forEach((row, r) => {
      let x = lay.rects[0]!.x
      const y = lay.legendY! + m.fpx * (0.55 + 1.5 * r)
      for (const item of row) {
        const width = Math.max(0.75, m.linePx * (item.weight ?? 2.4))
        graphic.push({
          type: 'line',
          silent: true,
          shape: { x1: x, y1: y, x2: x + legendSample(m), y2: y },
          style: {
            stroke: item.color,
            lineWidth: width,
            ...(item.dash ? { lineDash: [m.fpx * 0.45, m.fpx * 0.3] } : {}),
          },
        } as GraphicComponentOption)
        graphic.push(
          text(style, m, { text: item.label, x: x + legendSample(m) + m.fpx * 0.35, y, verticalAlign: 'middle' }),
        )
        x += legendItemWidth(item, m) + m.fpx * 1.1
      }
    })
  return { ...baseOption(style, m), grid: grids, xAxis: xAxes, yAxis: yAxes, series, graphic, tooltip: { show: false } }
}

/** The natural height in inches of a set of panels at the style's width. */
export function linePanelsHeightIn(panels: LinePanel[], style: FigureStyle, L: PanelsLayout): number {
  const m = frameMetrics(style)
  return layoutPanels(panels, style, m, L).H / PX_PER_IN
}

/** Rank-wise (index-wise) median of rows of possibly different lengths, null-aware. */
export function columnMedian(rows: (number | null)[][], length: number): (number | null)[] {
  return Array.from({ length }, (_, j) => {
    const v = rows
      .map((r) => r[j])
      .filter((x): x is number => typeof x === 'number' && Number.isFinite(x))
      .sort((a, b) => a - b)
    if (v.length === 0) return null
    const h = v.length >> 1
    return v.length % 2 ? v[h]! : (v[h - 1]! + v[h]!) / 2
  })
}
