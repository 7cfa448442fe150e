/**
 * M-PHATE of hidden units (sgdscope mphate): every (unit, snapshot) point, one square panel per
 * network with shared, equal-aspect axes (the second network's picture is already rotated onto
 * the first's through its matched units), coloured by the snapshot's epoch (a colour bar below),
 * the unit's hidden layer or its most-activating class (a legend below). PHATE's axes have no
 * units: they are named, not ticked.
 */
import type { EChartsOption, GraphicComponentOption, ScatterSeriesOption } from 'echarts'
import type { MphateColor, MphateData } from './beyond-data'
import { colorScale, gradientStops } from './color'
import { baseOption, frameBox, frameMetrics, grid, round2, text, type FrameMetrics, type Rect } from './frame'
import { inToPx, type FigureStyle } from './style'
import { formatTick, niceTicks, textWidth } from './ticks'

export interface MphateFigureOptions {
  /** What the points' colours show (default: epoch). */
  color?: MphateColor
  /** A title above the panels: the data's (default), another, or none (false). */
  title?: string | false
}

interface Layout {
  m: FrameMetrics
  width: number
  height: number
  title?: { text: string; y: number }
  panels: Rect[]
  /** Below the panels: a horizontal colour bar, or legend rows. */
  key: { y: number; colorbar?: Rect; rows?: { x: number; label: string; color: string }[][] }
}

const EPOCH_AXIS_TICKS = 4

function categories(d: MphateData, color: MphateColor, style: FigureStyle): { label: string; color: string }[] {
  const pal = style.categorical
  if (color === 'layer') {
    const n = Math.max(1, ...d.layers)
    return Array.from({ length: n }, (_, l) => ({ label: `layer ${l + 1}`, color: pal[l % pal.length]! }))
  }
  if (color === 'class') return d.classes.map((c, i) => ({ label: `class ${c}`, color: pal[i % pal.length]! }))
  return []
}

function layout(d: MphateData, style: FigureStyle, o: MphateFigureOptions): Layout {
  const natural = layoutAt(d, style, o)
  if (style.heightIn === undefined) return natural
  // A given height (a screen pane): shrink the panels until everything fits in it.
  const over = natural.height - inToPx(style.heightIn)
  return over > 0 ? layoutAt(d, style, o, natural.panels[0]!.w - over) : natural
}

function layoutAt(d: MphateData, style: FigureStyle, o: MphateFigureOptions, maxSide = Infinity): Layout {
  const m = frameMetrics(style)
  const color = o.color ?? 'epoch'
  const width = inToPx(style.widthIn)
  const titleText = o.title === false ? undefined : (o.title ?? d.title)
  let y = m.pad
  let title: Layout['title']
  if (titleText) {
    title = { text: titleText, y }
    y += m.titlePx * 1.3
  }
  const count = Math.max(1, d.networks.length)
  const left = m.pad + m.fpx * 1.3 // the rotated y-axis name
  const gap = m.fpx * 1.2
  // A panel at most 3 in square: one network across a double column would be a poster.
  const room = (width - left - m.pad - gap * (count - 1)) / count
  const side = Math.max(40, Math.min(maxSide, room, inToPx(3)))
  const x0 = left + ((room - side) * count) / 2
  y += m.fpx * 1.3 // panel titles
  const panels = Array.from({ length: count }, (_, k) => ({ x: x0 + k * (side + gap), y, w: side, h: side }))
  y += side + m.fpx * 1.5 // the x-axis name
  const key: Layout['key'] = { y }
  if (color === 'epoch') {
    // The label "epoch" left of the bar, tick labels under it.
    const labelW = textWidth('epoch', m.fpx) + m.labelGap * 3
    const bar = {
      x: left + labelW,
      y,
      w: Math.min(side * count * 0.6, width - left - labelW - m.pad * 2),
      h: m.fpx * 0.8,
    }
    key.colorbar = bar
    y += bar.h + m.tick + m.labelGap + m.fpx * 1.2
  } else {
    const items = categories(d, color, style)
    const rows: { x: number; label: string; color: string }[][] = [[]]
    let x = x0
    const swatch = m.fpx * 0.8
    for (const it of items) {
      const w = swatch + m.labelGap * 2 + textWidth(it.label, m.fpx) + m.fpx
      if (x + w > width - m.pad && rows[rows.length - 1]!.length) {
        rows.push([])
        x = x0
      }
      rows[rows.length - 1]!.push({ x, ...it })
      x += w
    }
    key.rows = rows
    y += rows.length * m.fpx * 1.4
  }
  return { m, width, height: y + m.pad, ...(title ? { title } : {}), panels, key }
}

/** A shared square range around every network's points. */
function range(d: MphateData): { x: [number, number]; y: [number, number] } {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity]
  for (const n of d.networks)
    n.x.forEach((x, i) => {
      const y = n.y[i]!
      if (!Number.isFinite(x) || !Number.isFinite(y)) return
      x0 = Math.min(x0, x)
      x1 = Math.max(x1, x)
      y0 = Math.min(y0, y)
      y1 = Math.max(y1, y)
    })
  if (!(x1 >= x0)) return { x: [-1, 1], y: [-1, 1] }
  const half = (Math.max(x1 - x0, y1 - y0, 1e-12) / 2) * 1.06
  const [cx, cy] = [(x0 + x1) / 2, (y0 + y1) / 2]
  return { x: [cx - half, cx + half], y: [cy - half, cy + half] }
}

export function buildMphate(d: MphateData, style: FigureStyle, o: MphateFigureOptions = {}): EChartsOption {
  const L = layout(d, style, o)
  const { m } = L
  const color = o.color ?? 'epoch'
  const r = range(d)
  const U = d.layers.length
  const e0 = d.epochs[0] ?? 0
  const e1 = d.epochs[d.epochs.length - 1] ?? 1
  const epochColor = colorScale(style.epochColors, e0, e1)
  const cats = categories(d, color, style)
  const colorOf = (net: MphateData['networks'][number], i: number): string => {
    const s = Math.floor(i / Math.max(1, U))
    const u = i % Math.max(1, U)
    if (color === 'layer') return cats[(d.layers[u] ?? 1) - 1]?.color ?? style.foreground
    if (color === 'class') return cats[net.topClass[i] ?? -1]?.color ?? '#999999'
    return epochColor(d.epochs[s] ?? e0)
  }
  const graphic: GraphicComponentOption[] = []
  const series: ScatterSeriesOption[] = []
  const grids = L.panels.map((p) => grid(style, m, p))
  const axis = (k: number, [min, max]: [number, number]) => ({
    gridIndex: k,
    type: 'value' as const,
    min,
    max,
    show: false,
  })
  d.networks.forEach((net, k) => {
    const p = L.panels[k]!
    series.push({
      type: 'scatter',
      xAxisIndex: k,
      yAxisIndex: k,
      symbolSize: m.pointPx,
      silent: true,
      large: false,
      data: net.x.map((x, i) => ({ value: [x, net.y[i]!], itemStyle: { color: colorOf(net, i), opacity: 0.85 } })),
    })
    graphic.push(frameBox(style, m, p))
    graphic.push(
      text(style, m, {
        text: net.label,
        x: p.x + p.w / 2,
        y: p.y - m.labelGap,
        align: 'center',
        verticalAlign: 'bottom',
      }),
    )
    graphic.push(
      text(style, m, {
        text: 'M-PHATE 1',
        x: p.x + p.w / 2,
        y: p.y + p.h + m.labelGap,
        align: 'center',
        verticalAlign: 'top',
      }),
    )
  })
  const p0 = L.panels[0]!
  graphic.push(
    text(style, m, {
      text: 'M-PHATE 2',
      x: p0.x - m.labelGap - m.fpx * 0.6,
      y: p0.y + p0.h / 2,
      align: 'center',
      verticalAlign: 'middle',
      rotation: Math.PI / 2,
    }),
  )
  if (d.networks.length === 0)
    graphic.push(
      text(style, m, {
        text: 'no data',
        x: p0.x + p0.w / 2,
        y: p0.y + p0.h / 2,
        align: 'center',
        verticalAlign: 'middle',
      }),
    )
  if (L.title)
    graphic.push(
      text(style, m, {
        text: L.title.text,
        x: L.width / 2,
        y: L.title.y,
        align: 'center',
        size: m.titlePx,
        weight: 'bold',
      }),
    )
  const cb = L.key.colorbar
  if (cb) {
    graphic.push(
      text(style, m, {
        text: 'epoch',
        x: cb.x - 2 * m.labelGap,
        y: cb.y + cb.h / 2,
        align: 'right',
        verticalAlign: 'middle',
      }),
    )
    graphic.push({
      type: 'rect',
      silent: true,
      shape: { x: cb.x, y: cb.y, width: cb.w, height: cb.h },
      style: {
        fill: { type: 'linear', x: 0, y: 0, x2: 1, y2: 0, colorStops: gradientStops(style.epochColors) },
        stroke: style.foreground,
        lineWidth: m.axisPx,
      },
    } as GraphicComponentOption)
    const span = e1 - e0
    const { step, ticks } = niceTicks(e0, e1, EPOCH_AXIS_TICKS)
    for (const t of span > 0 ? ticks : [e0]) {
      const tx = round2(cb.x + (span > 0 ? (cb.w * (t - e0)) / span : 0))
      graphic.push({
        type: 'line',
        silent: true,
        shape: { x1: tx, y1: cb.y + cb.h, x2: tx, y2: cb.y + cb.h + m.tick },
        style: { stroke: style.foreground, lineWidth: m.axisPx },
      } as GraphicComponentOption)
      graphic.push(
        text(style, m, {
          text: formatTick(t, span > 0 ? step : 1),
          x: tx,
          y: cb.y + cb.h + m.tick + m.labelGap,
          align: 'center',
          verticalAlign: 'top',
        }),
      )
    }
  }
  L.key.rows?.forEach((row, ri) => {
    const ry = L.key.y + ri * m.fpx * 1.4
    for (const it of row) {
      const sw = m.fpx * 0.8
      graphic.push({
        type: 'circle',
        silent: true,
        shape: { cx: it.x + sw / 2, cy: ry + m.fpx * 0.55, r: sw / 2 },
        style: { fill: it.color },
      } as GraphicComponentOption)
      graphic.push(
        text(style, m, {
          text: it.label,
          x: it.x + sw + m.labelGap * 2,
          y: ry + m.fpx * 0.55,
          verticalAlign: 'middle',
        }),
      )
    }
  })
  return {
    ...baseOption(style, m),
    grid: grids,
    xAxis: L.panels.map((_, k) => axis(k, r.x)),
    yAxis: L.panels.map((_, k) => axis(k, r.y)),
    series,
    graphic,
  }
}

export function mphateHeightIn(d: MphateData, style: FigureStyle, o: MphateFigureOptions = {}): number {
  return layoutAt(d, style, o).height / inToPx(1)
}
