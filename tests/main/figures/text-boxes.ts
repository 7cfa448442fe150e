/**
 * The text boxes of a rendered SVG figure, for layout tests: each <text> element's
 * box in figure pixels, from its position, transform, anchor, baseline and the width
 * the shipped fonts give it (the same metrics ECharts laid it out with).
 */
import { measureText } from '../../../src/main/figures/measure'

export interface TextBox {
  text: string
  x0: number
  y0: number
  x1: number
  y1: number
}

const attr = (tag: string, name: string): string | undefined => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1]

const unescape = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&')

/** [a, b, c, d, e, f] of an SVG transform list of translate/matrix/scale/rotate(0|±90). */
function matrixOf(transform: string | undefined): number[] {
  let m = [1, 0, 0, 1, 0, 0]
  const mul = (n: number[]) => {
    const [a, b, c, d, e, f] = m as [number, number, number, number, number, number]
    const [A, B, C, D, E, F] = n as [number, number, number, number, number, number]
    m = [a * A + c * B, b * A + d * B, a * C + c * D, b * C + d * D, a * E + c * F + e, b * E + d * F + f]
  }
  for (const t of (transform ?? '').matchAll(/(\w+)\(([^)]*)\)/g)) {
    const v = t[2]!
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(Number)
    if (t[1] === 'translate') mul([1, 0, 0, 1, v[0] ?? 0, v[1] ?? 0])
    else if (t[1] === 'matrix') mul(v)
    else if (t[1] === 'scale') mul([v[0]!, 0, 0, v[1] ?? v[0]!, 0, 0])
    else if (t[1] === 'rotate') {
      const r = ((v[0] ?? 0) * Math.PI) / 180
      mul([Math.cos(r), Math.sin(r), -Math.sin(r), Math.cos(r), 0, 0])
    } else throw new Error(`unsupported transform ${t[0]}`)
  }
  return m
}

/** Every non-empty <text> of `svg` as a box (rotated text: its rotated box). */
export function textBoxes(svg: string): TextBox[] {
  const out: TextBox[] = []
  for (const m of svg.matchAll(/<text\b([^>]*)>([\s\S]*?)<\/text>/g)) {
    const tag = m[1]!
    const text = unescape(m[2]!.replace(/<[^>]+>/g, ''))
    if (!text.trim()) continue
    const style = attr(tag, 'style') ?? ''
    const size = Number(/font-size:\s*([\d.]+)px/.exec(style)?.[1] ?? 12)
    const family = /font-family:\s*([^;]+)/.exec(style)?.[1] ?? 'sans-serif'
    const weight = /font-weight:\s*(\w+)/.exec(style)?.[1] ?? ''
    const width = measureText(text, `${weight === 'bold' ? 'bold ' : ''}${size}px ${family}`).width
    const anchor = attr(tag, 'text-anchor') ?? 'start'
    const baseline = attr(tag, 'dominant-baseline') ?? 'alphabetic'
    const x = Number(attr(tag, 'x') ?? 0)
    const y = Number(attr(tag, 'y') ?? 0)
    const left = anchor === 'middle' ? x - width / 2 : anchor === 'end' ? x - width : x
    // Cap height to descender of Liberation's metrics (ascent 0.905, descent 0.212 em,
    // digits and capitals reach 0.73): the inked box, not the line box.
    const top = baseline === 'central' ? y - 0.4 * size : baseline === 'hanging' ? y : y - 0.73 * size
    const bottom = top + (baseline === 'central' ? 0.8 * size : 0.73 * size + 0.21 * size)
    const [a, b, c, d, e, f] = matrixOf(attr(tag, 'transform')) as [number, number, number, number, number, number]
    const corners = [
      [left, top],
      [left + width, top],
      [left, bottom],
      [left + width, bottom],
    ].map(([px, py]) => [a * px! + c * py! + e, b * px! + d * py! + f] as const)
    out.push({
      text,
      x0: Math.min(...corners.map((p) => p[0])),
      x1: Math.max(...corners.map((p) => p[0])),
      y0: Math.min(...corners.map((p) => p[1])),
      y1: Math.max(...corners.map((p) => p[1])),
    })
  }
  return out
}

/** Pairs of boxes that overlap by more than `tol` px in both directions. */
export function overlaps(boxes: TextBox[], tol = 0.5): [TextBox, TextBox][] {
  const out: [TextBox, TextBox][] = []
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const p = boxes[i]!
      const q = boxes[j]!
      const dx = Math.min(p.x1, q.x1) - Math.max(p.x0, q.x0)
      const dy = Math.min(p.y1, q.y1) - Math.max(p.y0, q.y0)
      if (dx > tol && dy > tol) out.push([p, q])
    }
  return out
}

/** Boxes that cross the figure's edge (by more than `tol` px). */
export function outside(boxes: TextBox[], widthPx: number, heightPx: number, tol = 0.5): TextBox[] {
  return boxes.filter((b) => b.x0 < -tol || b.y0 < -tol || b.x1 > widthPx + tol || b.y1 > heightPx + tol)
}
