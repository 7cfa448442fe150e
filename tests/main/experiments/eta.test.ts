/** The time left of a run from its measured costs per sample and per snapshot. */
import { describe, expect, it } from 'vitest'
import { EtaMeter, fitCosts, type EtaObservation } from '../../../src/main/experiments/eta'

// fig1's schedule: epoch 0 (before training), 0.1 … 1, then 2 … 20.
const EPOCH = 60_000
const SNAPSHOTS = [
  0,
  ...Array.from({ length: 10 }, (_, k) => (k + 1) / 10),
  ...Array.from({ length: 19 }, (_, k) => k + 2),
]
const PER_SAMPLE = 5e-6
const PER_SNAPSHOT = 0.03
/** Networks trained in lockstep on one thread (every one reaches snapshot j before any goes on). */
const NETS = 20

/** What a meter sees every `every` seconds of a run with exactly these costs. */
function simulate(every: number): { obs: EtaObservation[]; total: number } {
  const obs: EtaObservation[] = []
  let t = 0
  let samples = 0
  let snapshots = 0
  let next = every
  const advance = (dt: number, dSamples: number, dSnapshots: number) => {
    // Reports arrive while work proceeds, mid-way through steps and evaluations.
    while (t + dt >= next) {
      const f = (next - t) / dt
      const done = snapshots + Math.floor(f) * dSnapshots
      obs.push({ seconds: next, samples: samples + f * dSamples, snapshots: done, evalSeconds: done * PER_SNAPSHOT })
      next += every
    }
    t += dt
    samples += dSamples
    snapshots += dSnapshots
  }
  for (let k = 0; k < SNAPSHOTS.length; k++)
    for (let net = 0; net < NETS; net++) {
      const epochs = k > 0 ? SNAPSHOTS[k]! - SNAPSHOTS[k - 1]! : 0
      if (epochs > 0) advance(epochs * EPOCH * PER_SAMPLE, epochs * EPOCH, 0)
      advance(PER_SNAPSHOT, 0, 1)
    }
  return { obs, total: t }
}

describe('ETA', () => {
  it('recovers the costs per sample and per snapshot from exact observations', () => {
    const obs = [1, 2, 5, 9].map((k, i) => ({
      samples: k * 1000,
      snapshots: i * i + 1,
      seconds: k * 1000 * 2e-5 + (i * i + 1) * 0.4,
    }))
    const c = fitCosts(obs)!
    expect(c.perSample).toBeCloseTo(2e-5, 12)
    expect(c.perSnapshot).toBeCloseTo(0.4, 9)
  })

  it('cannot tell the costs apart while samples and snapshots grow in proportion', () => {
    expect(fitCosts([1, 2, 3].map((k) => ({ samples: 100 * k, snapshots: k, seconds: k })))).toBeNull()
    expect(fitCosts([])).toBeNull()
  })

  it('is right from the first minute of a run whose snapshots come early, where samples per second is not', () => {
    const { obs, total } = simulate(0.2)
    const samplesTotal = NETS * 20 * EPOCH
    const meter = new EtaMeter(samplesTotal, NETS * SNAPSHOTS.length)
    // About 10 % of the run's time in: most snapshots are behind, most samples ahead.
    const cut = obs.findIndex((o) => o.seconds >= 0.1 * total)
    for (const o of obs.slice(0, cut + 1)) meter.observe(o)
    const now = obs[cut]!
    const truth = total - now.seconds
    const eta = meter.secondsLeft(now.samples, now.snapshots)!
    expect(Math.abs(eta - truth) / truth).toBeLessThan(0.05)
    // Samples per second so far would say the run is much further from its end.
    const naive = ((samplesTotal - now.samples) * now.seconds) / now.samples
    expect(naive / truth).toBeGreaterThan(1.5)
  })

  it('without measured evaluations, fits the two costs once the spacing of snapshots changes', () => {
    const { obs, total } = simulate(0.2)
    const meter = new EtaMeter(NETS * 20 * EPOCH, NETS * SNAPSHOTS.length)
    // Past epoch 2: snapshots every 0.1 epoch, then one per epoch.
    const cut = obs.findIndex((o) => o.samples >= NETS * 2.5 * EPOCH)
    for (const o of obs.slice(0, cut + 1)) meter.observe({ ...o, evalSeconds: undefined })
    const now = obs[cut]!
    const truth = total - now.seconds
    expect(Math.abs(meter.secondsLeft(now.samples, now.snapshots)! - truth) / truth).toBeLessThan(0.1)
  })

  it('divides evaluation time measured on several threads among them', () => {
    // Two threads, 10 s of wall time: 8 thread-seconds evaluating 4 snapshots, 16,000 samples.
    const meter = new EtaMeter(100_000, 20, 2)
    meter.observe({ seconds: 10, samples: 16_000, snapshots: 4, evalSeconds: 8 })
    // Wall: 4 s of evaluation (1 s a snapshot), 6 s of samples (6/16,000 s a sample).
    expect(meter.secondsLeft(16_000, 4)).toBeCloseTo((84_000 * 6) / 16_000 + 16 * 1, 9)
  })
})
