/**
 * How far a run has come, defined once for the run header, the run list and the CLI:
 * (network, snapshot) pairs recorded, of nets × snapshots — overall and per network.
 * Samples trained are not progress: snapshots are spaced logarithmically, so a
 * samples fraction (45 %) and a snapshots fraction (73 %) of one run disagree, and a
 * resumed run would seem to go back. Samples only give the speed and the time left.
 */

export interface SnapshotProgress {
  /** (network, snapshot) pairs recorded. */
  done: number
  /** nets × snapshots. */
  total: number
  /** Networks with every snapshot recorded, of `nets` (when known). */
  netsDone?: number
  nets?: number
}

/** done / total in [0, 1]; 0 for an empty run. */
export function progressFraction(p: SnapshotProgress): number {
  return p.total > 0 ? Math.min(1, Math.max(0, p.done / p.total)) : 0
}

/** "73 %", with one decimal below 10 % ("4.2 %"). Rounded down, so a run shows 100 %
 * only when every snapshot is recorded (99.7 % is "99 %", not "100 %"). */
export function progressPercent(p: SnapshotProgress): string {
  const x = progressFraction(p) * 100
  if (x > 0 && x < 10) return `${(Math.floor(x * 10) / 10).toFixed(1)} %`
  return `${Math.floor(x + 1e-9)} %`
}

/** The progress to show: the archive's counts (a run summary), or a live event's when it
 * is ahead of them. Both count the same pairs, so the larger is the newer: the numbers
 * never go back, also across a resume. */
export function currentProgress(
  summary: { done: number; total: number; netsDone?: number; nets?: number },
  live?: { snapshotsDone: number; snapshotsTotal: number; netsDone?: number } | null,
): SnapshotProgress {
  const base: SnapshotProgress = {
    done: summary.done,
    total: summary.total,
    ...(summary.netsDone !== undefined ? { netsDone: summary.netsDone } : {}),
    ...(summary.nets !== undefined ? { nets: summary.nets } : {}),
  }
  if (!live || live.snapshotsTotal !== summary.total) return base
  return {
    ...base,
    done: Math.max(summary.done, live.snapshotsDone),
    ...(live.netsDone !== undefined ? { netsDone: Math.max(summary.netsDone ?? 0, live.netsDone) } : {}),
  }
}

/** Per-network counts from done flags laid out [net][snapshot]. */
export function countDone(done: ArrayLike<number>, nets: number, snapshots: number): SnapshotProgress {
  let all = 0
  let netsDone = 0
  for (let k = 0; k < nets; k++) {
    let c = 0
    for (let j = 0; j < snapshots; j++) c += done[k * snapshots + j] ? 1 : 0
    all += c
    if (c === snapshots && snapshots > 0) netsDone++
  }
  return { done: all, total: nets * snapshots, netsDone, nets }
}

/** The latest snapshot any network has recorded, and the ensemble's mean, min and max of
 * a metric there over the networks that recorded it: what "the run's test error now" is.
 * `values[net][snapshot]`, null (or NaN) where not recorded. */
export function latestSnapshot(
  values: readonly (readonly (number | null)[])[],
): { snapshot: number; nets: number; mean: number; min: number; max: number } | null {
  let last = -1
  for (const row of values)
    for (let j = row.length - 1; j > last; j--)
      if (isValue(row[j])) {
        last = j
        break
      }
  if (last < 0) return null
  const xs = values.map((row) => row[last]).filter(isValue)
  return {
    snapshot: last,
    nets: xs.length,
    mean: xs.reduce((a, b) => a + b, 0) / xs.length,
    min: Math.min(...xs),
    max: Math.max(...xs),
  }
}

const isValue = (x: number | null | undefined): x is number => typeof x === 'number' && !Number.isNaN(x)
