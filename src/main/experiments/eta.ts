/**
 * Time left of a training run, from its measured speed. A run spends its time on two kinds
 * of work: SGD steps (per sample) and snapshot evaluations (per snapshot: the probe and the
 * test set through every network). The paper's schedules put most snapshots early (0.1, 0.2,
 * … 1, then one per epoch), so the samples-per-second of the first minute — mostly
 * evaluations — overstates the time left many times over. Fitting elapsed ≈ a·samples +
 * b·snapshots to what has been observed so far, and charging the work left at those costs,
 * gives an ETA that is right from the first minute. Where the engine measures its evaluations
 * (the fused engine does) the split is measured, not fitted: the fit cannot separate the two
 * costs while snapshots come at a constant spacing, as in fig1's first epoch.
 */

export interface EtaObservation {
  /** Seconds since training started (start-up excluded: measured from the first report). */
  seconds: number
  samples: number
  snapshots: number
  /** Thread-seconds spent evaluating those snapshots, where the engine measures it. */
  evalSeconds?: number
}

/** Least-squares costs (seconds per sample, seconds per snapshot), both ≥ 0; null when the
 * observations cannot tell them apart yet. */
export function fitCosts(obs: readonly EtaObservation[]): { perSample: number; perSnapshot: number } | null {
  let ss = 0
  let sk = 0
  let kk = 0
  let st = 0
  let kt = 0
  for (const o of obs) {
    ss += o.samples * o.samples
    sk += o.samples * o.snapshots
    kk += o.snapshots * o.snapshots
    st += o.samples * o.seconds
    kt += o.snapshots * o.seconds
  }
  if (ss === 0) return null
  const det = ss * kk - sk * sk
  // Samples and snapshots grew in proportion so far: the two costs cannot be separated.
  if (!(det > 1e-6 * ss * kk)) return null
  let a = (st * kk - kt * sk) / det
  let b = (ss * kt - sk * st) / det
  // A negative cost is noise: refit with that cost at 0.
  if (a < 0) {
    a = 0
    b = kk > 0 ? kt / kk : 0
  } else if (b < 0) {
    b = 0
    a = st / ss
  }
  return { perSample: a, perSnapshot: b }
}

/** Costs from measured evaluation time: the wall time not spent evaluating went into samples. */
function measuredCosts(o: EtaObservation, threads: number): { perSample: number; perSnapshot: number } | null {
  if (o.evalSeconds === undefined || o.snapshots === 0 || o.samples === 0) return null
  const evalWall = o.evalSeconds / threads
  return { perSample: Math.max(0, o.seconds - evalWall) / o.samples, perSnapshot: evalWall / o.snapshots }
}

/** Observations kept by an EtaMeter (older ones thinned out, so the fit stays cheap). */
const KEEP = 64

/** Accumulates observations of one training session and answers the time left. */
export class EtaMeter {
  private obs: EtaObservation[] = []

  /** `threads`: how many threads train at once (their evaluation seconds add up). */
  constructor(
    private readonly totalSamples: number,
    private readonly totalSnapshots: number,
    private readonly threads = 1,
  ) {}

  /** Records progress (all counts since this session started; seconds since its first report). */
  observe(o: EtaObservation): void {
    this.obs.push(o)
    if (this.obs.length > 2 * KEEP) this.obs = this.obs.filter((_, i) => i % 2 === 1)
  }

  /** Seconds left, or null before anything was measured. `samplesDone`/`snapshotsDone` are the
   * run's totals (a resumed run counts what it had before). */
  secondsLeft(samplesDone: number, snapshotsDone: number): number | null {
    const last = this.obs.at(-1)
    if (!last || last.seconds <= 0) return null
    const samplesLeft = Math.max(0, this.totalSamples - samplesDone)
    const snapshotsLeft = Math.max(0, this.totalSnapshots - snapshotsDone)
    const costs = measuredCosts(last, this.threads) ?? fitCosts(this.obs)
    if (costs) return costs.perSample * samplesLeft + costs.perSnapshot * snapshotsLeft
    if (last.samples > 0) return (last.seconds / last.samples) * samplesLeft
    return null
  }
}
