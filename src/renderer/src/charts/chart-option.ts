/**
 * From a figure builder's option to an interactive chart: the screen's figure style
 * (the look's style at the container's size), zoom and pan that keep one scale on
 * both axes, tick marks that follow the zoom, and tooltips. Pure (no DOM), so it is
 * unit-tested under Node; FigureChart.vue applies it.
 */
import type { EChartsOption } from 'echarts'
import { colorAt, colorScale, parseColor, toHex } from '../../../shared/figures/color'
import { formatPathTooltip } from '../../../shared/figures/tooltip'
import { resolveStyle, PX_PER_IN, type FigureStyle } from '../../../shared/figures/style'
import { nearestNiceStep, ticksIn } from '../../../shared/figures/ticks'
import type { FigureLook } from '../../../shared/api/contract'

/** Base font size (pt) of figures on screen, unless the look sets one. */
export const SCREEN_FONT_PT = 9

/** The look's figure style at a container's size. Lines and markers grow a little with
 * the chart (a paper figure is 3.5 in wide; on screen it may be 10 in), text does not. */
export function screenStyle(
  look: Pick<FigureLook, 'style' | 'fontSize'>,
  widthPx: number,
  heightPx: number,
): FigureStyle {
  const base = resolveStyle(look.style)
  const grow = Math.min(2, Math.max(1, Math.sqrt(widthPx / (3.5 * PX_PER_IN))))
  return resolveStyle(base, {
    widthIn: Math.max(1, widthPx) / PX_PER_IN,
    heightIn: Math.max(1, heightPx) / PX_PER_IN,
    fontSize: look.fontSize ?? SCREEN_FONT_PT,
    lineWidth: base.lineWidth * grow * 1.2,
    pointSize: base.pointSize * grow,
  })
}

type Obj = Record<string, unknown>
const arr = <T = Obj>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : v ? [v as T] : [])

/** Per axis of a chart: its full range, and the plot's length in px along it. */
export interface AxisFrame {
  min: number
  max: number
  px: number
}

export interface ZoomFrame {
  x: AxisFrame[]
  y: AxisFrame[]
  /** Base font size in px (sets the tick spacing, as the builders do). */
  fpx: number
}

/** The axis ranges and plot sizes of a built paths option (equal-scale axes). */
export function zoomFrame(option: EChartsOption): ZoomFrame {
  const grids = arr(option.grid)
  const axis = (a: Obj, dim: 'width' | 'height'): AxisFrame => {
    const g = grids[Number(a.gridIndex ?? 0)] ?? {}
    return { min: Number(a.min), max: Number(a.max), px: Number(g[dim] ?? 100) }
  }
  const fpx = Number((option.textStyle as Obj | undefined)?.fontSize ?? 12)
  return { x: arr(option.xAxis).map((a) => axis(a, 'width')), y: arr(option.yAxis).map((a) => axis(a, 'height')), fpx }
}

/** A colour rounded to multiples of 4 per channel (at most 2/255 off: invisible), so
 * that a continuous scale falls into a few dozen batches. */
export function quantizeColor(color: string): string {
  const q = (v: number) => Math.min(255, Math.round(v / 4) * 4)
  const [r, g, b] = parseColor(color)
  return toHex([q(r), q(g), q(b)])
}

function group<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>()
  for (const it of items) {
    const k = key(it)
    const g = m.get(k)
    if (g) g.push(it)
    else m.set(k, [it])
  }
  return m
}

/** Levels of a continuous colour scale on screen: 32 steps of a 6-stop scale differ by
 * at most a few units per channel from the exact colour (invisible), and cap the
 * number of batches (see {@link batchPaths}). */
export const SCREEN_SCALE_LEVELS = 32

/** Snaps colours to the nearest of `levels` evenly spaced colours of a scale. */
function scaleSnapper(stops: readonly string[], levels: number): (color: string) => string {
  const palette = Array.from({ length: levels }, (_, k) => colorAt(stops, k / (levels - 1)))
  const rgb = palette.map(parseColor)
  const cache = new Map<string, string>()
  return (color) => {
    let hit = cache.get(color)
    if (hit === undefined) {
      const [r, g, b] = parseColor(color)
      let best = 0
      let bestD = Infinity
      rgb.forEach(([pr, pg, pb], k) => {
        const d = (pr - r) ** 2 + (pg - g) ** 2 + (pb - b) ** 2
        if (d < bestD) {
          bestD = d
          best = k
        }
      })
      cache.set(color, (hit = palette[best]!))
    }
    return hit
  }
}

/**
 * The same picture drawn in batches: ECharts draws a series in "large" mode as one
 * path (fast), but with one colour, so each series of a paths figure is split by
 * colour: path segments by their colour, points by the colour the epoch scale (the
 * visualMap) or their own style gives them. When the figure is coloured by epoch
 * (`epochColors` given), colours snap to {@link SCREEN_SCALE_LEVELS} levels of the
 * scale, so fig5's 1000 epoch colours make at most 32 batches of segments and 32 of
 * points; categorical colours are kept (quantized invisibly, {@link quantizeColor}).
 * Tooltips keep working (large series still find the hovered point).
 */
export function batchPaths(
  option: EChartsOption,
  opts: { epochColors?: readonly string[]; levels?: number } = {},
): EChartsOption {
  const vm = arr(option.visualMap)[0] as
    | { dimension?: number; min?: number; max?: number; seriesIndex?: number[]; inRange?: { color?: string[] } }
    | undefined
  const levels = Math.max(2, opts.levels ?? SCREEN_SCALE_LEVELS)
  const stops = opts.epochColors ?? vm?.inRange?.color
  const snap = opts.epochColors ? scaleSnapper(opts.epochColors, levels) : quantizeColor
  const span = vm && vm.min !== undefined && vm.max !== undefined ? [vm.min, vm.max] : null
  const scale = stops && span ? colorScale(stops, span[0]!, span[1]!) : null
  const levelOf = (v: number) => {
    const t = span && span[1]! > span[0]! ? (v - span[0]!) / (span[1]! - span[0]!) : 0
    return colorAt(stops!, Math.round(Math.min(1, Math.max(0, t)) * (levels - 1)) / (levels - 1))
  }
  const byVisualMap = new Set(vm?.seriesIndex ?? [])
  const series: Obj[] = []
  arr(option.series).forEach((s, i) => {
    const data = arr<unknown>(s.data)
    if (s.type === 'lines') {
      const itemColor = (d: unknown) => (d as { lineStyle?: { color?: string } }).lineStyle?.color ?? ''
      const style = (s.lineStyle ?? {}) as Obj
      for (const [color, items] of group(data, (d) => (itemColor(d) ? snap(itemColor(d)) : ''))) {
        const plain = items.map((d) => ({ coords: (d as { coords: unknown }).coords }))
        series.push({
          ...s,
          large: true,
          largeThreshold: 0,
          data: plain,
          lineStyle: color ? { ...style, color } : style,
        })
      }
    } else if (s.type === 'scatter') {
      const dim = vm?.dimension ?? 2
      const colorOf = (d: unknown): string => {
        if (Array.isArray(d)) return scale && byVisualMap.has(i) ? levelOf(Number(d[dim])) : ''
        const c = (d as { itemStyle?: { color?: string } }).itemStyle?.color
        return c ? quantizeColor(c) : ''
      }
      const item = (s.itemStyle ?? {}) as Obj
      for (const [color, items] of group(data, colorOf)) {
        const values = items.map((d) => (Array.isArray(d) ? d : (d as { value: unknown }).value))
        series.push({
          ...s,
          large: true,
          largeThreshold: 0,
          data: values,
          itemStyle: color ? { ...item, color } : item,
        })
      }
    } else series.push(s)
  })
  const out: EChartsOption = { ...option, series: series as EChartsOption['series'] }
  if (scale) delete out.visualMap
  return out
}

/** The modifier that makes the wheel zoom a plot: the plain wheel scrolls the page, as
 * everywhere else (a trackpad pinch arrives as ctrl+wheel too; ⌘+wheel is passed on as
 * ctrl+wheel by FigureChart.vue). */
export const ZOOM_WHEEL_KEY = 'ctrl' as const

/** Make a paths (or compare) option interactive: drawn in colour batches (fast: a
 * slider move redraws fig1's 3100 points in a frame or two); zoom (ctrl/⌘+wheel, the
 * zoom buttons) and pan (drag) on both axes of every panel together, so panels stay
 * linked and x and y keep one scale; hover tooltips; points and lines clipped to the
 * plot while zoomed. The plain wheel is left to the page (it scrolls). */
export function interactivePaths(
  option: EChartsOption,
  opts: { zoom?: boolean; epochColors?: readonly string[] } = {},
): EChartsOption {
  const xs = arr(option.xAxis).map((_, i) => i)
  const ys = arr(option.yAxis).map((_, i) => i)
  const batched = batchPaths(option, { epochColors: opts.epochColors })
  const out: EChartsOption = {
    ...batched,
    series: arr(batched.series).map((s) => ({ ...s, clip: true })),
    tooltip: {
      trigger: 'item',
      confine: true,
      transitionDuration: 0,
      formatter: formatPathTooltip as never,
      textStyle: { fontSize: 12 },
    },
  }
  if (opts.zoom !== false)
    out.dataZoom = [
      // One per direction: ctrl+wheel zooms both by the same factor about the cursor
      // (one scale kept), a drag pans x by dx and y by dy. The plain wheel never reaches
      // ECharts (FigureChart.vue keeps it for the page, which scrolls).
      {
        type: 'inside',
        id: 'zoom-x',
        xAxisIndex: xs,
        filterMode: 'none',
        zoomOnMouseWheel: ZOOM_WHEEL_KEY,
        moveOnMouseMove: true,
        moveOnMouseWheel: false,
        preventDefaultMouseMove: true,
      },
      {
        type: 'inside',
        id: 'zoom-y',
        yAxisIndex: ys,
        filterMode: 'none',
        zoomOnMouseWheel: ZOOM_WHEEL_KEY,
        moveOnMouseMove: true,
        moveOnMouseWheel: false,
        preventDefaultMouseMove: true,
      },
    ]
  return out
}

/** A zoom window in percent of the full range, per direction. */
export interface ZoomWindow {
  x: [number, number]
  y: [number, number]
}

export const FULL_ZOOM: ZoomWindow = { x: [0, 100], y: [0, 100] }

export function isFullZoom(z: ZoomWindow): boolean {
  return z.x[0] <= 1e-6 && z.x[1] >= 100 - 1e-6 && z.y[0] <= 1e-6 && z.y[1] >= 100 - 1e-6
}

/** The zoom window `factor` times closer (below 1: farther) about its centre, kept
 * inside the full range (the zoom tool's buttons). */
export function scaleZoom(z: ZoomWindow, factor: number): ZoomWindow {
  const one = ([a, b]: [number, number]): [number, number] => {
    const span = Math.min(100, Math.max(1e-3, (b - a) / factor))
    const mid = Math.min(100 - span / 2, Math.max(span / 2, (a + b) / 2))
    return [Math.max(0, mid - span / 2), Math.min(100, mid + span / 2)]
  }
  return { x: one(z.x), y: one(z.y) }
}

/** Two zoom regions (embedding units) alike to rounding, or both absent. */
export function sameRegion(
  a: { x: [number, number]; y: [number, number] } | null | undefined,
  b: { x: [number, number]; y: [number, number] } | null | undefined,
): boolean {
  if (!a || !b) return !a && !b
  const u = Math.max(a.x[1] - a.x[0], a.y[1] - a.y[0], 1e-12) * 1e-6
  const v = [...a.x, ...a.y]
  const w = [...b.x, ...b.y]
  return v.every((x, i) => Math.abs(x - w[i]!) <= u)
}

const visible = (a: AxisFrame, pct: [number, number]): [number, number] => [
  a.min + ((a.max - a.min) * pct[0]) / 100,
  a.min + ((a.max - a.min) * pct[1]) / 100,
]

/** The axis patch (tick interval and positions) for a zoom window: ticks 1-2-5 spaced
 * about as far apart as the builder's, shared by x and y. */
export function zoomedAxes(frame: ZoomFrame, z: ZoomWindow): { xAxis: Obj[]; yAxis: Obj[] } {
  const x0 = frame.x[0]
  const y0 = frame.y[0]
  if (!x0 || !y0) return { xAxis: [], yAxis: [] }
  const [xa, xb] = visible(x0, z.x)
  const [ya, yb] = visible(y0, z.y)
  const unitsPerPx = Math.max((xb - xa) / Math.max(1, x0.px), (yb - ya) / Math.max(1, y0.px))
  const step = nearestNiceStep(unitsPerPx * Math.max(40, frame.fpx * 4.2))
  const patch = (a: AxisFrame, pct: [number, number]) => {
    const [lo, hi] = visible(a, pct)
    const ticks = ticksIn(lo, hi, step)
    return { interval: step, axisTick: { customValues: ticks }, axisLabel: { customValues: ticks } }
  }
  return { xAxis: frame.x.map((a) => patch(a, z.x)), yAxis: frame.y.map((a) => patch(a, z.y)) }
}

/** The data window (in axis units) that a zoom window shows on the first panel. */
export function zoomValues(frame: ZoomFrame, z: ZoomWindow): { x: [number, number]; y: [number, number] } | null {
  const x0 = frame.x[0]
  const y0 = frame.y[0]
  if (!x0 || !y0) return null
  return { x: visible(x0, z.x), y: visible(y0, z.y) }
}

/** The zoom window (percent) showing a data window on a (new) frame, clamped. */
export function zoomForValues(frame: ZoomFrame, v: { x: [number, number]; y: [number, number] }): ZoomWindow {
  const pct = (a: AxisFrame | undefined, w: [number, number]): [number, number] => {
    if (!a || !(a.max > a.min)) return [0, 100]
    const p0 = ((w[0] - a.min) / (a.max - a.min)) * 100
    const p1 = ((w[1] - a.min) / (a.max - a.min)) * 100
    return [Math.max(0, Math.min(100, p0)), Math.max(0, Math.min(100, p1))]
  }
  return { x: pct(frame.x[0], v.x), y: pct(frame.y[0], v.y) }
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

function fmt(v: number): string {
  if (!Number.isFinite(v)) return '—'
  const a = Math.abs(v)
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2)
  return String(Number(v.toPrecision(a >= 100 ? 4 : 3)))
}

/** The role of each series of a metrics option: per-network lines, the two stacked
 * series of the min–max band, or the median. */
export function metricsSeriesRoles(option: EChartsOption): ('nets' | 'lo' | 'span' | 'median')[] {
  return arr(option.series).map((s) =>
    s.type === 'lines' ? 'nets' : s.stack ? (s.areaStyle ? 'span' : 'lo') : 'median',
  )
}

/** An axis tooltip for metrics figures: epoch, then per run the median and range. */
export function metricsTooltip(option: EChartsOption): (params: unknown) => string {
  const roles = metricsSeriesRoles(option)
  return (params: unknown) => {
    const ps = arr<{ seriesIndex: number; seriesName: string; value: unknown; color?: string }>(params)
    if (!ps.length) return ''
    const rows = new Map<string, { med?: number; lo?: number; span?: number; color?: string }>()
    let epoch: number | undefined
    for (const p of ps) {
      const v = Array.isArray(p.value) ? p.value : []
      const x = Number(v[0])
      const y = typeof v[1] === 'number' ? v[1] : NaN
      if (Number.isFinite(x)) epoch ??= x
      const r = rows.get(p.seriesName) ?? {}
      const role = roles[p.seriesIndex]
      if (role === 'median') {
        r.med = y
        r.color = typeof p.color === 'string' ? p.color : r.color
      } else if (role === 'lo') r.lo = y
      else if (role === 'span') r.span = y
      rows.set(p.seriesName, r)
    }
    const lines = [`epoch ${epoch === undefined ? '—' : fmt(epoch)}`]
    for (const [name, r] of rows) {
      const range =
        r.lo !== undefined && r.span !== undefined && Number.isFinite(r.lo + r.span)
          ? ` (${fmt(r.lo)}–${fmt(r.lo + r.span)})`
          : ''
      const dot = r.color
        ? `<span style="display:inline-block;width:8px;height:8px;border-radius:4px;background:${esc(r.color)};margin-right:4px"></span>`
        : ''
      if (r.med !== undefined || range)
        lines.push(
          `${dot}${esc(rows.size > 1 || name ? name + ': ' : '')}${r.med !== undefined ? fmt(r.med) : '—'}${range}`,
        )
    }
    return lines.join('<br>')
  }
}

/** Make a metrics option interactive: axis tooltips with median and range. */
export function interactiveMetrics(option: EChartsOption): EChartsOption {
  return {
    ...option,
    // The builders switch axis pointers off (they draw paper figures); the epoch axis
    // gets one back for the tooltip.
    xAxis: arr(option.xAxis).map((a) => ({ ...a, axisPointer: { show: true, type: 'line', label: { show: false } } })),
    tooltip: {
      trigger: 'axis',
      confine: true,
      transitionDuration: 0,
      axisPointer: { type: 'line', lineStyle: { color: '#888', width: 1, type: 'dashed' } },
      formatter: metricsTooltip(option) as never,
      textStyle: { fontSize: 12 },
    },
  }
}

/** The number of panel columns that draws `n` panels largest in a container `heightPx`
 * tall, given the figure's natural height (px) for each column count at the
 * container's width: a figure taller than the container is shrunk to fit, which
 * shrinks its scale by about that factor; fewer columns give wider panels. Within 10 %,
 * more columns (side by side) win. */
export function bestColumns(n: number, heightPx: number, naturalPx: (columns: number) => number): number {
  const cols = Array.from({ length: Math.max(1, n) }, (_, i) => i + 1)
  const score = cols.map((c) => (1 / c) * Math.min(1, heightPx / Math.max(1, naturalPx(c))))
  const top = Math.max(...score)
  let best = 1
  cols.forEach((c, i) => {
    if (score[i]! >= top / 1.1) best = c
  })
  return best
}
