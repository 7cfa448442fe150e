/**
 * Barriers between networks: loss and error along the straight line from
 * network a (α = 0) to network b (α = 1), before and after aligning b's hidden units to
 * a's. One pair: two bold lines per panel. Several pairs: each pair thin, the median
 * over pairs bold. Errors are fractions in the data and drawn in percent unless
 * `errorPercent: false`.
 */
import type { EChartsOption } from 'echarts'
import type { BarrierCurve, BarrierData } from './beyond-data'
import {
  columnMedian,
  extent,
  linearAxisRange,
  linePanelsHeightIn,
  linePanelsOption,
  type LegendItem,
  type LinePanel,
  type LineSpec,
  type PanelsLayout,
} from './lines'
import type { FigureStyle } from './style'

export interface BarrierFigureOptions {
  /** Which panels (default both, side by side). */
  show?: 'both' | 'loss' | 'error'
  errorPercent?: boolean
  legend?: boolean
  /** A title above the panels: the data's (default), another, or none (false). */
  title?: string | false
}

function build(
  d: BarrierData,
  style: FigureStyle,
  o: BarrierFigureOptions,
): { panels: LinePanel[]; layout: PanelsLayout } {
  const pct = o.errorPercent !== false ? 100 : 1
  const before = style.categorical[1] ?? '#ff7f0e'
  const after = style.categorical[0] ?? '#1f77b4'
  const many = Math.max(d.before.length, d.after.length) > 1
  const panelFor = (metric: 'loss' | 'error'): LinePanel => {
    const scale = metric === 'error' ? pct : 1
    const pts = (c: BarrierCurve) => d.alphas.map((a, i) => [a, c[metric][i]! * scale] as [number, number])
    const lines: LineSpec[] = []
    const groups = []
    for (const [curves, color] of [
      [d.before, before],
      [d.after, after],
    ] as const) {
      if (curves.length === 0) continue
      if (many) {
        groups.push({ lines: curves.map(pts), color, opacity: 0.35 })
        const med = columnMedian(
          curves.map((c) => c[metric].map((v) => v * scale)),
          d.alphas.length,
        )
        lines.push({
          points: d.alphas.map((a, i) => [a, med[i]!] as [number, number | null]),
          color,
          weight: 2.4,
          z: 4,
        })
      } else lines.push({ points: pts(curves[0]!), color, weight: 2.4, z: 4, symbol: d.alphas.length <= 25 })
    }
    const [lo, hi] = extent([...d.before, ...d.after].flatMap((c) => c[metric].map((v) => v * scale)))
    const name =
      metric === 'loss' ? d.lossName : `${d.lossName.split(' ')[0] ?? ''} error${pct === 100 ? ' (%)' : ''}`.trim()
    return {
      x: { name: 'interpolation α', min: 0, max: 1, step: 0.2 },
      y: { name, ...linearAxisRange(lo, hi, 4, true) },
      groups,
      lines,
      ...(d.alphas.length === 0 ? { note: 'no data' } : {}),
    }
  }
  const show = o.show ?? 'both'
  const panels = show === 'both' ? [panelFor('loss'), panelFor('error')] : [panelFor(show)]
  const legend: LegendItem[] =
    o.legend === false
      ? []
      : [
          { label: many ? 'before alignment (median)' : 'before alignment', color: before, weight: 2.4 },
          { label: many ? 'after alignment (median)' : 'after alignment', color: after, weight: 2.4 },
        ]
  const title = o.title === false ? undefined : (o.title ?? d.title)
  return { panels, layout: { columns: panels.length, aspect: 0.85, legend, ...(title ? { title } : {}) } }
}

/** Loss and error along α, before and after alignment. */
export function buildBarrier(data: BarrierData, style: FigureStyle, opts: BarrierFigureOptions = {}): EChartsOption {
  const { panels, layout } = build(data, style, opts)
  return linePanelsOption(panels, style, layout)
}

export function barrierHeightIn(data: BarrierData, style: FigureStyle, opts: BarrierFigureOptions = {}): number {
  const { panels, layout } = build(data, style, opts)
  return linePanelsHeightIn(panels, style, layout)
}
