/**
 * Paths figures (the paper's Figs 1–8): every network's snapshots in the 2-D
 * embedding, as points joined in snapshot order, coloured by epoch (red → blue, as in
 * the paper), by network or by run. Several runs are overlaid in one plot (a marker
 * shape and a dash pattern per run, with a legend) or drawn as a grid of panels that
 * share axis ranges.
 *
 * Both axes have the same scale (one embedding unit is the same length on x and y):
 * the plot rectangles are laid out in exact pixels and the ranges widened to match
 * their aspect, which is what an embedding needs to be read at all.
 */
import { fitText } from './diagnostics'
import type {
  EChartsOption,
  GraphicComponentOption,
  LegendComponentOption,
  LinesSeriesOption,
  ScatterSeriesOption,
  SeriesOption,
} from 'echarts'
import { resolveRunColors } from '../run-display'
import { colorScale, gradientStops } from './color'
import type { PathPoint, PathsData } from './data'
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
import { formatTick, nearestNiceStep, niceStep, niceTicks, textWidth, ticksIn } from './ticks'
import { PATH_DIMENSIONS, type PathPointValue } from './tooltip'

export interface PathsOptions {
  /** 'overlay' (default for `paths`): all runs in one plot; 'panels' (default for
   * `compare`): one panel per run, shared axis ranges. */
  layout?: 'overlay' | 'panels'
  /** Colour of points and lines: by epoch (default, continuous scale with a colour
   * bar), by network (categorical, network k has the same colour in every run), or by run. */
  colorBy?: 'epoch' | 'net' | 'run' | 'stress'
  /** A selected point and its true nearest neighbours (paths.neighbours), drawn enlarged on top:
   * run is the index in data.runs, snapshot the point's PathPoint.snapshot. */
  highlight?: { point: PointKey; neighbours: PointKey[] }
  /** Only snapshots with from ≤ epoch ≤ to (either end may be null = open). */
  epochWindow?: [number | null, number | null]
  /** Only these networks (by `net` index); default all. */
  nets?: number[]
  /** Leave out the initial snapshot (epoch 0): far from the rest, it otherwise sets the axes. */
  hideInitial?: boolean
  /** Draw the snapshots as markers (default true). */
  points?: boolean
  /** Join each network's snapshots in order (default true). */
  lines?: boolean
  title?: string
  /** Caption above the plot: `true` = view, method and stress (default: shown when
   * the data has a stress), a string = that text, `false` = none. */
  caption?: boolean | string
  /** Colour bar for the epoch scale (default true when colouring by epoch). */
  colorbar?: boolean
  /** Legend of runs (default: when several runs are overlaid). */
  legend?: boolean
  /** Axis names; default from the method ("MDS 1"/"MDS 2", "PC 1"/"PC 2", …). */
  axisNames?: [string, string]
  /** Panel columns (panels layout); default: all in one row up to 3 runs, else √n. */
  columns?: number
  /**
   * One frame of an animation: only the snapshots with epoch ≤ until are drawn, each network's
   * latest one ringed, with "epoch …" in the plot's corner; axes, colour bar and legend stay
   * those of the whole selection, so that every frame has the same frame.
   */
  until?: number
  /** Show only this region (embedding units: the app's zoom), points and lines clipped to it;
   * default the extent of what is shown. */
  region?: { x: [number, number]; y: [number, number] }
}

/** The epochs of an animation's frames: every snapshot the figure shows, in order (one frame each). */
export function animationEpochs(
  data: PathsData,
  opts: Pick<PathsOptions, 'epochWindow' | 'nets' | 'hideInitial'> = {},
): number[] {
  const epochs = new Set<number>()
  for (const r of selectPaths(data, opts)) for (const n of r.nets) for (const p of n.points) epochs.add(p.epoch)
  return [...epochs].sort((a, b) => a - b)
}

/** An epoch as a frame's label: at most 4 significant digits, no trailing zeros. */
function epochLabel(e: number): string {
  return `epoch ${Number(e.toPrecision(4))}`
}

export interface PointKey {
  run: number
  net: number
  snapshot: number
}

/** Per-point stress colours (colorBy 'stress'): light (well represented) to dark red. */
export const STRESS_COLORS = ['#fff5d6', '#fdbb6c', '#e8552e', '#a50026', '#4a0012'] as const
/** The stress scale ends at this quantile of the points' values (the few above it take the top
 * colour), so that one outlier does not wash out the rest. */
export const STRESS_TOP_QUANTILE = 0.98

/** A point's stress as a multiple of the average (share × number of points: 1 = average). */
export function stressScale(data: PathsData): { n: number; top: number } {
  const v: number[] = []
  for (const r of data.runs)
    for (const n of r.nets) for (const p of n.points) if (p.stress !== undefined) v.push(p.stress)
  const n = v.length
  if (n === 0) return { n: 0, top: 1 }
  v.sort((a, b) => a - b)
  const top = v[Math.min(n - 1, Math.floor(STRESS_TOP_QUANTILE * (n - 1)))]! * n
  return { n, top: top > 0 ? top : 1 }
}

/** Marker per run in overlays (ECharts built-in symbols). */
export const RUN_MARKERS = [
  'circle',
  'triangle',
  'rect',
  'diamond',
  'emptyCircle',
  'emptyTriangle',
  'emptyRect',
  'emptyDiamond',
] as const
/** Dash pattern per run in overlays. */
export const RUN_DASHES = ['solid', 'dashed', 'dotted'] as const

export interface ShownRun {
  label: string
  nets: { net: number; points: PathPoint[] }[]
}

/** The runs, networks and snapshots a paths figure shows: the network subset and the
 * epoch window applied (networks left without points are dropped). */
export function selectPaths(
  data: PathsData,
  opts: Pick<PathsOptions, 'epochWindow' | 'nets' | 'hideInitial'> = {},
): ShownRun[] {
  const from = Math.max(opts.epochWindow?.[0] ?? -Infinity, opts.hideInitial ? Number.MIN_VALUE : -Infinity)
  const to = opts.epochWindow?.[1] ?? Infinity
  const subset = opts.nets ? new Set(opts.nets) : null
  return data.runs.map((run) => ({
    label: run.label,
    nets: run.nets
      .filter((n) => !subset || subset.has(n.net))
      .map((n) => ({
        net: n.net,
        points: n.points.filter(
          (p) => p.epoch >= from && p.epoch <= to && Number.isFinite(p.x) && Number.isFinite(p.y),
        ),
      }))
      .filter((n) => n.points.length > 0),
  }))
}

/** Axis names for an embedding method. */
export function embeddingAxisNames(method: string): [string, string] {
  const m = method.toLowerCase()
  const base =
    m === 'pca'
      ? 'PC'
      : m === 'inpca'
        ? 'InPCA'
        : m === 'tsne'
          ? 't-SNE'
          : m === 'umap'
            ? 'UMAP'
            : m === 'phate'
              ? 'PHATE'
              : 'MDS'
  return [`${base} 1`, `${base} 2`]
}

/** Caption text: view, method, the method's goodness of fit and, when known, the
 * neighbourhood scores at k = 10 (T trustworthiness, C continuity, ρ rank correlation). */
export function pathsCaption(data: PathsData): string {
  const view = data.view === 'tau' ? 'τ' : 'κ'
  const method = embeddingAxisNames(data.method)[0].replace(/ 1$/, '')
  const fit = data.fit ?? (data.stress !== undefined ? { name: 'stress-1' as const, value: data.stress } : undefined)
  const parts = [view, method]
  // t-SNE's and UMAP's fit is T₁₀ itself, given below.
  if (fit && Number.isFinite(fit.value) && fit.name !== 'trustworthiness (k = 10)') parts.push(fitText(fit))
  const nb = data.neighbourhood
  const a = nb ? nb.k.indexOf(10) : -1
  if (nb && a >= 0 && Number.isFinite(nb.trustworthiness[a]!)) {
    parts.push(`T₁₀ ${nb.trustworthiness[a]!.toFixed(3)}`, `C₁₀ ${nb.continuity[a]!.toFixed(3)}`)
  }
  if (nb && Number.isFinite(nb.rankCorrelation)) parts.push(`ρ ${nb.rankCorrelation.toFixed(3)}`)
  return parts.join(' · ')
}

interface PathsLayout {
  W: number
  H: number
  cols: number
  rows: number
  panels: Rect[]
  xr: [number, number]
  yr: [number, number]
  step: number
  xNameGap: number
  yNameGap: number
  titleY?: number
  captionY?: number
  legend?: { x: number; y: number }
  colorbar?: Rect & { labelY: number; ticks: number[]; tickStep: number }
  epochRange: [number, number]
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v))

function extentOf(shown: ShownRun[], region?: PathsOptions['region']) {
  let x0 = Infinity,
    x1 = -Infinity,
    y0 = Infinity,
    y1 = -Infinity,
    e0 = Infinity,
    e1 = -Infinity
  for (const r of shown)
    for (const n of r.nets)
      for (const p of n.points) {
        if (p.x < x0) x0 = p.x
        if (p.x > x1) x1 = p.x
        if (p.y < y0) y0 = p.y
        if (p.y > y1) y1 = p.y
        if (p.epoch < e0) e0 = p.epoch
        if (p.epoch > e1) e1 = p.epoch
      }
  if (!Number.isFinite(x0)) [x0, x1, y0, y1, e0, e1] = [-1, 1, -1, 1, 0, 1]
  if (e1 <= e0) e1 = e0 + 1
  // A zoomed region is drawn as it is (the epoch scale stays that of everything shown).
  if (region && region.x[1] > region.x[0] && region.y[1] > region.y[0])
    return {
      x: [...region.x] as [number, number],
      y: [...region.y] as [number, number],
      e: [e0, e1] as [number, number],
    }
  // A degenerate extent (one point, or points on a line) gets the other axis' span.
  const span = Math.max(x1 - x0, y1 - y0) || 2
  if (x1 - x0 < span * 1e-3) {
    x0 -= span / 2
    x1 += span / 2
  }
  if (y1 - y0 < span * 1e-3) {
    y0 -= span / 2
    y1 += span / 2
  }
  const m = Math.max(x1 - x0, y1 - y0) * 0.04
  return {
    x: [x0 - m, x1 + m] as [number, number],
    y: [y0 - m, y1 + m] as [number, number],
    e: [e0, e1] as [number, number],
  }
}

interface LegendItem {
  name: string
}

function legendWidth(items: LegendItem[], m: FrameMetrics): number {
  return items.reduce((w, it) => w + m.fpx * 1.6 + 4 + textWidth(it.name, m.fpx) + m.fpx, 0)
}

function layoutPaths(
  shown: ShownRun[],
  style: FigureStyle,
  m: FrameMetrics,
  o: ResolvedPathsOptions,
  heightPx: number | undefined,
): PathsLayout {
  const W = style.widthIn * PX_PER_IN
  const ext = extentOf(shown, o.region)
  const rx = ext.x[1] - ext.x[0]
  const ry = ext.y[1] - ext.y[0]
  const nPanels = o.layout === 'panels' ? Math.max(1, shown.length) : 1
  const cols =
    o.layout === 'panels' ? clamp(o.columns ?? (nPanels <= 3 ? nPanels : Math.ceil(Math.sqrt(nPanels))), 1, nPanels) : 1
  const rows = Math.ceil(nPanels / cols)
  const panelTitleH = o.layout === 'panels' ? m.fpx * 1.45 : 0
  const hgap = m.fpx * 0.9
  const vgap = m.fpx * 0.5

  // Header: title (left) and caption (right) on one row, the legend below, or the
  // legend and caption together when there is no title and they fit.
  let y = m.pad
  const out: Partial<PathsLayout> = {}
  const legendItems = o.legend ? shown.map((r) => ({ name: r.label })) : []
  const captionW = o.captionText ? textWidth(o.captionText, m.fpx * 0.9) : 0
  if (o.title) {
    out.titleY = y
    if (o.captionText) out.captionY = y + (m.titlePx - m.fpx * 0.9) / 2
    y += m.titlePx * 1.35
  }
  if (legendItems.length) {
    out.legend = { x: 0, y }
    if (
      o.captionText &&
      out.captionY === undefined &&
      legendWidth(legendItems, m) + captionW + 2 * m.fpx < W - 2 * m.pad
    )
      out.captionY = y
    y += m.fpx * 1.5
  }
  if (o.captionText && out.captionY === undefined) {
    out.captionY = y
    y += m.fpx * 1.3
  }
  const top = y + (y > m.pad ? m.fpx * 0.2 : m.fpx * 0.5) + panelTitleH

  // Colour bar on the right.
  const barW = Math.max(6, m.fpx * 0.75)
  const barGap = m.fpx * 1.0
  const barRange = o.bar?.range ?? ext.e
  const eTicks = niceTicks(barRange[0], barRange[1], 4)
  const eLabelW = labelsWidth(eTicks.ticks, eTicks.step, m.fpx)
  const right = o.colorbar
    ? m.pad + barGap + Math.max(barW + m.tick + m.labelGap + eLabelW, textWidth(o.bar?.label ?? 'epoch', m.fpx))
    : m.pad + m.fpx * 0.9
  const xNameGap = m.tick + m.labelGap + m.fpx * 1.3
  const bottom = xNameGap + m.fpx * 1.05 + m.pad

  // Left margin depends on the y tick labels, which depend on the scale: iterate.
  let ylabelW = labelsWidth(niceTicks(ext.y[0], ext.y[1], 4).ticks, 1, m.fpx)
  let L!: PathsLayout
  for (let pass = 0; pass < 3; pass++) {
    const yNameGap = m.tick + m.labelGap + ylabelW + m.fpx * 0.4
    const left = m.pad + m.fpx * 1.05 + yNameGap
    const pw = (W - left - right - (cols - 1) * hgap) / cols
    const aspect = clamp(ry / rx, 0.62, 1.0)
    const ph =
      heightPx !== undefined ? (heightPx - top - bottom - (rows - 1) * (vgap + panelTitleH)) / rows : pw * aspect
    const H = heightPx ?? top + bottom + rows * ph + (rows - 1) * (vgap + panelTitleH)
    const s = Math.max(rx / Math.max(pw, 1), ry / Math.max(ph, 1))
    const cx = (ext.x[0] + ext.x[1]) / 2
    const cy = (ext.y[0] + ext.y[1]) / 2
    const xr: [number, number] = [cx - (s * pw) / 2, cx + (s * pw) / 2]
    const yr: [number, number] = [cy - (s * ph) / 2, cy + (s * ph) / 2]
    const step = nearestNiceStep(s * Math.max(40, m.fpx * 4.2))
    const panels: Rect[] = []
    for (let i = 0; i < nPanels; i++) {
      const c = i % cols
      const r = Math.floor(i / cols)
      panels.push({
        x: round2(left + c * (pw + hgap)),
        y: round2(top + r * (ph + vgap + panelTitleH)),
        w: round2(pw),
        h: round2(ph),
      })
    }
    L = { W, H, cols, rows, panels, xr, yr, step, xNameGap, yNameGap, epochRange: ext.e, ...out }
    const newW = labelsWidth(ticksIn(yr[0], yr[1], step), step, m.fpx)
    if (Math.abs(newW - ylabelW) < 0.5) break
    ylabelW = newW
  }
  if (L.legend) L.legend.x = L.panels[0]!.x
  if (o.colorbar) {
    const plotsTop = L.panels[0]!.y
    const last = L.panels[L.panels.length - 1]!
    const plotsBottom = last.y + last.h
    const plotsRight = L.panels[Math.min(cols, nPanels) - 1]!.x + L.panels[0]!.w
    const labelY = o.layout === 'panels' ? plotsTop - panelTitleH : plotsTop
    const barTop = labelY + m.fpx * 1.45
    const h = Math.max(m.fpx * 3, plotsBottom - barTop)
    // At most one label per ~2 lines of text: the step is rounded up, never down.
    const nt = clamp(Math.floor(h / (m.fpx * 2.2)), 2, 6)
    const tStep = niceStep((barRange[1] - barRange[0]) / nt)
    const t = { step: tStep, ticks: ticksIn(barRange[0], barRange[1], tStep) }
    L.colorbar = {
      x: round2(plotsRight + barGap),
      y: round2(barTop),
      w: barW,
      h: round2(h),
      labelY,
      ticks: t.ticks,
      tickStep: t.step,
    }
  }
  return L
}

interface ResolvedPathsOptions {
  layout: 'overlay' | 'panels'
  colorBy: 'epoch' | 'net' | 'run' | 'stress'
  /** The colour bar of a scale other than epochs (per-point stress). */
  bar?: { label: string; range: [number, number]; colors: readonly string[] }
  points: boolean
  lines: boolean
  title?: string
  captionText?: string
  colorbar: boolean
  legend: boolean
  axisNames: [string, string]
  columns?: number
  region?: PathsOptions['region']
}

function resolveOptions(
  data: PathsData,
  opts: PathsOptions,
  defaultLayout: 'overlay' | 'panels',
): ResolvedPathsOptions {
  const layout = opts.layout ?? defaultLayout
  // Data without per-point stress (a cached embedding from before it was recorded) keeps epochs.
  const hasStress = data.runs.some((r) => r.nets.some((n) => n.points.some((p) => p.stress !== undefined)))
  const colorBy = opts.colorBy === 'stress' && !hasStress ? 'epoch' : (opts.colorBy ?? 'epoch')
  const bar =
    colorBy === 'stress'
      ? { label: 'stress ×avg', range: [0, stressScale(data).top] as [number, number], colors: STRESS_COLORS }
      : undefined
  const points = opts.points ?? true
  const lines = opts.lines ?? true
  const captionText =
    typeof opts.caption === 'string'
      ? opts.caption
      : (opts.caption ?? (data.stress !== undefined || data.fit !== undefined))
        ? pathsCaption(data)
        : undefined
  return {
    layout,
    colorBy,
    ...(bar ? { bar } : {}),
    points,
    lines,
    title: opts.title || undefined,
    captionText: captionText || undefined,
    colorbar: (colorBy === 'epoch' || colorBy === 'stress') && (opts.colorbar ?? true) && (points || lines),
    legend: opts.legend ?? (layout === 'overlay' && data.runs.length > 1),
    axisNames: opts.axisNames ?? embeddingAxisNames(data.method),
    columns: opts.columns,
    ...(opts.region ? { region: opts.region } : {}),
  }
}

/** Legend icons for dash patterns (ECharts `path://` symbols, stretched to the item box). */
const DASH_ICONS: Record<(typeof RUN_DASHES)[number], string> = {
  solid: 'path://M0 0H24V3H0Z',
  dashed: 'path://M0 0H7V3H0ZM8.5 0H15.5V3H8.5ZM17 0H24V3H17Z',
  dotted: 'path://M0 0H3V3H0ZM5.25 0H8.25V3H5.25ZM10.5 0H13.5V3H10.5ZM15.75 0H18.75V3H15.75ZM21 0H24V3H21Z',
}

function buildPathsOption(
  data: PathsData,
  style: FigureStyle,
  opts: PathsOptions,
  defaultLayout: 'overlay' | 'panels',
): EChartsOption {
  const m = frameMetrics(style)
  const o = resolveOptions(data, opts, defaultLayout)
  const all = selectPaths(data, opts)
  const heightPx = style.heightIn !== undefined ? style.heightIn * PX_PER_IN : undefined
  // Laid out on the whole selection: an animation's frames (until) share axes and colours.
  const L = layoutPaths(all, style, m, o, heightPx)
  const until = opts.until
  const shown =
    until === undefined
      ? all
      : all.map((r) => ({
          label: r.label,
          nets: r.nets.map((n) => ({ net: n.net, points: n.points.filter((q) => q.epoch <= until) })),
        }))
  const overlay = o.layout === 'overlay'
  const epochColor = colorScale(style.epochColors, L.epochRange[0], L.epochRange[1])
  const cat = style.categorical
  const netColor = (net: number) => cat[((net % cat.length) + cat.length) % cat.length]!
  const runColors = resolveRunColors(data.runs.map((r) => r.color))
  const runColor = (r: number) => runColors[r]!
  const stressN = o.colorBy === 'stress' ? stressScale(data).n : 0
  const stressColor = o.bar ? colorScale(o.bar.colors, o.bar.range[0], o.bar.range[1]) : null
  const pointColor = (q: PathPoint) => stressColor!(Math.min((q.stress ?? 0) * stressN, o.bar!.range[1]))

  const grids = L.panels.map((r) => grid(style, m, r))
  const xAxes = L.panels.map((_, i) => {
    const bottomRow = Math.floor(i / L.cols) === L.rows - 1 || i + L.cols >= L.panels.length
    return xAxis(style, m, {
      gridIndex: i,
      min: L.xr[0],
      max: L.xr[1],
      step: L.step,
      ticks: ticksIn(L.xr[0], L.xr[1], L.step),
      name: o.axisNames[0],
      labels: bottomRow,
      nameGap: L.xNameGap,
    })
  })
  const yAxes = L.panels.map((_, i) =>
    yAxis(style, m, {
      gridIndex: i,
      min: L.yr[0],
      max: L.yr[1],
      step: L.step,
      ticks: ticksIn(L.yr[0], L.yr[1], L.step),
      name: o.axisNames[1],
      labels: i % L.cols === 0,
      nameGap: L.yNameGap,
    }),
  )

  const series: SeriesOption[] = []
  const scatterIdx: number[] = []
  shown.forEach((run, r) => {
    const p = overlay ? 0 : r
    const dash = overlay ? RUN_DASHES[r % RUN_DASHES.length]! : 'solid'
    if (o.lines) {
      const lineData: { coords: number[][]; lineStyle: { color: string } }[] = []
      for (const n of run.nets) {
        const pts = n.points
        if (pts.length < 2) continue
        if (o.colorBy === 'epoch') {
          // One segment per step, coloured by the epoch halfway along it.
          for (let i = 1; i < pts.length; i++) {
            const a = pts[i - 1]!
            const b = pts[i]!
            lineData.push({
              coords: [
                [a.x, a.y],
                [b.x, b.y],
              ],
              lineStyle: { color: epochColor((a.epoch + b.epoch) / 2) },
            })
          }
        } else {
          lineData.push({
            coords: pts.map((q) => [q.x, q.y]),
            // By stress the points carry the colour; the lines stay a quiet grey.
            lineStyle: {
              color: o.colorBy === 'net' ? netColor(n.net) : o.colorBy === 'stress' ? '#b8b8b8' : runColor(r),
            },
          })
        }
      }
      series.push({
        type: 'lines',
        name: run.label,
        coordinateSystem: 'cartesian2d',
        xAxisIndex: p,
        yAxisIndex: p,
        polyline: o.colorBy !== 'epoch',
        clip: true,
        silent: true,
        z: 1,
        progressive: 0,
        large: false,
        lineStyle: { width: m.linePx, opacity: 0.7, type: dash, cap: 'round', join: 'round' },
        data: lineData,
      } as LinesSeriesOption)
    }
    if (o.points) {
      const marker = overlay ? RUN_MARKERS[r % RUN_MARKERS.length]! : 'circle'
      const size = marker.includes('riangle')
        ? m.pointPx * 1.3
        : marker.includes('ect') || marker.includes('iamond')
          ? m.pointPx * 1.05
          : m.pointPx
      const values: (PathPointValue | { value: PathPointValue; itemStyle: { color: string } })[] = []
      for (const n of run.nets)
        for (const q of n.points) {
          const v: PathPointValue = [q.x, q.y, q.epoch, n.net, q.samples, q.testError ?? null]
          if (o.colorBy === 'epoch') values.push(v)
          else {
            const color = o.colorBy === 'net' ? netColor(n.net) : o.colorBy === 'stress' ? pointColor(q) : runColor(r)
            values.push({ value: v, itemStyle: { color } })
          }
        }
      scatterIdx.push(series.length)
      series.push({
        type: 'scatter',
        name: run.label,
        xAxisIndex: p,
        yAxisIndex: p,
        symbol: marker,
        symbolSize: round2(size),
        clip: true,
        z: 2,
        progressive: 0,
        large: false,
        dimensions: [...PATH_DIMENSIONS],
        encode: { x: 0, y: 1, tooltip: [3, 2, 4, 5] },
        itemStyle: { opacity: 0.9, borderWidth: 0 },
        emphasis: { scale: 1.8 },
        data: values,
      } as ScatterSeriesOption)
    }
    if (until !== undefined) {
      // Where each network is at this frame's snapshot: its latest point, ringed.
      const marker = overlay ? RUN_MARKERS[r % RUN_MARKERS.length]! : 'circle'
      const now: { value: [number, number]; itemStyle: { color: string } }[] = []
      for (const n of run.nets) {
        const q = n.points[n.points.length - 1]
        if (!q) continue
        const color = o.colorBy === 'epoch' ? epochColor(q.epoch) : o.colorBy === 'net' ? netColor(n.net) : runColor(r)
        now.push({ value: [q.x, q.y], itemStyle: { color } })
      }
      series.push({
        type: 'scatter',
        name: `${run.label} (now)`,
        xAxisIndex: p,
        yAxisIndex: p,
        symbol: marker.replace('empty', '').replace(/^./, (c) => c.toLowerCase()),
        symbolSize: round2(m.pointPx * 2.6),
        z: 3,
        silent: true,
        progressive: 0,
        large: false,
        itemStyle: { borderColor: style.foreground, borderWidth: round2(Math.max(0.75, m.linePx)), opacity: 1 },
        data: now,
      } as ScatterSeriesOption)
    }
  })
  const frameLabels: GraphicComponentOption[] = []
  if (until !== undefined)
    (overlay ? L.panels.slice(0, 1) : L.panels).forEach((r, i) =>
      frameLabels.push({
        // An id, so that the app's time slider updates the label alone (FigureChart.vue).
        id: `frame-label-${i}`,
        ...text(style, m, {
          text: epochLabel(until),
          x: r.x + m.fpx * 0.45,
          y: r.y + m.fpx * 0.35,
          size: m.fpx * 0.9,
          color: '#333333',
        }),
      } as GraphicComponentOption),
    )

  if (opts.highlight) series.push(...highlightSeries(data, shown, opts.highlight, overlay, m.pointPx))

  const graphic: GraphicComponentOption[] = []
  for (const r of L.panels) graphic.push(frameBox(style, m, r))
  graphic.push(...frameLabels)
  if (o.title && L.titleY !== undefined)
    graphic.push(text(style, m, { text: o.title, x: L.panels[0]!.x, y: L.titleY, size: m.titlePx, weight: 'bold' }))
  if (o.captionText && L.captionY !== undefined)
    graphic.push(
      text(style, m, {
        text: o.captionText,
        x: L.W - m.pad,
        y: L.captionY,
        align: 'right',
        size: m.fpx * 0.9,
        color: '#333333',
      }),
    )
  if (!overlay)
    L.panels.forEach((r, i) => {
      const label = shown[i]?.label
      if (label)
        graphic.push(
          text(style, m, {
            text: label,
            x: r.x + r.w / 2,
            y: r.y - m.fpx * 0.3,
            align: 'center',
            verticalAlign: 'bottom',
          }),
        )
    })
  if (L.colorbar)
    graphic.push(...colorbarGraphic(style, m, L.colorbar, o.bar?.range ?? L.epochRange, o.bar?.label, o.bar?.colors))

  const option: EChartsOption = {
    ...baseOption(style, m),
    grid: grids,
    xAxis: xAxes,
    yAxis: yAxes,
    series,
    graphic,
    tooltip: { trigger: 'item', confine: true },
  }
  if (o.colorBy === 'epoch' && scatterIdx.length)
    option.visualMap = {
      type: 'continuous',
      show: false,
      dimension: 2,
      min: L.epochRange[0],
      max: L.epochRange[1],
      seriesIndex: scatterIdx,
      inRange: { color: [...style.epochColors] },
    }
  if (o.legend && L.legend) {
    const items = shown.map((run, r) => {
      const color = o.colorBy === 'run' ? runColor(r) : '#444444'
      const icon = o.points ? RUN_MARKERS[r % RUN_MARKERS.length]! : DASH_ICONS[RUN_DASHES[r % RUN_DASHES.length]!]
      return { name: run.label, icon, itemStyle: { color, borderWidth: 0 } }
    })
    option.legend = {
      show: true,
      left: L.legend.x,
      top: L.legend.y,
      padding: 0,
      itemGap: m.fpx,
      itemWidth: o.points ? m.fpx * 0.65 : m.fpx * 1.6,
      itemHeight: o.points ? m.fpx * 0.65 : Math.max(1.5, m.linePx * 2),
      textStyle: { fontSize: m.fpx, color: style.foreground, fontFamily: style.fontFamily, padding: [0, 0, 0, 1] },
      data: items,
    } as LegendComponentOption
  }
  return option
}

/** A vertical colour bar (min at the bottom, as in matplotlib) labelled "epoch". */
function colorbarGraphic(
  style: FigureStyle,
  m: FrameMetrics,
  cb: NonNullable<PathsLayout['colorbar']>,
  range: [number, number],
  label = 'epoch',
  colors: readonly string[] = style.epochColors,
): GraphicComponentOption[] {
  const out: GraphicComponentOption[] = []
  out.push(text(style, m, { text: label, x: cb.x, y: cb.labelY, align: 'left', verticalAlign: 'top' }))
  out.push({
    type: 'rect',
    silent: true,
    shape: { x: cb.x, y: cb.y, width: cb.w, height: cb.h },
    style: {
      fill: { type: 'linear', x: 0, y: 1, x2: 0, y2: 0, colorStops: gradientStops(colors) },
      stroke: style.foreground,
      lineWidth: m.axisPx,
    },
  } as GraphicComponentOption)
  const span = range[1] - range[0]
  for (const t of cb.ticks) {
    const ty = round2(cb.y + cb.h * (1 - (t - range[0]) / span))
    out.push({
      type: 'line',
      silent: true,
      shape: { x1: cb.x + cb.w, y1: ty, x2: cb.x + cb.w + m.tick, y2: ty },
      style: { stroke: style.foreground, lineWidth: m.axisPx },
    } as GraphicComponentOption)
    out.push(
      text(style, m, {
        text: formatTick(t, cb.tickStep),
        x: cb.x + cb.w + m.tick + m.labelGap,
        y: ty,
        verticalAlign: 'middle',
      }),
    )
  }
  return out
}

/** The selected point (black) and its true nearest neighbours (blue), enlarged above the rest,
 * where they are shown. */
function highlightSeries(
  data: PathsData,
  shown: ShownRun[],
  h: NonNullable<PathsOptions['highlight']>,
  overlay: boolean,
  pointPx: number,
): ScatterSeriesOption[] {
  const find = (k: PointKey) => {
    const label = data.runs[k.run]?.label
    const r = shown.findIndex((s, i) => s.label === label && (overlay || i === k.run))
    const p = shown[r]?.nets.find((n) => n.net === k.net)?.points.find((q) => q.snapshot === k.snapshot)
    return p ? { p, panel: overlay ? 0 : r } : null
  }
  const one = (keys: PointKey[], color: string, size: number, name: string): ScatterSeriesOption[] => {
    const found = keys.map(find).filter((f) => f !== null)
    const panels = [...new Set(found.map((f) => f.panel))]
    return panels.map((panel) => ({
      type: 'scatter',
      name,
      xAxisIndex: panel,
      yAxisIndex: panel,
      symbol: 'circle',
      symbolSize: round2(size),
      z: 4,
      silent: true,
      itemStyle: { color, opacity: 1, borderWidth: 0 },
      data: found.filter((f) => f.panel === panel).map((f) => [f.p.x, f.p.y]),
    }))
  }
  return [
    ...one(h.neighbours, '#0072B2', pointPx * 2.2, 'true neighbours'),
    ...one([h.point], '#000000', pointPx * 2.6, 'selected'),
  ]
}

/** Paths of one or more runs; several runs overlaid unless `layout: 'panels'`. */
export function buildPaths(data: PathsData, style: FigureStyle, opts: PathsOptions = {}): EChartsOption {
  return buildPathsOption(data, style, opts, 'overlay')
}

/** Several runs side by side (panels with shared ranges) unless `layout: 'overlay'`. */
export function buildCompare(data: PathsData, style: FigureStyle, opts: PathsOptions = {}): EChartsOption {
  return buildPathsOption(data, style, opts, 'panels')
}

/** The natural height in inches of a paths figure of the style's width: the plot
 * follows the data's aspect ratio (clamped to 0.62–1). */
export function pathsHeightIn(
  data: PathsData,
  style: FigureStyle,
  opts: PathsOptions = {},
  defaultLayout: 'overlay' | 'panels' = 'overlay',
): number {
  const m = frameMetrics(style)
  const o = resolveOptions(data, opts, defaultLayout)
  return layoutPaths(selectPaths(data, opts), style, m, o, undefined).H / PX_PER_IN
}
