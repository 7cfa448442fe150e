/**
 * Small readers for the tests: an XML well-formedness check (no parser dependency)
 * and a PDF text extractor for uncompressed pdfkit output (glyph codes mapped back
 * through each font's ToUnicode CMap).
 */

/** Throws unless `xml` is well-formed: tags balanced and properly nested, attributes
 * quoted and unique, entities known, one root element. Returns the element names
 * and the text content, for assertions. */
export function parseXml(xml: string): { root: string; elements: string[]; texts: string[] } {
  const stack: string[] = []
  const elements: string[] = []
  const texts: string[] = []
  let root = ''
  let i = 0
  const text = (s: string) => {
    for (const m of s.matchAll(/&([^;\s]*);?/g)) {
      if (!/^(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+)$/i.test(m[1]!) || !m[0].endsWith(';'))
        throw new Error(`bad entity "${m[0]}"`)
    }
    if (/[<>]/.test(s.replace(/>/g, ''))) throw new Error('stray <')
    if (s.trim()) {
      if (!stack.length) throw new Error(`text outside the root: "${s.trim().slice(0, 20)}"`)
      texts.push(
        s
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&quot;/g, '"')
          .replace(/&apos;/g, "'")
          .replace(/&amp;/g, '&'),
      )
    }
  }
  while (i < xml.length) {
    const lt = xml.indexOf('<', i)
    if (lt < 0) {
      text(xml.slice(i))
      break
    }
    text(xml.slice(i, lt))
    if (xml.startsWith('<?', lt)) {
      i = xml.indexOf('?>', lt) + 2
      if (i < 2) throw new Error('unterminated <?')
      continue
    }
    if (xml.startsWith('<!--', lt)) {
      i = xml.indexOf('-->', lt) + 3
      if (i < 3) throw new Error('unterminated comment')
      continue
    }
    if (xml.startsWith('<![CDATA[', lt)) {
      i = xml.indexOf(']]>', lt) + 3
      if (i < 3) throw new Error('unterminated CDATA')
      continue
    }
    const m = /^<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[A-Za-z_][\w:.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/.exec(
      xml.slice(lt),
    )
    if (!m) throw new Error(`malformed tag at ${lt}: ${xml.slice(lt, lt + 40)}`)
    const [all, close, name, attrs, selfClose] = m
    const names = [...attrs!.matchAll(/([A-Za-z_][\w:.-]*)\s*=/g)].map((a) => a[1])
    if (new Set(names).size !== names.length) throw new Error(`duplicate attribute in <${name}>`)
    if (close) {
      const open = stack.pop()
      if (open !== name) throw new Error(`</${name}> closes <${open}>`)
    } else {
      if (!stack.length) {
        if (root) throw new Error('more than one root element')
        root = name!
      }
      elements.push(name!)
      if (!selfClose) stack.push(name!)
    }
    i = lt + all!.length
  }
  if (stack.length) throw new Error(`unclosed <${stack.join('>, <')}>`)
  if (!root) throw new Error('no root element')
  return { root, elements, texts }
}

/** Text drawn by an uncompressed pdfkit PDF, one string per BT…ET block. */
export function pdfTexts(pdf: Buffer): string[] {
  const s = pdf.toString('latin1')
  const objects = new Map<number, string>()
  for (const m of s.matchAll(/(\d+) 0 obj([\s\S]*?)endobj/g)) objects.set(Number(m[1]), m[2]!)
  // font resource name → ToUnicode map
  const cmaps = new Map<string, Map<number, string>>()
  for (const m of s.matchAll(/\/(F\d+) (\d+) 0 R/g)) {
    const font = objects.get(Number(m[2]))
    const tu = font && /\/ToUnicode (\d+) 0 R/.exec(font)
    if (!tu) continue
    const cmap = objects.get(Number(tu[1])) ?? ''
    const map = new Map<number, string>()
    const utf16 = (hex: string) => String.fromCharCode(...(hex.match(/.{4}/g) ?? []).map((h) => parseInt(h, 16)))
    for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g))
      for (const r of block[1]!.matchAll(/<([0-9a-f]+)>\s*<([0-9a-f]+)>\s*(?:<([0-9a-f]+)>|\[([^\]]*)\])/gi)) {
        const [a, b] = [parseInt(r[1]!, 16), parseInt(r[2]!, 16)]
        if (r[3]) for (let c = a; c <= b; c++) map.set(c, String.fromCodePoint(parseInt(r[3], 16) + c - a))
        else [...r[4]!.matchAll(/<([0-9a-f]+)>/gi)].forEach((u, k) => map.set(a + k, utf16(u[1]!)))
      }
    for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g))
      for (const r of block[1]!.matchAll(/<([0-9a-f]+)>\s*<([0-9a-f]+)>/gi)) map.set(parseInt(r[1]!, 16), utf16(r[2]!))
    cmaps.set(m[1]!, map)
  }
  const out: string[] = []
  for (const bt of s.matchAll(/BT([\s\S]*?)ET/g)) {
    let font: Map<number, string> | undefined
    let str = ''
    for (const op of bt[1]!.matchAll(/\/(F\d+) [\d.]+ Tf|<([0-9a-f]+)> Tj|\[([^\]]*)\] TJ/gi)) {
      if (op[1]) font = cmaps.get(op[1])
      const hex = op[2] ?? [...(op[3] ?? '').matchAll(/<([0-9a-f]+)>/gi)].map((h) => h[1]).join('')
      for (let k = 0; k + 4 <= hex.length; k += 4) str += font?.get(parseInt(hex.slice(k, k + 4), 16)) ?? '?'
    }
    if (str) out.push(str)
  }
  return out
}
