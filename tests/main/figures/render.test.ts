import { describe, expect, it } from 'vitest'
import { exportFigure, renderFigure } from '../../../src/main/figures/export'
import { fontFaces, fontsDir, resolveFace, resolveFamily } from '../../../src/main/figures/fonts'
import { measureText } from '../../../src/main/figures/measure'
import { renderPdf } from '../../../src/main/figures/pdf'
import { crc32, pngChunks, pngInfo, renderPng, setPngDpi } from '../../../src/main/figures/png'
import { renderSvg } from '../../../src/main/figures/svg'
import { buildFigure, resolveStyle } from '../../../src/shared/figures'
import { parseXml, pdfTexts } from './inspect'
import { syntheticMetrics, syntheticPaths } from './synthetic'

const paths = syntheticPaths({ nets: 5, stress: 0.0842 })
const two = syntheticPaths({ nets: 4, runs: ['batch 1', 'batch 100'] })
const metrics = syntheticMetrics({ nets: 4, runs: ['batch 1', 'batch 100'] })

describe('fonts', () => {
  it('ships Liberation Sans and Serif in resources/fonts', () => {
    expect(fontsDir()).toMatch(/resources[\\/]fonts$/)
    expect(fontFaces().map((f) => f.pdfName)).toEqual(
      expect.arrayContaining(['LiberationSans', 'LiberationSans-Bold', 'LiberationSerif', 'LiberationSerif-Italic']),
    )
  })
  it('resolves CSS family lists to a shipped family', () => {
    expect(resolveFamily("'Liberation Serif', 'Times New Roman', serif")).toBe('Liberation Serif')
    expect(resolveFamily('Times New Roman')).toBe('Liberation Serif')
    expect(resolveFamily('Helvetica, sans-serif')).toBe('Liberation Sans')
    expect(resolveFamily('Comic Sans MS')).toBe('Liberation Sans')
    expect(resolveFace('serif', true, false).pdfName).toBe('LiberationSerif-Bold')
  })
  it('measures text with the real font metrics', () => {
    const w = measureText('MDS 1', "12px 'Liberation Sans'").width
    expect(w).toBeGreaterThan(25)
    expect(w).toBeLessThan(40)
    expect(measureText('epoch', "bold 12px 'Liberation Sans'").width).toBeGreaterThan(
      measureText('epoch', "12px 'Liberation Sans'").width,
    )
    expect(measureText('epoch', "12px 'Liberation Serif'").width).toBeLessThan(
      measureText('epoch', "12px 'Liberation Sans'").width,
    )
    expect(measureText('MDS 1', '24px sans-serif').width).toBeCloseTo(2 * w, 5)
  })
})

describe('SVG', () => {
  it('is well-formed XML with the axis names, colour bar and caption as text', async () => {
    const svg = (await exportFigure('paths', paths, 'paper', { format: 'svg' })) as string
    expect(typeof svg).toBe('string')
    expect(svg.startsWith('<svg')).toBe(true)
    const doc = parseXml(svg)
    expect(doc.root).toBe('svg')
    expect(doc.elements).toContain('text')
    expect(doc.texts).toEqual(
      expect.arrayContaining(['MDS 1', 'MDS 2', 'epoch', '0', '20', 'τ · MDS · stress-1 0.084']),
    )
    // 3.5 in at 96 px/in
    expect(svg).toMatch(/^<svg[^>]* width="336"/)
    expect(svg).toContain('Liberation Sans')
  })
  it('shows legend names of overlaid runs and panel titles of compared runs', async () => {
    const overlay = parseXml((await exportFigure('paths', two, 'paper', { format: 'svg' })) as string)
    expect(overlay.texts).toEqual(expect.arrayContaining(['batch 1', 'batch 100']))
    const compare = parseXml(
      (await exportFigure('compare', two, 'colorblind', { format: 'svg', widthIn: 7.16 })) as string,
    )
    expect(compare.texts).toEqual(expect.arrayContaining(['batch 1', 'batch 100', 'MDS 1']))
  })
  it('renders metrics with axis names and legend', async () => {
    const doc = parseXml(
      (await exportFigure('metrics', metrics, 'paper', {
        format: 'svg',
        widthIn: 7.16,
        figure: { logX: true },
      })) as string,
    )
    expect(doc.texts).toEqual(expect.arrayContaining(['epoch', 'test error (%)', 'train loss', 'batch 1', 'batch 100']))
  })
  it('draws every point (no progressive rendering cut-off)', () => {
    const big = syntheticPaths({ nets: 100 })
    const { option, widthIn, heightIn } = buildFigure('paths', big, resolveStyle('paper'), { lines: false })
    const svg = renderSvg(option, { widthPx: widthIn * 96, heightPx: heightIn * 96 })
    // scatter symbols are drawn as paths; there must be at least one per point
    expect((svg.match(/<path /g) ?? []).length).toBeGreaterThanOrEqual(100 * 30)
  })
  it('is deterministic (ECharts instance counters renumbered)', async () => {
    const a = await exportFigure('paths', two, 'paper', { format: 'svg' })
    const b = await exportFigure('paths', two, 'paper', { format: 'svg' })
    expect(a).toBe(b)
    expect(a).not.toMatch(/zr\d+-/)
    expect(a).toMatch(/url\(#fig-g0\)/)
  })
  it('rejects a non-positive size', () => {
    expect(() => renderSvg({}, { widthPx: 0, heightPx: 10 })).toThrow(/positive/)
  })
})

describe('PNG', () => {
  it('is 1050 px wide for 3.5 in at 300 dpi and records 300 dpi in pHYs', async () => {
    const r = await renderFigure('paths', paths, 'paper', { format: 'png', widthIn: 3.5, dpi: 300 })
    const png = r.content as Buffer
    expect(png.subarray(1, 4).toString()).toBe('PNG')
    const info = pngInfo(png)
    expect(info.width).toBe(1050)
    expect(info.height).toBe(Math.round(r.heightIn * 300))
    expect(info.dpiX).toBe(300)
    expect(info.dpiY).toBe(300)
    const phys = pngChunks(png).find((c) => c.type === 'pHYs')!
    expect(phys.data.readUInt32BE(0)).toBe(11811)
    expect(phys.data.readUInt8(8)).toBe(1)
    // pHYs sits before the image data
    const types = pngChunks(png).map((c) => c.type)
    expect(types.indexOf('pHYs')).toBeLessThan(types.indexOf('IDAT'))
  })
  it('honours other sizes and resolutions', async () => {
    const png = (await exportFigure('metrics', metrics, 'colorblind', {
      format: 'png',
      widthIn: 7.16,
      heightIn: 3,
      dpi: 150,
    })) as Buffer
    expect(pngInfo(png)).toMatchObject({ width: 1074, height: 450, dpiX: 150 })
  })
  it('replaces an existing pHYs chunk and keeps CRCs valid', () => {
    const svg = renderSvg({ backgroundColor: '#fff' }, { widthPx: 96, heightPx: 48 })
    const png = setPngDpi(renderPng(svg, { dpi: 300 }), 600)
    expect(pngChunks(png).filter((c) => c.type === 'pHYs')).toHaveLength(1)
    expect(pngInfo(png).dpiX).toBe(600)
    expect(pngInfo(png).width).toBe(300) // rendered at 300 dpi: 1 in
    for (let off = 8; off < png.length;) {
      const len = png.readUInt32BE(off)
      expect(png.readUInt32BE(off + 8 + len)).toBe(crc32(png.subarray(off + 4, off + 8 + len)))
      off += 12 + len
    }
  })
  it('draws text with the shipped fonts (not blank)', async () => {
    // A figure that is only a caption: the PNG must have dark pixels.
    const svg = renderSvg(
      {
        graphic: [
          {
            type: 'text',
            x: 5,
            y: 5,
            style: { text: 'MDS', fontSize: 30, fontFamily: 'Liberation Sans', fill: '#000' },
          },
        ],
      } as never,
      { widthPx: 96, heightPx: 48 },
    )
    const png = renderPng(svg, { dpi: 96 })
    expect(pngInfo(png).width).toBe(96)
    // compressed size of a blank image is tiny; text makes it larger
    const blank = renderPng(renderSvg({}, { widthPx: 96, heightPx: 48 }), { dpi: 96 })
    expect(png.length).toBeGreaterThan(blank.length + 200)
  })
})

describe('PDF', () => {
  it('is one page of exactly the figure size with the font embedded', async () => {
    const r = await renderFigure('paths', paths, 'paper', { format: 'pdf', widthIn: 3.5 })
    const pdf = r.content as Buffer
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    const s = pdf.toString('latin1')
    const box = /\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/.exec(s)!
    expect(Number(box[1])).toBe(252)
    expect(Number(box[2])).toBeCloseTo(r.heightIn * 72, 3)
    expect((s.match(/\/Type \/Page\b/g) ?? []).length).toBe(1)
    expect(s).toContain('/FontFile2')
    expect(s).toMatch(/\/BaseFont \/[A-Z]{6}\+LiberationSans/)
  })
  it('keeps the text as text', async () => {
    const style = resolveStyle('paper-serif', { widthIn: 3.5 })
    const { option, widthIn, heightIn } = buildFigure('paths', two, style, { title: 'Batch size' })
    const svg = renderSvg(option, { widthPx: widthIn * 96, heightPx: heightIn * 96 })
    const pdf = await renderPdf(svg, { widthIn, heightIn, compress: false })
    const texts = pdfTexts(pdf)
    expect(texts).toEqual(expect.arrayContaining(['MDS 1', 'MDS 2', 'epoch', 'batch 1', 'batch 100', 'Batch size']))
    const s = pdf.toString('latin1')
    expect(s).toMatch(/\/BaseFont \/[A-Z]{6}\+LiberationSerif-Bold/)
    expect(s).toMatch(/\/BaseFont \/[A-Z]{6}\+LiberationSerif\b/)
    expect(s).not.toContain('/Helvetica')
  })
  it('is 7.16 in wide for double-column figures', async () => {
    const pdf = (await exportFigure('metrics', metrics, 'paper', {
      format: 'pdf',
      widthIn: 7.16,
      heightIn: 3,
    })) as Buffer
    expect(pdf.toString('latin1')).toMatch(/\/MediaBox \[0 0 515\.52 216\]/)
  })
})

describe('exportFigure', () => {
  it('returns a string for SVG and bytes for PNG and PDF', async () => {
    expect(typeof (await exportFigure('paths', paths, 'paper', { format: 'svg' }))).toBe('string')
    expect(Buffer.isBuffer(await exportFigure('paths', paths, 'paper', { format: 'png', dpi: 72 }))).toBe(true)
  })
  it('applies font size and figure options', async () => {
    const svg = (await exportFigure('paths', paths, 'paper', {
      format: 'svg',
      fontSize: 10,
      figure: { caption: false, nets: [0] },
    })) as string
    expect(svg).toContain('font-size:13.333')
    expect(svg).not.toContain('stress')
  })
  it('rejects unknown formats, kinds, styles and bad sizes with clear errors', async () => {
    await expect(exportFigure('paths', paths, 'paper', { format: 'gif' as 'svg' })).rejects.toThrow(
      /unknown figure format "gif"/,
    )
    await expect(exportFigure('pie' as 'paths', paths, 'paper', { format: 'svg' })).rejects.toThrow(
      /unknown figure kind "pie"/,
    )
    await expect(exportFigure('paths', paths, 'neon', { format: 'svg' })).rejects.toThrow(/unknown figure style "neon"/)
    await expect(exportFigure('paths', paths, 'paper', { format: 'svg', widthIn: -1 })).rejects.toThrow(
      /width must be positive/,
    )
  })
})
