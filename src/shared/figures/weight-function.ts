/**
 * Weight space vs function space: distances between pairs of networks against
 * epoch, in two panels sharing the epoch axis: above, the weight distance after
 * aligning hidden units (solid) and as trained (dashed); below, the τ distance on the
 * probe set. Each pair is a thin line, the median over pairs bold. Weight distances
 * exist only at snapshots with kept weights (marked when there are few). A log epoch
 * axis drops epoch 0.
 */
import type { EChartsOption } from 'echarts'
import type { WeightFunctionData } from './beyond-data'
import {
  columnMedian,
  extent,
  linearAxisRange,
  linePanelsHeightIn,
  linePanelsOption,
  logAxisRange,
  type LegendItem,
  type LineAxis,
  type LinePanel,
  type LineSpec,
  type PanelsLayout,
} from './lines'
import type { FigureStyle } from './style'
import { niceTicks } from './ticks'

export interface WeightFunctionOptions {
  /** Log epoch axis (drops epoch 0). */
  logX?: boolean
  /** The unaligned weight distance (default true). */
  raw?: boolean
  /** Per-pair thin lines (default true). */
  pairs?: boolean
  legend?: boolean
  title?: string
}

type Series = (number | null)[]

function build(
  d: WeightFunctionData,
  style: FigureStyle,
  o: WeightFunctionOptions,
): { panels: LinePanel[]; layout: PanelsLayout } {
  const keep = d.epochs.map((e, j) => j).filter((j) => !o.logX || d.epochs[j]! > 0)
  const pts = (s: Series): [number, number][] =>
    keep.filter((j) => s[j] !== null && Number.isFinite(s[j]!)).map((j) => [d.epochs[j]!, s[j]!])
  const aligned = style.categorical[0] ?? '#1f77b4'
  const raw = style.categorical[1] ?? '#ff7f0e'
  const fn = style.categorical[2] ?? '#2ca02c'
  const showPairs = o.pairs !== false && d.pairs.length > 1
  const showRaw = o.raw !== false
  const medianOf = (pick: (p: WeightFunctionData['pairs'][number]) => Series) =>
    columnMedian(d.pairs.map(pick), d.epochs.length)
  const kept = d.pairs[0] ? pts(d.pairs[0].weightAligned).length : 0
  const few = kept <= 12
  const wLines: LineSpec[] = [
    { points: pts(medianOf((p) => p.weightAligned)), color: aligned, weight: 2.4, z: 4, symbol: few },
  ]
  if (showRaw)
    wLines.push({ points: pts(medianOf((p) => p.weightRaw)), color: raw, weight: 1.8, dash: true, z: 3, symbol: few })
  const tLines: LineSpec[] = [{ points: pts(medianOf((p) => p.tau)), color: fn, weight: 2.4, z: 4 }]
  const xs = keep.map((j) => d.epochs[j]!)
  const [x0, x1] = extent(xs)
  let x: LineAxis
  if (!Number.isFinite(x0)) x = { name: 'epoch', min: 0, max: 1, step: 0.2 }
  else if (o.logX) x = { name: 'epoch', ...logAxisRange(x0, x1), log: true }
  else x = { name: 'epoch', min: x0, max: x1 > x0 ? x1 : x0 + 1, step: niceTicks(x0, x1 > x0 ? x1 : x0 + 1, 5).step }
  const wVals = d.pairs.flatMap((p) => [...p.weightAligned, ...(showRaw ? p.weightRaw : [])])
  const tVals = d.pairs.flatMap((p) => p.tau)
  const weightPanel: LinePanel = {
    x,
    y: { name: 'weight distance', ...linearAxisRange(...extent(wVals), 4, true) },
    groups: showPairs ? [{ lines: d.pairs.map((p) => pts(p.weightAligned)), color: aligned, opacity: 0.3 }] : [],
    lines: wLines,
    ...(wLines[0]!.points.length === 0 ? { note: 'no kept weights' } : {}),
  }
  const tauPanel: LinePanel = {
    x,
    y: { name: 'τ distance', ...linearAxisRange(...extent(tVals), 4, true) },
    groups: showPairs ? [{ lines: d.pairs.map((p) => pts(p.tau)), color: fn, opacity: 0.3 }] : [],
    lines: tLines,
  }
  const med = d.pairs.length > 1 ? ' (median)' : ''
  const legend: LegendItem[] =
    o.legend === false
      ? []
      : [
          { label: `weights, aligned${med}`, color: aligned, weight: 2.4 },
          ...(showRaw ? [{ label: `weights, as trained${med}`, color: raw, dash: true, weight: 1.8 }] : []),
          { label: `τ${med}`, color: fn, weight: 2.4 },
        ]
  return {
    panels: [weightPanel, tauPanel],
    layout: { columns: 1, aspect: 0.42, sharedX: true, legend, ...(o.title ? { title: o.title } : {}) },
  }
}

/** Weight and τ distances between networks against epoch. */
export function buildWeightFunction(
  data: WeightFunctionData,
  style: FigureStyle,
  opts: WeightFunctionOptions = {},
): EChartsOption {
  const { panels, layout } = build(data, style, opts)
  return linePanelsOption(panels, style, layout)
}

export function weightFunctionHeightIn(
  data: WeightFunctionData,
  style: FigureStyle,
  opts: WeightFunctionOptions = {},
): number {
  const { panels, layout } = build(data, style, opts)
  return linePanelsHeightIn(panels, style, layout)
}
