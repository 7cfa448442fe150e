/**
 * Headless SVG rendering of a figure option with ECharts' server-side renderer.
 *
 * The SVG's `width`/`height` attributes and its viewBox are in CSS px at 96 px per
 * inch (3.5 in = 336 px), the unit the builders lay figures out in; text stays text
 * (`<text>` elements in the shipped font families).
 */
import * as echarts from 'echarts'
import type { EChartsOption } from 'echarts'
import { installTextMeasure } from './measure'

export interface SvgSize {
  widthPx: number
  heightPx: number
}

/** Components that only make sense with a pointer; dropped from static exports. */
const INTERACTIVE_ONLY = ['tooltip', 'toolbox', 'dataZoom', 'brush', 'axisPointer'] as const

export function renderSvg(option: EChartsOption, { widthPx, heightPx }: SvgSize): string {
  if (!(widthPx > 0) || !(heightPx > 0))
    throw new Error(`figure size must be positive (got ${widthPx} × ${heightPx} px)`)
  installTextMeasure()
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: widthPx, height: heightPx })
  try {
    const opt: EChartsOption = { ...option, animation: false }
    for (const k of INTERACTIVE_ONLY) delete (opt as Record<string, unknown>)[k]
    chart.setOption(opt)
    return trueMinus(normaliseIds(chart.renderToSVGString()))
  } finally {
    chart.dispose()
  }
}

/** Typeset negative numbers with a true minus sign (U+2212), as journals ask, not the
 * hyphen ECharts' default tick labels use: every <text> that is a number (ticks, colour
 * bars; any axis, whoever formatted it) — words such as "stress-1" are left alone. */
export function trueMinus(svg: string): string {
  return svg.replace(/(<text\b[^>]*>)-(?=\d|\.\d)([\d.,]*(?:e[-+]?\d+)?%?)(<\/text>)/g, '$1\u2212$2$3')
}

/** ECharts numbers ids and class names (`zr3-cls-41`, `zr3-g0`) with process-wide
 * counters; renumber them in order of appearance so that the same figure always
 * gives the same bytes. */
export function normaliseIds(svg: string): string {
  const seen = new Map<string, string>()
  const counters = new Map<string, number>()
  return svg.replace(/\bzr\d+-([a-z]+-?)(\d+)\b/g, (all: string, kind: string) => {
    let id = seen.get(all)
    if (id === undefined) {
      const n = counters.get(kind) ?? 0
      counters.set(kind, n + 1)
      id = `fig-${kind}${n}`
      seen.set(all, id)
    }
    return id
  })
}
