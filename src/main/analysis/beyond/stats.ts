/**
 * Small statistics for the beyond-the-paper analyses: ranks with ties, Spearman's rank
 * correlation, medians and summaries. Plain float64 code on short vectors.
 */

/** Ranks 1..n of the values, ties getting the mean of the ranks they span. */
export function ranks(values: ArrayLike<number>): Float64Array {
  const n = values.length
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b])
  const r = new Float64Array(n)
  for (let i = 0; i < n;) {
    let j = i
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++
    const mean = (i + j) / 2 + 1
    for (let k = i; k <= j; k++) r[order[k]] = mean
    i = j + 1
  }
  return r
}

/** Pearson correlation; NaN when either vector is constant or shorter than 2. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length
  if (n !== y.length) throw new RangeError(`pearson: lengths differ (${n} vs ${y.length})`)
  if (n < 2) return NaN
  let mx = 0
  let my = 0
  for (let i = 0; i < n; i++) {
    mx += x[i]
    my += y[i]
  }
  mx /= n
  my /= n
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx
    const dy = y[i] - my
    sxy += dx * dy
    sxx += dx * dx
    syy += dy * dy
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN
}

/** Spearman's rank correlation: Pearson on the ranks (ties averaged). */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return pearson(ranks(x), ranks(y))
}

/** Median of the finite values (NaN when there are none). */
export function median(values: ArrayLike<number>): number {
  return quantile(values, 0.5)
}

/** The q-quantile of the finite values, linear between order statistics. */
export function quantile(values: ArrayLike<number>, q: number): number {
  const v = Array.from(values)
    .filter(Number.isFinite)
    .sort((a, b) => a - b)
  if (v.length === 0) return NaN
  const pos = Math.min(1, Math.max(0, q)) * (v.length - 1)
  const i = Math.floor(pos)
  const f = pos - i
  return i + 1 < v.length ? v[i] * (1 - f) + v[i + 1] * f : v[i]
}

export interface Summary {
  mean: number
  median: number
  min: number
  max: number
  /** Number of finite values summarised. */
  count: number
}

/** Mean, median, min and max of the finite values (NaN for an empty set). */
export function summarise(values: ArrayLike<number>): Summary {
  const v = Array.from(values).filter(Number.isFinite)
  if (v.length === 0) return { mean: NaN, median: NaN, min: NaN, max: NaN, count: 0 }
  return {
    mean: v.reduce((a, b) => a + b, 0) / v.length,
    median: median(v),
    min: Math.min(...v),
    max: Math.max(...v),
    count: v.length,
  }
}

/** n evenly spaced values from a to b inclusive. */
export function linspace(a: number, b: number, n: number): number[] {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`linspace: need at least 2 points (got ${n})`)
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? b : a + ((b - a) * i) / (n - 1)))
}

/** Least-squares line y = c0 + c1·x with its R² (NaN when y is constant). */
export function fitLine(x: ArrayLike<number>, y: ArrayLike<number>): { intercept: number; slope: number; r2: number } {
  const n = x.length
  let mx = 0
  let my = 0
  for (let i = 0; i < n; i++) {
    mx += x[i]
    my += y[i]
  }
  mx /= n
  my /= n
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my)
    sxx += (x[i] - mx) ** 2
    syy += (y[i] - my) ** 2
  }
  const slope = sxx > 0 ? sxy / sxx : 0
  const intercept = my - slope * mx
  let sse = 0
  for (let i = 0; i < n; i++) sse += (y[i] - intercept - slope * x[i]) ** 2
  return { intercept, slope, r2: syy > 0 ? 1 - sse / syy : NaN }
}
