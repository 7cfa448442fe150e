import { describe, expect, it } from 'vitest'
import {
  countDone,
  currentProgress,
  latestSnapshot,
  progressFraction,
  progressPercent,
} from '../../src/shared/progress'

describe('run progress', () => {
  it('is snapshots done of nets × snapshots, rounded down so 100 % means complete', () => {
    expect(progressFraction({ done: 88, total: 120 })).toBeCloseTo(0.7333, 4)
    expect(progressPercent({ done: 88, total: 120 })).toBe('73 %')
    expect(progressPercent({ done: 119, total: 120 })).toBe('99 %')
    expect(progressPercent({ done: 120, total: 120 })).toBe('100 %')
    expect(progressPercent({ done: 5, total: 120 })).toBe('4.1 %')
    expect(progressPercent({ done: 0, total: 120 })).toBe('0 %')
    expect(progressPercent({ done: 0, total: 0 })).toBe('0 %')
  })

  it('counts per network from done flags', () => {
    // 2 nets × 3 snapshots: net 0 complete, net 1 has its first snapshot.
    expect(countDone(Uint8Array.of(1, 1, 1, 1, 0, 0), 2, 3)).toEqual({ done: 4, total: 6, netsDone: 1, nets: 2 })
  })

  it('takes the live count only when it is ahead of the summary: never back, also across a resume', () => {
    const summary = { done: 88, total: 120 }
    expect(currentProgress(summary, { snapshotsDone: 90, snapshotsTotal: 120 }).done).toBe(90)
    // A stale event of an earlier session (or of a shard's share) does not pull it back.
    expect(currentProgress(summary, { snapshotsDone: 54, snapshotsTotal: 120 }).done).toBe(88)
    expect(currentProgress(summary, { snapshotsDone: 10, snapshotsTotal: 30 }).done).toBe(88)
    expect(currentProgress(summary, null)).toEqual(summary)
  })

  it('finds the latest recorded snapshot and the ensemble there, not an earlier one', () => {
    // Net 0 has reached snapshot 2, net 1 only 1: the latest is 2, over one network.
    expect(
      latestSnapshot([
        [0.9, 0.2, 0.1],
        [0.9, 0.3, null],
      ]),
    ).toEqual({ snapshot: 2, nets: 1, mean: 0.1, min: 0.1, max: 0.1 })
    expect(
      latestSnapshot([
        [0.9, 0.2],
        [0.8, 0.4],
      ]),
    ).toEqual({ snapshot: 1, nets: 2, mean: 0.30000000000000004, min: 0.2, max: 0.4 })
    expect(latestSnapshot([[null, Number.NaN]])).toBeNull()
  })
})
