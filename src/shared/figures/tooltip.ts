/**
 * What a point of a paths figure carries, for tooltips in the interactive view.
 *
 * Every point of a paths scatter series is the array
 * `[x, y, epoch, net, samples, testError | null]` (see {@link PATH_DIMENSIONS}); the
 * series declares these dimensions with `encode.tooltip`, so ECharts' default tooltip
 * already names them without any function in the option. {@link formatPathTooltip} is
 * a nicer formatter the renderer may attach (`tooltip.formatter`); the headless
 * renderer needs neither.
 */

export const PATH_DIMENSIONS = ['x', 'y', 'epoch', 'net', 'samples', 'testError'] as const
export type PathPointValue = [
  x: number,
  y: number,
  epoch: number,
  net: number,
  samples: number,
  testError: number | null,
]

export interface PathPointInfo {
  run: string
  net: number
  epoch: number
  samples: number
  testError: number | null
}

/** The tooltip facts of a point from its ECharts data value. */
export function pathPointInfo(seriesName: string, value: readonly unknown[]): PathPointInfo {
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null)
  return {
    run: seriesName,
    net: num(value[3]) ?? -1,
    epoch: num(value[2]) ?? NaN,
    samples: num(value[4]) ?? NaN,
    testError: num(value[5]),
  }
}

const fmtEpoch = (e: number) => (Number.isInteger(e) ? String(e) : e.toFixed(e < 1 ? 2 : 1))
const fmtInt = (n: number) =>
  Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',')

/** Plain-text lines of a point's tooltip. */
export function pathTooltipLines(info: PathPointInfo): string[] {
  const lines = [
    `${info.run ? info.run + ' · ' : ''}net ${info.net}`,
    `epoch ${fmtEpoch(info.epoch)}`,
    `samples seen ${fmtInt(info.samples)}`,
  ]
  if (info.testError !== null) lines.push(`test error ${(info.testError * 100).toFixed(2)} %`)
  return lines
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** An ECharts `tooltip.formatter` for paths figures (HTML). Lines and other series
 * get no tooltip (they are `silent`). */
export function formatPathTooltip(params: unknown): string {
  const p = (Array.isArray(params) ? params[0] : params) as { seriesName?: string; value?: unknown } | undefined
  if (!p || !Array.isArray(p.value)) return ''
  return pathTooltipLines(pathPointInfo(p.seriesName ?? '', p.value))
    .map(escapeHtml)
    .join('<br>')
}
