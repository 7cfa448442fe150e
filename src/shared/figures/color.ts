/**
 * Colour scales. Interpolation is linear in sRGB between evenly spaced stops, which is
 * what ECharts' continuous visualMap does, so colours computed here (line segments,
 * the colour bar) agree with the colours ECharts gives the points.
 */

export type Rgb = [number, number, number]

/** Parse `#rgb`, `#rrggbb` or `rgb(r, g, b)`. */
export function parseColor(color: string): Rgb {
  const c = color.trim()
  let m = /^#([0-9a-f]{3})$/i.exec(c)
  if (m) {
    const h = m[1]!
    return [0, 1, 2].map((i) => parseInt(h[i]! + h[i]!, 16)) as Rgb
  }
  m = /^#([0-9a-f]{6})$/i.exec(c)
  if (m) {
    const h = m[1]!
    return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as Rgb
  }
  m = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)/i.exec(c)
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])]
  throw new Error(`cannot parse colour "${color}"`)
}

export function toHex([r, g, b]: Rgb): string {
  const h = (v: number) =>
    Math.max(0, Math.min(255, Math.round(v)))
      .toString(16)
      .padStart(2, '0')
  return `#${h(r)}${h(g)}${h(b)}`
}

/** The colour at t ∈ [0, 1] of a scale through `stops` (t outside is clamped). */
export function colorAt(stops: readonly string[], t: number): string {
  if (stops.length === 0) throw new Error('empty colour scale')
  if (stops.length === 1 || !(t > 0)) return toHex(parseColor(stops[0]!))
  if (t >= 1) return toHex(parseColor(stops[stops.length - 1]!))
  const pos = t * (stops.length - 1)
  const i = Math.floor(pos)
  const f = pos - i
  const a = parseColor(stops[i]!)
  const b = parseColor(stops[i + 1]!)
  return toHex([a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f])
}

/** A value → colour function for the range [min, max]. */
export function colorScale(stops: readonly string[], min: number, max: number): (v: number) => string {
  const span = max - min
  return (v) => colorAt(stops, span > 0 ? (v - min) / span : 0)
}

/** ECharts gradient colour stops for a scale (offset 0 = first stop). */
export function gradientStops(stops: readonly string[]): { offset: number; color: string }[] {
  return stops.map((color, i) => ({ offset: stops.length > 1 ? i / (stops.length - 1) : 0, color }))
}
