/** Headless rendering of the shared figure builders: SVG, PNG and PDF. */
export {
  exportFigure,
  renderFigure,
  FIGURE_FORMATS,
  type ExportOptions,
  type ExportedFigure,
  type FigureFormat,
} from './export'
export { fontFaces, fontsDir, resolveFace, resolveFamily, setFontsDir, type FontFace } from './fonts'
export { installTextMeasure, measureText } from './measure'
export { renderPdf, type PdfOptions } from './pdf'
export { pngInfo, renderPng, setPngDpi, svgWidthPx, type PngOptions } from './png'
export { renderSvg, type SvgSize } from './svg'
