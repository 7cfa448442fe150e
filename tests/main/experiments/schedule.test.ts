import { describe, expect, it } from 'vitest'
import { parseSpec, type MlpSpec } from '../../../src/shared/spec'
import { PRESETS } from '../../../src/shared/presets'
import { mlpSchedule, samplesAt, snapshotEpochs } from '../../../src/main/experiments/schedule'
import { stochasticSchedule } from '../../../src/main/experiments/stochastic'

const mlp = (x: unknown) => parseSpec(x) as MlpSpec

describe('snapshot schedule', () => {
  it('fig1: 0, 0.1, …, 1.0, then 2, …, 20 epochs (30 snapshots)', () => {
    const s = mlp(PRESETS.fig1.runs[0].spec)
    const e = snapshotEpochs(s.snapshots, s.epochs)
    expect(e).toEqual([
      0,
      0.1,
      0.2,
      0.3,
      0.4,
      0.5,
      0.6,
      0.7,
      0.8,
      0.9,
      1,
      ...Array.from({ length: 19 }, (_, i) => i + 2),
    ])
    const sch = mlpSchedule(s, 60_000)
    expect(sch.samples.slice(0, 3)).toEqual([0, 6000, 12_000])
    expect(sch.samples.at(-1)).toBe(20 * 60_000)
  })
  it('fig5: every half epoch to 500 (1 001 snapshots)', () => {
    const s = mlp(PRESETS.fig5.runs[0].spec)
    const e = snapshotEpochs(s.snapshots, s.epochs)
    expect(e.length).toBe(1001)
    expect(e.at(-1)).toBe(500)
  })
  it('rounds up to the end of the batch that crosses a target, never past the epoch', () => {
    expect(samplesAt(0.1, 60_000, 1)).toBe(6000)
    expect(samplesAt(0.1, 60_000, 7)).toBe(6006)
    expect(samplesAt(1, 60_000, 7)).toBe(60_000)
    expect(samplesAt(0.99999, 1000, 64)).toBe(1000)
  })
  it('log spacing is increasing and ends at the last epoch', () => {
    const e = snapshotEpochs({ spacing: 'log', firstEpoch: 10, every: 1, count: 20, from: 0 }, 100)
    expect(e[0]).toBe(0)
    expect(e.at(-1)).toBeCloseTo(100)
    for (let i = 1; i < e.length; i++) expect(e[i]).toBeGreaterThan(e[i - 1])
  })
  it('explicit epochs and an epoch window', () => {
    expect(
      snapshotEpochs({ spacing: 'linear', firstEpoch: 0, every: 1, count: 2, from: 0, at: [0.5, 2, 9] }, 3),
    ).toEqual([0, 0.5, 2])
    expect(snapshotEpochs({ spacing: 'linear', firstEpoch: 0, every: 1, count: 2, from: 2 }, 4)).toEqual([0, 2, 3, 4])
  })
  it('stochastic model: every recordEvery steps', () => {
    const s = parseSpec({ kind: 'stochastic', steps: 1000, recordEvery: 300 })
    if (s.kind !== 'stochastic') throw new Error()
    expect(stochasticSchedule(s).samples).toEqual([0, 300, 600, 900, 1000])
  })
})
