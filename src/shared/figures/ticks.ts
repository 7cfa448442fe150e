/**
 * Tick placement and text-size estimates, so that builders can lay a figure out in
 * exact pixels (fixed grids, equal-aspect axes) without measuring text.
 */

/** The nice step (1, 2 or 5 × 10^k) nearest above `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1
  const e = Math.floor(Math.log10(raw))
  const base = 10 ** e
  const f = raw / base
  const nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10
  return nice * base
}

/** The nice step (1, 2 or 5 × 10^k) nearest to `raw` on a log scale. */
export function nearestNiceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1
  const e = Math.floor(Math.log10(raw))
  const cands = [1, 2, 5, 10].map((f) => f * 10 ** e)
  return cands.reduce((best, c) => (Math.abs(Math.log(c / raw)) < Math.abs(Math.log(best / raw)) ? c : best))
}

/** Decimals needed to print multiples of `step` exactly. */
export function stepDecimals(step: number): number {
  if (!(step > 0)) return 0
  for (let d = 0; d < 10; d++) if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-6) return d
  return 10
}

export function formatTick(v: number, step: number): string {
  const s = v.toFixed(stepDecimals(step))
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s
}

/** Multiples of `step` inside [min, max] (with a little tolerance at the ends). */
export function ticksIn(min: number, max: number, step: number): number[] {
  const eps = step * 1e-6
  const out: number[] = []
  for (let k = Math.ceil((min - eps) / step); k * step <= max + eps; k++) out.push(Number((k * step).toPrecision(12)))
  return out
}

/** Nice ticks for [min, max] with about `count` intervals. */
export function niceTicks(min: number, max: number, count: number): { step: number; ticks: number[] } {
  const span = max - min
  const step = nearestNiceStep(span > 0 ? span / Math.max(1, count) : 1)
  return { step, ticks: ticksIn(min, max, step) }
}

export function isMultiple(v: number, step: number): boolean {
  const q = v / step
  return Math.abs(q - Math.round(q)) < 1e-6
}

// Advance widths in em of Arial/Liberation Sans (the widest of the shipped fonts for
// these characters), enough to size margins without measuring.
const EM: Record<string, number> = {
  ' ': 0.278,
  '.': 0.278,
  ',': 0.278,
  '-': 0.333,
  '−': 0.584,
  '(': 0.333,
  ')': 0.333,
  '%': 0.889,
  i: 0.222,
  l: 0.222,
  j: 0.222,
  t: 0.278,
  f: 0.278,
  r: 0.333,
  m: 0.833,
  w: 0.722,
  '1': 0.556,
}

/** Approximate width in px of `text` at `fontPx`. */
export function textWidth(text: string, fontPx: number): number {
  let w = 0
  for (const ch of text) {
    const e = EM[ch]
    if (e !== undefined) w += e
    else if (/[0-9]/.test(ch)) w += 0.556
    else if (/[A-Z]/.test(ch)) w += 0.667
    else w += 0.53
  }
  return w * fontPx
}

/** Ticks of a log axis over [min, max]: 1-2-5 per decade over up to 2.5 decades,
 * 1-3 up to 5, powers of ten beyond. */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max > min)) return []
  const decades = Math.log10(max / min)
  const mults = decades <= 2.5 ? [1, 2, 5] : decades <= 5 ? [1, 3] : [1]
  const out: number[] = []
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++)
    for (const k of mults) {
      const v = Number((k * 10 ** e).toPrecision(6))
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) out.push(v)
    }
  return out
}
