/**
 * The Shepard diagram of an embedding: each pair's distance in the picture against its
 * original distance (or, for many pairs, their density in bins, darker = more pairs), with the
 * isotonic fit as a line. A faithful picture keeps the cloud narrow around the fit.
 */
import type { EChartsOption, SeriesOption } from 'echarts'
import type { PathsData } from './data'
import { fitText } from './diagnostics'
import {
  extent,
  linearAxisRange,
  linePanelsHeightIn,
  linePanelsOption,
  type LinePanel,
  type PanelsLayout,
} from './lines'
import type { FigureStyle } from './style'

export interface ShepardOptions {
  /** A title above the plot (default: view, method and fit). */
  title?: string | false
}

function build(d: PathsData, style: FigureStyle, o: ShepardOptions): { panel: LinePanel; layout: PanelsLayout } {
  const sh = d.shepard
  const view = d.view === 'tau' ? 'τ' : 'κ'
  const fitColor = style.categorical[1] ?? '#d62728'
  const fitLine: [number, number][] = []
  for (let q = 0; q + 1 < (sh?.fit.length ?? 0); q += 2) fitLine.push([sh!.fit[q]!, sh!.fit[q + 1]!])
  let xs: number[] = []
  let ys: number[] = []
  if (sh?.points) {
    xs = sh.points.filter((_, q) => q % 2 === 0)
    ys = sh.points.filter((_, q) => q % 2 === 1)
  } else if (sh?.bins) {
    xs = [0, sh.bins.xMax]
    ys = [0, sh.bins.yMax]
  }
  const [x0, x1] = extent([0, ...xs])
  const [y0, y1] = extent([0, ...ys, ...fitLine.map((p) => p[1])])
  const panel: LinePanel = {
    x: { name: `original ${view} distance`, ...linearAxisRange(x0, x1, 5, true) },
    y: { name: 'embedded distance', ...linearAxisRange(y0, y1, 5, true) },
    lines: [{ points: fitLine, color: fitColor, weight: 2, z: 5 }],
    ...(sh ? {} : { note: 'no Shepard data for this embedding' }),
  }
  const title =
    o.title === false ? undefined : (o.title ?? [view, d.method, fitText(d.fit)].filter(Boolean).join(' · '))
  return {
    panel,
    layout: {
      columns: 1,
      aspect: 1,
      ...(title ? { title } : {}),
      legend: [{ label: 'isotonic fit', color: fitColor, weight: 2 }],
    },
  }
}

/** Embedded against original distance of every pair of an embedding, with its monotone fit. */
export function buildShepard(d: PathsData, style: FigureStyle, o: ShepardOptions = {}): EChartsOption {
  const { panel, layout } = build(d, style, o)
  const option = linePanelsOption([panel], style, layout)
  const sh = d.shepard
  const ink = style.categorical[0] ?? '#1f77b4'
  const series = (option.series ?? []) as SeriesOption[]
  if (sh?.points) {
    const data: [number, number][] = []
    for (let q = 0; q + 1 < sh.points.length; q += 2) data.push([sh.points[q]!, sh.points[q + 1]!])
    series.unshift({
      type: 'scatter',
      xAxisIndex: 0,
      yAxisIndex: 0,
      data,
      symbolSize: data.length > 20_000 ? 1.5 : 3,
      itemStyle: { color: ink, opacity: data.length > 20_000 ? 0.25 : 0.5 },
      large: data.length > 5_000,
      silent: true,
      z: 2,
    })
  } else if (sh?.bins) {
    // Each non-empty bin a square at its centre, its opacity growing with log(count).
    const b = sh.bins
    const top = Math.log1p(Math.max(1, ...b.counts))
    const data = []
    for (let r = 0; r < b.ny; r++)
      for (let c = 0; c < b.nx; c++) {
        const count = b.counts[r * b.nx + c]!
        if (count === 0) continue
        data.push({
          value: [((c + 0.5) * b.xMax) / b.nx, ((r + 0.5) * b.yMax) / b.ny],
          itemStyle: { opacity: 0.15 + (0.85 * Math.log1p(count)) / top },
        })
      }
    series.unshift({
      type: 'scatter',
      xAxisIndex: 0,
      yAxisIndex: 0,
      data,
      symbol: 'rect',
      symbolSize: 4,
      itemStyle: { color: ink },
      silent: true,
      z: 2,
    })
  }
  option.series = series
  return option
}

export function shepardHeightIn(d: PathsData, style: FigureStyle, o: ShepardOptions = {}): number {
  const { panel, layout } = build(d, style, o)
  return linePanelsHeightIn([panel], style, layout)
}
