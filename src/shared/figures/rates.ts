/**
 * The rate spectrum: each network's subproblem convergence rates sorted from
 * fastest to slowest, against rank, on log–log axes. Thin lines: each network; bold:
 * the rank-wise median; dashed: the stochastic model's Zipf spectrum rate_i ∝ i^(−s),
 * a straight line of slope −s, anchored at the median's fastest rate. Rates ≤ 0 cannot
 * be drawn on a log axis and are dropped.
 */
import type { EChartsOption } from 'echarts'
import type { RatesData } from './beyond-data'
import {
  extent,
  linePanelsHeightIn,
  linePanelsOption,
  logAxisRange,
  type LegendItem,
  type LinePanel,
  type PanelsLayout,
} from './lines'
import type { FigureStyle } from './style'

export interface RatesOptions {
  /** Per-network thin lines (default true). */
  nets?: boolean
  /** The rank-wise median, bold (default true). */
  median?: boolean
  /** The Zipf reference line, when the data has one (default true). */
  zipf?: boolean
  /** Legend (default true). */
  legend?: boolean
  title?: string
}

/** The 1-2-5 value at or above v (a log axis may end there: its ticks are 1-2-5). */
function niceCeil(v: number): number {
  const e = 10 ** Math.floor(Math.log10(v))
  const m = [1, 2, 5, 10].find((k) => k * e >= v * (1 - 1e-9))!
  return Number((m * e).toPrecision(6))
}

function kindName(d: RatesData): string {
  return d.kind === 'pairs' ? 'confusion pair' : d.kind === 'classes' ? 'class' : 'subproblem'
}

function build(d: RatesData, style: FigureStyle, o: RatesOptions): { panels: LinePanel[]; layout: PanelsLayout } {
  const nets = d.perNet.map((p) => p.rates.map((r, i) => [i + 1, r] as [number, number]).filter(([, r]) => r > 0))
  const med = d.median.map((r, i) => [i + 1, r] as [number, number]).filter(([, r]) => r > 0)
  const n = Math.max(1, med.length, ...nets.map((l) => l.length))
  const zipf = o.zipf !== false && d.zipf && d.zipf.anchor > 0 ? d.zipf : undefined
  const zipfPts: [number, number][] = zipf
    ? Array.from({ length: Math.min(n, 64) }, (_, k) => {
        const r = Math.round(Math.exp((Math.log(n) * k) / Math.max(1, Math.min(n, 64) - 1)))
        return [r, zipf.anchor * r ** -zipf.s] as [number, number]
      })
    : []
  const showNets = o.nets !== false
  const [lo, hi] = extent([
    ...(showNets ? nets.flat().map(([, r]) => r) : []),
    ...med.map(([, r]) => r),
    ...zipfPts.map(([, r]) => r),
  ])
  const color = style.categorical[0]!
  const ref = style.foreground
  const panel: LinePanel = {
    x: { name: `${kindName(d)} rank (fastest first)`, min: 1, max: niceCeil(Math.max(2, n)), log: true },
    y: { name: d.unit, ...logAxisRange(lo, hi), log: true },
    groups: showNets ? [{ lines: nets, color, opacity: 0.3 }] : [],
    lines: [
      ...(o.median !== false ? [{ points: med, color, weight: 2.4, z: 4 }] : []),
      ...(zipf ? [{ points: zipfPts, color: ref, weight: 1.6, dash: true, z: 5 }] : []),
    ],
    ...(med.length === 0 && nets.every((l) => l.length === 0) ? { note: 'no rates to show' } : {}),
  }
  const legend: LegendItem[] = []
  if (o.legend !== false) {
    if (showNets) legend.push({ label: 'each network', color, weight: 0.7 })
    if (o.median !== false) legend.push({ label: 'median', color, weight: 2.4 })
    if (zipf) legend.push({ label: `Zipf s = ${zipf.s} (toy model)`, color: ref, dash: true, weight: 1.6 })
  }
  return { panels: [panel], layout: { columns: 1, aspect: 0.75, legend, ...(o.title ? { title: o.title } : {}) } }
}

/** The rate spectrum on log–log axes. */
export function buildRates(data: RatesData, style: FigureStyle, opts: RatesOptions = {}): EChartsOption {
  const { panels, layout } = build(data, style, opts)
  return linePanelsOption(panels, style, layout)
}

export function ratesHeightIn(data: RatesData, style: FigureStyle, opts: RatesOptions = {}): number {
  const { panels, layout } = build(data, style, opts)
  return linePanelsHeightIn(panels, style, layout)
}
