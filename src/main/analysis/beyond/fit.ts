/**
 * Convergence fits of an error curve e(t), t in samples seen:
 *
 *   power law     e(t) = a·t^(−b)             least squares on log e against log t
 *                                              (the log linearises it); R² on that log scale
 *   exponential   e(t) = c + a·exp(−(t−t₀)/τ)  least squares on e itself (the offset c, the
 *                                              error the subproblem converges to, does not
 *                                              linearise); R² on the linear scale
 *
 * The exponential is fitted by profiling: for a given τ the best (c, a) is a linear
 * least-squares problem (with c ≥ 0, an error floor), so τ is searched on a log grid and
 * refined by golden-section search on log τ. Its rate 1/τ (per sample) is what the
 * stochastic model predicts per coordinate: E[decay rate of coordinate i] ∝ P(i).
 */
import { fitLine } from './stats'

export interface PowerLawFit {
  a: number
  /** The exponent: e ∝ t^(−b). */
  b: number
  /** R² of log e against log t. */
  r2: number
  /** Points fitted. */
  n: number
}

export interface ExponentialFit {
  /** Asymptote (≥ 0). */
  c: number
  /** Amplitude at t₀ (> 0 for a decaying curve). */
  a: number
  /** Time constant in samples. */
  tau: number
  /** 1/τ, per sample. */
  rate: number
  /** Start of the fitted window, in samples. */
  t0: number
  /** R² on the linear scale. */
  r2: number
  n: number
  /** τ hit an end of the searched range: the rate is a bound, not an estimate. */
  atBound: boolean
  /** Which end: `fast`, τ far below the snapshot spacing (the drop happened between two
   * snapshots); `slow`, τ far beyond the fitted span (no convergence visible). */
  bound: 'fast' | 'slow' | null
}

/** Power law on the points with t > 0; errors are floored at `floor` (e.g. half an image)
 * before the log, or dropped when ≤ 0 without a floor. Null with fewer than 3 points or
 * a constant curve. */
export function fitPowerLaw(t: ArrayLike<number>, e: ArrayLike<number>, floor?: number): PowerLawFit | null {
  const lx: number[] = []
  const ly: number[] = []
  for (let i = 0; i < t.length; i++) {
    if (!(t[i] > 0) || !Number.isFinite(e[i])) continue
    const v = floor !== undefined ? Math.max(e[i], floor) : e[i]
    if (!(v > 0)) continue
    lx.push(Math.log(t[i]))
    ly.push(Math.log(v))
  }
  if (lx.length < 3) return null
  const { intercept, slope, r2 } = fitLine(lx, ly)
  if (!Number.isFinite(r2)) return null
  return { a: Math.exp(intercept), b: -slope, r2, n: lx.length }
}

/** Best (c, a) for one τ and the sum of squared residuals. */
function profile(x: Float64Array, e: Float64Array, sst: number, mean: number): { c: number; a: number; sse: number } {
  const n = x.length
  let mx = 0
  for (let i = 0; i < n; i++) mx += x[i]
  mx /= n
  let sxy = 0
  let sxx = 0
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (e[i] - mean)
    sxx += (x[i] - mx) ** 2
  }
  let a = sxx > 0 ? sxy / sxx : 0
  let c = mean - a * mx
  if (c < 0) {
    // Constrained: no negative error floor. a alone through the origin.
    let xy = 0
    let xx = 0
    for (let i = 0; i < n; i++) {
      xy += x[i] * e[i]
      xx += x[i] * x[i]
    }
    c = 0
    a = xx > 0 ? xy / xx : 0
  }
  let sse = 0
  for (let i = 0; i < n; i++) sse += (e[i] - c - a * x[i]) ** 2
  return { c, a, sse: Math.min(sse, Number.isFinite(sse) ? sse : sst) }
}

const GRID = 96
const GOLDEN = (Math.sqrt(5) - 1) / 2

/** Exponential decay to an offset. Null with fewer than 4 points or a constant curve. */
export function fitExponential(t: ArrayLike<number>, e: ArrayLike<number>): ExponentialFit | null {
  const ts: number[] = []
  const es: number[] = []
  for (let i = 0; i < t.length; i++) {
    if (!Number.isFinite(t[i]) || !Number.isFinite(e[i])) continue
    ts.push(t[i])
    es.push(e[i])
  }
  const n = ts.length
  if (n < 4) return null
  const t0 = ts[0]
  const span = ts[n - 1] - t0
  let dtMin = Infinity
  for (let i = 1; i < n; i++) if (ts[i] - ts[i - 1] > 0) dtMin = Math.min(dtMin, ts[i] - ts[i - 1])
  if (!(span > 0) || !Number.isFinite(dtMin)) return null
  const ev = Float64Array.from(es)
  const mean = es.reduce((s, v) => s + v, 0) / n
  let sst = 0
  for (const v of es) sst += (v - mean) ** 2
  if (!(sst > 0)) return null
  const x = new Float64Array(n)
  const at = (logTau: number) => {
    const tau = Math.exp(logTau)
    for (let i = 0; i < n; i++) x[i] = Math.exp(-(ts[i] - t0) / tau)
    return profile(x, ev, sst, mean)
  }
  const lo = Math.log(dtMin / 20)
  const hi = Math.log(span * 20)
  let best = 0
  let bestSse = Infinity
  const grid = Array.from({ length: GRID }, (_, k) => lo + ((hi - lo) * k) / (GRID - 1))
  grid.forEach((g, k) => {
    const s = at(g).sse
    if (s < bestSse) {
      bestSse = s
      best = k
    }
  })
  // Golden-section search between the best grid point's neighbours.
  let a = grid[Math.max(0, best - 1)]
  let b = grid[Math.min(GRID - 1, best + 1)]
  let x1 = b - GOLDEN * (b - a)
  let x2 = a + GOLDEN * (b - a)
  let f1 = at(x1).sse
  let f2 = at(x2).sse
  for (let it = 0; it < 80 && b - a > 1e-10; it++) {
    if (f1 <= f2) {
      b = x2
      x2 = x1
      f2 = f1
      x1 = b - GOLDEN * (b - a)
      f1 = at(x1).sse
    } else {
      a = x1
      x1 = x2
      f1 = f2
      x2 = a + GOLDEN * (b - a)
      f2 = at(x2).sse
    }
  }
  let logTau = (a + b) / 2
  let fit = at(logTau)
  if (bestSse < fit.sse) {
    logTau = grid[best]
    fit = at(logTau)
  }
  const tau = Math.exp(logTau)
  return {
    c: fit.c,
    a: fit.a,
    tau,
    rate: 1 / tau,
    t0,
    r2: 1 - fit.sse / sst,
    n,
    atBound: best === 0 || best === GRID - 1,
    bound: best === 0 ? 'fast' : best === GRID - 1 ? 'slow' : null,
  }
}

export interface CurveFit {
  /** Index of the snapshot the fitted window starts at (the curve's peak). */
  from: number
  power: PowerLawFit | null
  exponential: ExponentialFit | null
}

/**
 * Both fits of one error curve over its convergence phase: from the curve's (first)
 * maximum onwards, since a confusion pair's error can first rise (the network starts
 * predicting that class) before it decays. NaN values (snapshots not recorded) are
 * skipped. `floor` is the power law's floor for zero errors.
 */
export function fitCurve(t: ArrayLike<number>, e: ArrayLike<number>, floor?: number): CurveFit {
  let from = -1
  for (let i = 0; i < e.length; i++) if (Number.isFinite(e[i]) && (from < 0 || e[i] > e[from])) from = i
  if (from < 0) return { from: 0, power: null, exponential: null }
  const ts = Array.from(t).slice(from)
  const es = Array.from(e).slice(from)
  return { from, power: fitPowerLaw(ts, es, floor), exponential: fitExponential(ts, es) }
}
