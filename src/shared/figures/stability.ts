/**
 * Stability against the spawn point (issue 21): the error barrier between siblings (children
 * of one parent state at epoch k) as k grows, on a log k axis, each parent's mean thin and
 * the mean over parents bold, after alignment dashed, strangers (different initial weights)
 * for scale, and the stability threshold. k = 0 cannot sit on a log axis: it is drawn at
 * the axis' left end (the decade at or below a third of the first positive k), labelled 0.
 */
import type { EChartsOption } from 'echarts'
import type { StabilityData } from './beyond-data'
import {
  extent,
  linearAxisRange,
  linePanelsHeightIn,
  linePanelsOption,
  logAxisRange,
  type LegendItem,
  type LinePanel,
  type PanelsLayout,
} from './lines'
import type { FigureStyle } from './style'

export interface StabilityFigureOptions {
  legend?: boolean
  /** A title above the panel: the data's (default), another, or none (false). */
  title?: string | false
}

function build(
  d: StabilityData,
  style: FigureStyle,
  o: StabilityFigureOptions,
): { panels: LinePanel[]; layout: PanelsLayout } {
  const sib = style.categorical[0] ?? '#1f77b4'
  const str = style.categorical[1] ?? '#ff7f0e'
  const grey = '#888888'
  const positive = d.at.filter((k) => k > 0)
  const hasZero = d.at.some((k) => k === 0)
  const range = logAxisRange(
    positive.length ? Math.min(...positive) / (hasZero ? 3.2 : 1) : 0.01,
    Math.max(1e-9, ...positive),
  )
  const zeroAt = range.min
  const xs = d.at.map((k) => (k > 0 ? k : zeroAt))
  const pts = (ys: number[]) =>
    xs.map((x, i) => [x, Number.isFinite(ys[i]!) ? ys[i]! * 100 : null] as [number, number | null])
  const all = [...d.siblings, ...d.siblingsAligned, ...d.perParent.flat(), ...(d.strangers ?? []), d.threshold]
  const [, hi] = extent(all.map((v) => v * 100))
  const panel: LinePanel = {
    x: { name: 'spawn point k (epochs)', ...range, log: true, ...(hasZero ? { zeroAt } : {}) },
    y: { name: 'error barrier at the end (%)', ...linearAxisRange(0, hi, 4, true) },
    groups:
      d.perParent.length > 1
        ? [
            {
              lines: d.perParent.map((p) => pts(p).filter((q): q is [number, number] => q[1] !== null)),
              color: sib,
              opacity: 0.3,
            },
          ]
        : [],
    lines: [
      { points: xs.map((x) => [x, d.threshold * 100]), color: grey, weight: 1, dash: true, z: 1 },
      ...(d.strangers ? [{ points: pts(d.strangers), color: str, weight: 2, z: 3, symbol: true }] : []),
      { points: pts(d.siblingsAligned), color: sib, weight: 1.6, dash: true, z: 3 },
      { points: pts(d.siblings), color: sib, weight: 2.4, z: 4, symbol: true },
    ],
    ...(d.at.length === 0 ? { note: 'no data' } : {}),
  }
  const legend: LegendItem[] =
    o.legend === false
      ? []
      : [
          { label: d.perParent.length > 1 ? 'siblings (mean; thin: per parent)' : 'siblings', color: sib, weight: 2.4 },
          { label: 'siblings, aligned', color: sib, weight: 1.6, dash: true },
          ...(d.strangers ? [{ label: 'strangers', color: str, weight: 2 }] : []),
          { label: `threshold ${+(d.threshold * 100).toPrecision(3)} %`, color: grey, weight: 1, dash: true },
        ]
  const title = o.title === false ? undefined : (o.title ?? d.title)
  return { panels: [panel], layout: { columns: 1, aspect: 0.62, legend, ...(title ? { title } : {}) } }
}

export function buildStability(
  data: StabilityData,
  style: FigureStyle,
  opts: StabilityFigureOptions = {},
): EChartsOption {
  const { panels, layout } = build(data, style, opts)
  return linePanelsOption(panels, style, layout)
}

export function stabilityHeightIn(data: StabilityData, style: FigureStyle, opts: StabilityFigureOptions = {}): number {
  const { panels, layout } = build(data, style, opts)
  return linePanelsHeightIn(panels, style, layout)
}
