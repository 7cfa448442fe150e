/**
 * PNG export with resvg: the SVG rasterised at a chosen DPI, with the shipped fonts
 * only (no system fonts, so text renders the same everywhere), and a pHYs chunk
 * recording the DPI so that layout programs place the image at its physical size.
 */
import { Resvg } from '@resvg/resvg-js'
import { PX_PER_IN } from '../../shared/figures/style'
import { fontFaces, SANS_FAMILY, SERIF_FAMILY } from './fonts'

export interface PngOptions {
  /** Dots per inch (default 300). */
  dpi?: number
  /** Physical width in inches; default the SVG's width / 96. */
  widthIn?: number
  /** Background; default the SVG's own (figures paint theirs). */
  background?: string
}

/** Width in CSS px from an SVG's root `width` attribute. */
export function svgWidthPx(svg: string): number {
  const m = /<svg\b[^>]*?\swidth="([\d.]+)(px)?"/.exec(svg)
  if (!m) throw new Error('SVG has no numeric width attribute')
  return Number(m[1])
}

export function renderPng(svg: string, opts: PngOptions = {}): Buffer {
  const dpi = opts.dpi ?? 300
  if (!(dpi > 0)) throw new Error(`dpi must be positive (got ${dpi})`)
  const widthIn = opts.widthIn ?? svgWidthPx(svg) / PX_PER_IN
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'width', value: Math.round(widthIn * dpi) },
    font: {
      loadSystemFonts: false,
      fontFiles: fontFaces().map((f) => f.file),
      defaultFontFamily: SANS_FAMILY,
      sansSerifFamily: SANS_FAMILY,
      serifFamily: SERIF_FAMILY,
    },
    shapeRendering: 2,
    textRendering: 1,
    ...(opts.background ? { background: opts.background } : {}),
    logLevel: 'off',
  })
  return setPngDpi(resvg.render().asPng(), dpi)
}

// --- PNG chunks -------------------------------------------------------------

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

const CRC_TABLE = (() => {
  const t = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  return t
})()

export function crc32(buf: Uint8Array): number {
  let c = 0xffffffff
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'latin1')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
  return Buffer.concat([head, data, crc])
}

export interface PngChunk {
  type: string
  data: Buffer
}

/** The chunks of a PNG file, in order. */
export function pngChunks(png: Buffer): PngChunk[] {
  if (png.length < 8 || !png.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG file')
  const out: PngChunk[] = []
  for (let off = 8; off + 12 <= png.length;) {
    const len = png.readUInt32BE(off)
    const type = png.toString('latin1', off + 4, off + 8)
    out.push({ type, data: png.subarray(off + 8, off + 8 + len) })
    off += 12 + len
  }
  return out
}

/** The PNG with its pHYs chunk set to `dpi` (pixels per metre = dpi / 0.0254),
 * inserted right after IHDR (any previous pHYs is replaced). */
export function setPngDpi(png: Buffer, dpi: number): Buffer {
  const ppm = Math.round(dpi / 0.0254)
  const phys = Buffer.alloc(9)
  phys.writeUInt32BE(ppm, 0)
  phys.writeUInt32BE(ppm, 4)
  phys.writeUInt8(1, 8) // unit: metre
  const parts: Buffer[] = [SIGNATURE]
  for (const c of pngChunks(png)) {
    if (c.type === 'pHYs') continue
    parts.push(chunk(c.type, Buffer.from(c.data)))
    if (c.type === 'IHDR') parts.push(chunk('pHYs', phys))
  }
  return Buffer.concat(parts)
}

/** Size and DPI of a PNG (DPI from pHYs, undefined without one). */
export function pngInfo(png: Buffer): { width: number; height: number; dpiX?: number; dpiY?: number } {
  const chunks = pngChunks(png)
  const ihdr = chunks.find((c) => c.type === 'IHDR')
  if (!ihdr) throw new Error('PNG without IHDR')
  const phys = chunks.find((c) => c.type === 'pHYs')
  // pHYs stores whole pixels per metre, so e.g. 150 dpi reads back as 150.01: round to 0.1.
  const dpi = (ppm: number) => Math.round(ppm * 0.0254 * 10) / 10
  return {
    width: ihdr.data.readUInt32BE(0),
    height: ihdr.data.readUInt32BE(4),
    ...(phys && phys.data.readUInt8(8) === 1
      ? { dpiX: dpi(phys.data.readUInt32BE(0)), dpiY: dpi(phys.data.readUInt32BE(4)) }
      : {}),
  }
}
