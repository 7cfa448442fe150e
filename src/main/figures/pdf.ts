/**
 * Vector PDF export with pdfkit + svg-to-pdfkit: one page exactly the figure's size
 * (72 pt per inch), the SVG drawn as PDF paths and text, the shipped fonts embedded
 * (subset TrueType, FontFile2) so the PDF looks the same in every viewer and the text
 * stays selectable.
 */
import PDFDocument from 'pdfkit'
import SVGtoPDF from 'svg-to-pdfkit'
import { PT_PER_IN } from '../../shared/figures/style'
import { fontFaces, resolveFace } from './fonts'

export interface PdfOptions {
  widthIn: number
  heightIn: number
  /** Compress content streams (default true; tests turn it off to read the text). */
  compress?: boolean
  title?: string
  /** Fixed creation date, for reproducible files. */
  creationDate?: Date
  /** svg-to-pdfkit's warnings (unsupported SVG features); ignored by default. */
  onWarning?: (message: string) => void
}

export function renderPdf(svg: string, opts: PdfOptions): Promise<Buffer> {
  const w = opts.widthIn * PT_PER_IN
  const h = opts.heightIn * PT_PER_IN
  if (!(w > 0) || !(h > 0))
    return Promise.reject(new Error(`figure size must be positive (got ${opts.widthIn} × ${opts.heightIn} in)`))
  const doc = new PDFDocument({
    size: [w, h],
    margin: 0,
    compress: opts.compress ?? true,
    info: {
      Title: opts.title ?? 'sgdscope figure',
      Creator: 'sgdscope',
      Producer: 'sgdscope (pdfkit)',
      CreationDate: opts.creationDate ?? new Date(),
    },
  })
  for (const face of fontFaces()) doc.registerFont(face.pdfName, face.file)
  const chunks: Buffer[] = []
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c))
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })
  try {
    SVGtoPDF(doc, svg, 0, 0, {
      width: w,
      height: h,
      fontCallback: (family, bold, italic) => resolveFace(family, bold, italic).pdfName,
      warningCallback: (msg) => opts.onWarning?.(msg),
    })
  } catch (e) {
    doc.end()
    return Promise.reject(e)
  }
  doc.end()
  return done
}
