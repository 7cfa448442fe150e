import { describe, expect, it } from 'vitest'
import { fitCurve, fitExponential, fitPowerLaw } from '../../../../src/main/analysis/beyond/fit'
import { Rng } from '../../../../src/main/engine/rng'

// Snapshot times like a run's: 0, then 10 points in the first epoch, then every epoch.
const N = 60_000
const T = [
  0,
  ...Array.from({ length: 10 }, (_, i) => ((i + 1) * N) / 10),
  ...Array.from({ length: 19 }, (_, i) => (i + 2) * N),
]

describe('exponential fit e(t) = c + a·exp(−t/τ)', () => {
  it('recovers known rates, floors and amplitudes from exact curves', () => {
    for (const [c, a, tau] of [
      [0.02, 0.5, 8_000],
      [0, 0.9, 30_000],
      [0.1, 0.3, 250_000],
      [0.005, 0.2, 3_000],
    ]) {
      const e = T.map((t) => c + a * Math.exp(-t / tau))
      const f = fitExponential(T, e)!
      expect(f.tau / tau).toBeCloseTo(1, 4)
      expect(f.rate * tau).toBeCloseTo(1, 4)
      expect(f.c).toBeCloseTo(c, 6)
      expect(f.a).toBeCloseTo(a, 6)
      expect(f.r2).toBeGreaterThan(0.999999)
      expect(f.atBound).toBe(false)
    }
  })
  it('recovers the rate within a few percent under 2 % multiplicative noise', () => {
    const rng = new Rng(3)
    const tau = 20_000
    const e = T.map((t) => (0.03 + 0.6 * Math.exp(-t / tau)) * (1 + 0.02 * rng.normal()))
    const f = fitExponential(T, e)!
    expect(Math.abs(f.tau / tau - 1)).toBeLessThan(0.05)
    expect(f.r2).toBeGreaterThan(0.99)
  })
  it('flags a time constant beyond what the run can tell', () => {
    const e = T.map((t) => 0.5 - t * 1e-8) // a straight, barely falling line
    expect(fitExponential(T, e)).toMatchObject({ atBound: true, bound: 'slow' })
    const drop = T.map((t) => (t === 0 ? 0.9 : 0.02 + 1e-4 * Math.sin(t))) // all of it before the first snapshot
    expect(fitExponential(T, drop)).toMatchObject({ atBound: true, bound: 'fast' })
  })
  it('needs 4 points and a curve that is not constant', () => {
    expect(fitExponential([0, 1, 2], [3, 2, 1])).toBeNull()
    expect(fitExponential([0, 1, 2, 3], [1, 1, 1, 1])).toBeNull()
  })
})

describe('power-law fit e(t) = a·t^(−b)', () => {
  it('recovers known exponents on the log scale', () => {
    for (const [a, b] of [
      [50, 0.5],
      [3, 0.25],
      [1000, 1.2],
    ]) {
      const e = T.map((t) => (t > 0 ? a * t ** -b : 1))
      const f = fitPowerLaw(T, e)!
      expect(f.b).toBeCloseTo(b, 8)
      expect(f.a / a).toBeCloseTo(1, 6)
      expect(f.r2).toBeCloseTo(1, 10)
      expect(f.n).toBe(T.length - 1) // t = 0 is left out
    }
  })
  it('floors zero errors (or drops them without a floor)', () => {
    const t = [1, 2, 4, 8, 16]
    const e = [0.4, 0.2, 0.1, 0, 0]
    expect(fitPowerLaw(t, e)!.n).toBe(3)
    expect(fitPowerLaw(t, e, 0.01)!.n).toBe(5)
  })
})

describe('fitCurve', () => {
  it('fits from the peak on: a confusion pair that first rises, then decays', () => {
    const tau = 15_000
    const e = T.map((t, i) => (i < 3 ? [0, 0.2, 0.4][i] : 0.01 + 0.5 * Math.exp(-(t - T[3]) / tau)))
    const f = fitCurve(T, e)
    expect(f.from).toBe(3)
    expect(f.exponential!.tau / tau).toBeCloseTo(1, 4)
    expect(f.exponential!.t0).toBe(T[3])
  })
  it('skips snapshots that are not recorded (NaN)', () => {
    const tau = 40_000
    const e = T.map((t, i) => (i % 4 === 2 ? NaN : 0.05 + 0.4 * Math.exp(-t / tau)))
    expect(fitCurve(T, e).exponential!.tau / tau).toBeCloseTo(1, 4)
  })
})
