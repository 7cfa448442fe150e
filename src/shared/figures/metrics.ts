/**
 * Metrics figures: test/train error and loss against epoch, one panel per metric.
 * Each network is a thin line; the ensemble's median is bold and its range
 * (min–max over networks) a shaded band. Several runs are overlaid in one colour
 * each, with a legend.
 *
 * Log axes. A log x axis cannot show epoch 0 (the initial weights), and ECharts has
 * no symlog scale, so with `logX` snapshots at epoch ≤ 0 are dropped: the curves
 * start at the first snapshot inside the first epoch, which is where a log axis is
 * useful anyway. With `logY`, values ≤ 0 (e.g. a train error of exactly 0) are
 * dropped from the curves and the band.
 *
 * Errors (metric names containing "error") are fractions in the data and drawn in
 * percent unless `errorPercent: false`.
 */
import type {
  EChartsOption,
  GraphicComponentOption,
  LegendComponentOption,
  LineSeriesOption,
  LinesSeriesOption,
  SeriesOption,
} from 'echarts'
import { resolveRunColors } from '../run-display'
import type { MetricsData } from './data'
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
import { logTicks, niceTicks, textWidth } from './ticks'

export interface MetricsOptions {
  /** Metric names to draw, one panel each; default every metric of the first run,
   * in the order test_error, train_error, test_loss, train_loss, then the others. */
  metrics?: string[]
  /** Log epoch axis (drops epoch 0, see above). */
  logX?: boolean
  /** Log value axis (drops values ≤ 0). */
  logY?: boolean
  /** Per-network thin lines (default true). */
  nets?: boolean
  /** Min–max band over networks (default true). */
  range?: boolean
  /** Ensemble median, bold (default true). */
  median?: boolean
  /** Errors in percent (default true). */
  errorPercent?: boolean
  /** Only snapshots with from ≤ epoch ≤ to. */
  epochWindow?: [number | null, number | null]
  title?: string
  /** Legend of runs (default: when there are several runs). */
  legend?: boolean
  /** Panel columns; default 1 for one metric, else 2. */
  columns?: number
  /** The time slider's epoch: a vertical line across every panel (series `cursor-<panel>`, so
   * that the app moves it alone). Outside the epoch axis (or ≤ 0 on a log axis) it is not drawn. */
  cursor?: number
}

const CANONICAL = ['test_error', 'train_error', 'test_loss', 'train_loss']

/** The metric names a figure draws by default. */
export function defaultMetrics(data: MetricsData): string[] {
  const names = data.runs[0]?.series.map((s) => s.name) ?? []
  return [...CANONICAL.filter((n) => names.includes(n)), ...names.filter((n) => !CANONICAL.includes(n))]
}

const isError = (name: string) => /error/i.test(name)

/** Axis name of a metric. */
export function metricLabel(name: string, percent: boolean): string {
  const base = name.replace(/_/g, ' ')
  return isError(name) && percent ? `${base} (%)` : base
}

/** Median of the finite values (NaN when none). */
export function median(values: number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b)
  if (!v.length) return NaN
  const h = v.length >> 1
  return v.length % 2 ? v[h]! : (v[h - 1]! + v[h]!) / 2
}

interface Curve {
  x: number[]
  perNet: (number | null)[][]
  med: (number | null)[]
  lo: (number | null)[]
  hi: (number | null)[]
}

/** One run's curves for one metric: snapshots filtered (window, log x), values
 * scaled (percent) and filtered (log y). */
export function metricCurve(run: MetricsData['runs'][number], metric: string, o: MetricsOptions): Curve | null {
  const s = run.series.find((q) => q.name === metric)
  if (!s) return null
  const from = o.epochWindow?.[0] ?? -Infinity
  const to = o.epochWindow?.[1] ?? Infinity
  const keep: number[] = []
  run.epochs.forEach((e, i) => {
    if (e >= from && e <= to && (!o.logX || e > 0)) keep.push(i)
  })
  const scale = isError(metric) && o.errorPercent !== false ? 100 : 1
  const val = (v: number | undefined): number | null => {
    if (v === undefined || !Number.isFinite(v)) return null
    const w = v * scale
    return o.logY && !(w > 0) ? null : w
  }
  const perNet = s.perNet.map((row) => keep.map((i) => val(row[i])))
  const col = (j: number) => perNet.map((r) => r[j]).filter((v): v is number => v !== null)
  const med: (number | null)[] = []
  const lo: (number | null)[] = []
  const hi: (number | null)[] = []
  keep.forEach((_, j) => {
    const c = col(j)
    med.push(c.length ? median(c) : null)
    lo.push(c.length ? Math.min(...c) : null)
    hi.push(c.length ? Math.max(...c) : null)
  })
  return { x: keep.map((i) => run.epochs[i]!), perNet, med, lo, hi }
}

interface Range {
  min: number
  max: number
  step?: number
}

function linearRange(lo: number, hi: number, count: number, fromZero: boolean): Range {
  if (!Number.isFinite(lo)) [lo, hi] = [0, 1]
  if (fromZero && lo >= 0) lo = 0
  if (hi <= lo) hi = lo + (Math.abs(lo) || 1)
  const { step } = niceTicks(lo, hi, count)
  // Rounded, so that 6 × 0.05 is 0.3 and not 0.30000000000000004 (ECharts prints the
  // axis ends as they are).
  const at = (k: number) => Number((k * step).toPrecision(12))
  return { min: at(Math.floor(lo / step + 1e-9)), max: at(Math.ceil(hi / step - 1e-9)), step }
}

function logRange(lo: number, hi: number): Range {
  if (!(lo > 0) || !Number.isFinite(hi)) return { min: 1, max: 10 }
  const min = 10 ** Math.floor(Math.log10(lo) + 1e-9)
  let max = 10 ** Math.ceil(Math.log10(hi) - 1e-9)
  if (max <= min) max = min * 10
  return { min, max }
}

function logLabels(r: Range): string[] {
  return logTicks(r.min, r.max).map(String)
}

interface Panel {
  metric: string
  curves: (Curve | null)[]
  y: Range
}

function buildPanels(data: MetricsData, o: MetricsOptions, metrics: string[]): { panels: Panel[]; x: Range } {
  let x0 = Infinity
  let x1 = -Infinity
  const panels = metrics.map((metric) => {
    const curves = data.runs.map((run) => metricCurve(run, metric, o))
    let lo = Infinity
    let hi = -Infinity
    for (const c of curves) {
      if (!c) continue
      for (const x of c.x) {
        x0 = Math.min(x0, x)
        x1 = Math.max(x1, x)
      }
      const rows = [...(o.nets !== false ? c.perNet : []), c.lo, c.hi, c.med]
      for (const r of rows) {
        for (const v of r) {
          if (v === null) continue
          lo = Math.min(lo, v)
          hi = Math.max(hi, v)
        }
      }
    }
    const y = o.logY ? logRange(lo, hi) : linearRange(lo, hi, 4, true)
    return { metric, curves, y }
  })
  let x: Range
  if (!Number.isFinite(x0)) x = o.logX ? { min: 0.1, max: 10 } : { min: 0, max: 1, step: 0.2 }
  else if (o.logX) x = { min: x0, max: x1 > x0 ? x1 : x0 * 10 }
  else {
    const t = niceTicks(x0, x1, 5)
    x = { min: x0, max: x1 > x0 ? x1 : x0 + 1, step: t.step }
  }
  return { panels, x }
}

function resolve(data: MetricsData, opts: MetricsOptions) {
  const metrics = opts.metrics?.length ? opts.metrics : defaultMetrics(data)
  const cols = Math.max(1, Math.min(metrics.length, opts.columns ?? (metrics.length === 1 ? 1 : 2)))
  const legend = opts.legend ?? data.runs.length > 1
  return { metrics, cols, rows: Math.ceil(metrics.length / cols), legend }
}

interface MetricsLayout {
  W: number
  H: number
  rects: Rect[]
  yNameGap: number
  xNameGap: number
  titleY?: number
  legendY?: number
}

function layoutMetrics(
  panels: Panel[],
  style: FigureStyle,
  m: FrameMetrics,
  o: MetricsOptions,
  cols: number,
  rows: number,
  legend: boolean,
  heightPx?: number,
): MetricsLayout {
  const W = style.widthIn * PX_PER_IN
  let y = m.pad
  const out: Partial<MetricsLayout> = {}
  if (o.title) {
    out.titleY = y
    y += m.titlePx * 1.35
  }
  if (legend) {
    out.legendY = y
    y += m.fpx * 1.5
  }
  const top = y + (y > m.pad ? m.fpx * 0.2 : m.fpx * 0.5)
  const ylabelW = panels.reduce((w, p) => {
    const labels = o.logY
      ? logLabels(p.y).map((s) => textWidth(s, m.fpx))
      : [labelsWidth(niceTicks(p.y.min, p.y.max, 4).ticks, p.y.step ?? 1, m.fpx)]
    return Math.max(w, ...labels)
  }, 0)
  const yNameGap = m.tick + m.labelGap + ylabelW + m.fpx * 0.4
  const yArea = m.fpx * 1.05 + yNameGap
  const xNameGap = m.tick + m.labelGap + m.fpx * 1.3
  const bottom = xNameGap + m.fpx * 1.05 + m.pad
  const right = m.pad + m.fpx * 0.9
  const hgap = m.fpx * 1.2
  const vgap = m.fpx * 1.4
  const pw = (W - m.pad - right - cols * yArea - (cols - 1) * hgap) / cols
  const ph =
    heightPx !== undefined ? (heightPx - top - bottom - (rows - 1) * vgap) / rows : pw * (cols === 1 ? 0.62 : 0.8)
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
  return { W, H, rects, yNameGap, xNameGap, ...out }
}

/** Test/train error and loss against epoch. */
export function buildMetrics(data: MetricsData, style: FigureStyle, opts: MetricsOptions = {}): EChartsOption {
  const m = frameMetrics(style)
  const r = resolve(data, opts)
  const { panels, x } = buildPanels(data, opts, r.metrics)
  const heightPx = style.heightIn !== undefined ? style.heightIn * PX_PER_IN : undefined
  const L = layoutMetrics(panels, style, m, opts, r.cols, r.rows, r.legend, heightPx)
  const percent = opts.errorPercent !== false
  const runColors = resolveRunColors(data.runs.map((r) => r.color))
  const runColor = (i: number) => runColors[i]!

  const grids = L.rects.map((rect) => grid(style, m, rect))
  const xAxes = panels.map((_, i) =>
    xAxis(style, m, {
      gridIndex: i,
      min: x.min,
      max: x.max,
      step: x.step,
      log: opts.logX,
      ...(opts.logX ? { ticks: logTicks(x.min, x.max) } : {}),
      name: 'epoch',
      labels: i + r.cols >= panels.length,
      nameGap: L.xNameGap,
    }),
  )
  const yAxes = panels.map((p, i) =>
    yAxis(style, m, {
      gridIndex: i,
      min: p.y.min,
      max: p.y.max,
      step: p.y.step,
      log: opts.logY,
      ...(opts.logY ? { ticks: logTicks(p.y.min, p.y.max) } : {}),
      name: metricLabel(p.metric, percent),
      nameGap: L.yNameGap,
      splitLine: true,
    }),
  )

  const series: SeriesOption[] = []
  panels.forEach((p, pi) => {
    p.curves.forEach((c, ri) => {
      if (!c) return
      const name = data.runs[ri]!.label
      const color = runColor(ri)
      const axes = { xAxisIndex: pi, yAxisIndex: pi }
      if (opts.nets !== false) {
        const lines: { coords: number[][] }[] = []
        for (const row of c.perNet) {
          const coords: number[][] = []
          row.forEach((v, j) => v !== null && coords.push([c.x[j]!, v]))
          if (coords.length > 1) lines.push({ coords })
        }
        series.push({
          type: 'lines',
          name,
          coordinateSystem: 'cartesian2d',
          ...axes,
          polyline: true,
          silent: true,
          progressive: 0,
          large: false,
          z: 1,
          lineStyle: { color, width: m.linePx * 0.7, opacity: 0.28 },
          data: lines,
        } as LinesSeriesOption)
      }
      const pts = (vals: (number | null)[]) => vals.map((v, j) => [c.x[j]!, v ?? '-'])
      if (opts.range !== false) {
        const stack = `range-${pi}-${ri}`
        const common = {
          type: 'line' as const,
          name,
          ...axes,
          stack,
          symbol: 'none',
          silent: true,
          z: 2,
          lineStyle: { opacity: 0, width: 0 },
          connectNulls: false,
        }
        series.push({ ...common, data: pts(c.lo) } as LineSeriesOption)
        series.push({
          ...common,
          data: c.hi.map((v, j) => [c.x[j]!, v !== null && c.lo[j] !== null ? v - c.lo[j]! : '-']),
          areaStyle: { color, opacity: 0.16 },
        } as LineSeriesOption)
      }
      if (opts.median !== false)
        series.push({
          type: 'line',
          name,
          ...axes,
          symbol: 'none',
          z: 3,
          connectNulls: false,
          lineStyle: { color, width: Math.max(1, m.linePx * 2.4) },
          itemStyle: { color },
          data: pts(c.med),
        } as LineSeriesOption)
    })
  })

  if (opts.cursor !== undefined) series.push(...cursorSeries(panels, x, opts.cursor, style, m))

  const graphic: GraphicComponentOption[] = []
  for (const r of L.rects) graphic.push(frameBox(style, m, r))
  if (opts.title && L.titleY !== undefined)
    graphic.push(text(style, m, { text: opts.title, x: L.rects[0]!.x, y: L.titleY, size: m.titlePx, weight: 'bold' }))
  const option: EChartsOption = {
    ...baseOption(style, m),
    grid: grids,
    xAxis: xAxes,
    yAxis: yAxes,
    series,
    graphic,
    tooltip: { trigger: 'axis', confine: true },
  }
  if (r.legend && L.legendY !== undefined)
    option.legend = {
      show: true,
      left: L.rects[0]!.x,
      top: L.legendY,
      padding: 0,
      itemGap: m.fpx,
      itemWidth: m.fpx * 1.6,
      itemHeight: Math.max(2, m.linePx * 2.4),
      textStyle: { fontSize: m.fpx, color: style.foreground, fontFamily: style.fontFamily, padding: [0, 0, 0, 1] },
      data: data.runs.map((run, i) => ({
        name: run.label,
        icon: 'rect',
        itemStyle: { color: runColor(i), borderWidth: 0 },
      })),
    } as LegendComponentOption
  return option
}

/** The time cursor: one dashed vertical line per panel at epoch t, on top of the curves. */
function cursorSeries(
  panels: readonly { y: Range }[],
  x: Range,
  t: number,
  style: FigureStyle,
  m: FrameMetrics,
): LineSeriesOption[] {
  const inside = Number.isFinite(t) && t >= x.min && t <= x.max
  return panels.map((p, pi) => ({
    type: 'line',
    id: `cursor-${pi}`,
    name: 'cursor',
    xAxisIndex: pi,
    yAxisIndex: pi,
    symbol: 'none',
    silent: true,
    animation: false,
    z: 5,
    tooltip: { show: false },
    lineStyle: { color: style.foreground, width: Math.max(1, m.linePx * 1.2), type: 'dashed', opacity: 0.85 },
    data: inside
      ? [
          [t, p.y.min],
          [t, p.y.max],
        ]
      : [],
  }))
}

/** The natural height in inches of a metrics figure of the style's width. */
export function metricsHeightIn(data: MetricsData, style: FigureStyle, opts: MetricsOptions = {}): number {
  const m = frameMetrics(style)
  const r = resolve(data, opts)
  const { panels } = buildPanels(data, opts, r.metrics)
  return layoutMetrics(panels, style, m, opts, r.cols, r.rows, r.legend).H / PX_PER_IN
}
