/**
 * One entry point for figure export, used by the CLI, the app and the browser host:
 * (kind, data, style, size and format) → the file's contents.
 */
import { buildFigure, type FigureDataOf, type FigureKind, type FigureOptionsOf } from '../../shared/figures/registry'
import { PX_PER_IN, resolveStyle, type FigureStyle, type StyleName } from '../../shared/figures/style'
import { renderPdf } from './pdf'
import { renderPng } from './png'
import { renderSvg } from './svg'

export type FigureFormat = 'svg' | 'png' | 'pdf'
export const FIGURE_FORMATS: readonly FigureFormat[] = ['svg', 'png', 'pdf']

export interface ExportOptions<K extends FigureKind = FigureKind> {
  format: FigureFormat
  /** Width in inches (3.5 single column, 7.16 double column); default the style's. */
  widthIn?: number
  /** Height in inches; default the style's, else the figure's natural height. */
  heightIn?: number
  /** PNG resolution (default 300). */
  dpi?: number
  /** Base font size in pt; default the style's. */
  fontSize?: number
  /** Figure options (epoch window, network subset, layout, log axes, …). */
  figure?: FigureOptionsOf<K>
}

export interface ExportedFigure {
  /** SVG text, or PNG / PDF bytes. */
  content: string | Buffer
  widthIn: number
  heightIn: number
}

/** Render a figure with its size: the file's contents and the size used. */
export async function renderFigure<K extends FigureKind>(
  kind: K,
  data: FigureDataOf<K>,
  style: StyleName | (string & {}) | FigureStyle,
  opts: ExportOptions<K>,
): Promise<ExportedFigure> {
  const s = resolveStyle(style, { widthIn: opts.widthIn, heightIn: opts.heightIn, fontSize: opts.fontSize })
  if (!(s.widthIn > 0)) throw new Error(`figure width must be positive (got ${s.widthIn} in)`)
  if (s.heightIn !== undefined && !(s.heightIn > 0))
    throw new Error(`figure height must be positive (got ${s.heightIn} in)`)
  const { option, widthIn, heightIn } = buildFigure(kind, data, s, opts.figure)
  const svg = renderSvg(option, { widthPx: widthIn * PX_PER_IN, heightPx: heightIn * PX_PER_IN })
  switch (opts.format) {
    case 'svg':
      return { content: svg, widthIn, heightIn }
    case 'png':
      return { content: renderPng(svg, { dpi: opts.dpi ?? 300, widthIn }), widthIn, heightIn }
    case 'pdf':
      return { content: await renderPdf(svg, { widthIn, heightIn, title: `sgdscope ${kind}` }), widthIn, heightIn }
    default:
      throw new Error(`unknown figure format "${String(opts.format)}" (known: ${FIGURE_FORMATS.join(', ')})`)
  }
}

/** Export a figure: SVG as a string, PNG and PDF as bytes. */
export async function exportFigure<K extends FigureKind>(
  kind: K,
  data: FigureDataOf<K>,
  style: StyleName | (string & {}) | FigureStyle,
  opts: ExportOptions<K>,
): Promise<Buffer | string> {
  return (await renderFigure(kind, data, style, opts)).content
}
