/**
 * The snapshot schedule: at which points of training τ and the metrics are recorded.
 * Targets are epochs (fractions allowed); they are turned into exact sample counts,
 * rounded up to the end of the batch that crosses them, since a network can only be
 * observed between steps.
 */
import type { MlpSpec, SnapshotSpec } from '../../shared/spec'

/** Target epochs of a spec, ascending, starting with 0 (the initial weights). */
export function snapshotEpochs(s: SnapshotSpec, epochs: number): number[] {
  let points: number[]
  if (s.at) {
    points = s.at.filter((t) => t <= epochs)
  } else if (s.spacing === 'log') {
    const first = s.firstEpoch > 0 ? 1 / s.firstEpoch : Math.min(1, epochs)
    const lo = Math.log(Math.min(first, epochs))
    const hi = Math.log(epochs)
    points = Array.from({ length: s.count }, (_, i) => Math.exp(lo + ((hi - lo) * i) / (s.count - 1)))
  } else {
    points = []
    for (let i = 1; i <= s.firstEpoch; i++) points.push(Math.min(epochs, i / s.firstEpoch))
    const start = s.firstEpoch > 0 ? 1 : 0
    for (let t = start + s.every; t <= epochs + 1e-9; t += s.every) points.push(Math.min(t, epochs))
    if (points.length === 0 || points[points.length - 1] < epochs) points.push(epochs)
  }
  const all = [0, ...points.filter((t) => t >= s.from)].map((t) => Math.round(t * 1e9) / 1e9)
  return [...new Set(all)].sort((a, b) => a - b)
}

/** Sample count at which a network is observed for target epoch t (batch-aligned;
 * batches never straddle epochs, the last one of an epoch is smaller, as with
 * PyTorch's DataLoader with drop_last=False). */
export function samplesAt(t: number, trainCount: number, batch: number): number {
  const e = Math.floor(t + 1e-9)
  const within = Math.round((t - e) * trainCount)
  const pos = Math.min(trainCount, Math.ceil(within / batch) * batch)
  return e * trainCount + pos
}

export interface Schedule {
  /** Samples seen at each snapshot (strictly increasing, first 0). */
  samples: number[]
  /** The same in epochs (samples / train count). */
  epochs: number[]
}

export function mlpSchedule(spec: MlpSpec, trainCount: number): Schedule {
  const samples = [
    ...new Set(snapshotEpochs(spec.snapshots, spec.epochs).map((t) => samplesAt(t, trainCount, spec.batch))),
  ]
  samples.sort((a, b) => a - b)
  return { samples, epochs: samples.map((s) => s / trainCount) }
}

/** Indices of the snapshots whose weights a spec keeps. */
export function weightSnapshots(keep: MlpSpec['keepWeights'], epochs: number[]): number[] {
  const S = epochs.length
  if (keep === 'none') return []
  if (keep === 'final') return [S - 1]
  if (keep === 'all') return epochs.map((_, j) => j)
  const idx = keep.map((e) => epochs.findIndex((x) => x >= e - 1e-9)).filter((j) => j >= 0)
  return [...new Set(idx)].sort((a, b) => a - b)
}
