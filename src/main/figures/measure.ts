/**
 * Text measurement for server-side ECharts. Without a canvas, ECharts estimates text
 * widths from a fixed table; legends, axis names and label overlap checks then drift
 * from what is drawn. This installs a `measureText` that uses the shipped fonts'
 * real advance widths (read by pdfkit), so layout matches the rendered text.
 */
import PDFDocument from 'pdfkit'
import * as echarts from 'echarts'
import { fontFaces, resolveFace } from './fonts'

let doc: PDFKit.PDFDocument | undefined
let installed = false

/** Width in px of `text` set in a CSS font shorthand such as `bold 12px 'Liberation Sans', sans-serif`. */
export function measureText(text: string, font?: string): { width: number } {
  const f = font ?? '12px sans-serif'
  const size = Number(/([\d.]+)px/.exec(f)?.[1] ?? 12)
  const bold = /\b(bold|bolder|[6-9]00)\b/.test(f)
  const italic = /\b(italic|oblique)\b/.test(f)
  const family = f.replace(/^.*?[\d.]+px(\s*\/\s*[\d.]+\w*)?\s*/, '')
  if (!doc) {
    doc = new PDFDocument({ autoFirstPage: false })
    for (const face of fontFaces()) doc.registerFont(face.pdfName, face.file)
  }
  doc.font(resolveFace(family, bold, italic).pdfName).fontSize(size)
  return { width: doc.widthOfString(text ?? '') }
}

/** Make ECharts measure text with the shipped fonts (idempotent). */
export function installTextMeasure(): void {
  if (installed) return
  echarts.setPlatformAPI({ measureText })
  installed = true
}
