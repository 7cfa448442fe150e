/**
 * The time slider's arithmetic (issue 22 item 1): a position in training is an epoch `t`
 * (null = the slider is off: every view shows all of training). A view with snapshots at
 * `epochs` shows snapshot `indexAt(epochs, t)`, the last one at or before t, so one epoch
 * means the same moment in runs with different snapshot schedules (a comparison). Pure:
 * unit-tested under Node.
 */

/** Speeds of playback, in snapshots per second. */
export const SPEEDS = [1, 2, 5, 10, 20] as const
export type Speed = (typeof SPEEDS)[number]
export const DEFAULT_SPEED: Speed = 5

const near = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))

/** The last snapshot at or before t (-1 before the first; 0 … n−1). */
export function indexAt(epochs: readonly number[], t: number): number {
  let lo = 0
  let hi = epochs.length - 1
  let found = -1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const e = epochs[mid]!
    if (e < t || near(e, t)) {
      found = mid
      lo = mid + 1
    } else hi = mid - 1
  }
  return found
}

/** The position a step of `delta` snapshots leads to from t (null = off: forward starts at
 * the first snapshot, backward at the last), clamped to the snapshots. */
export function stepFrom(epochs: readonly number[], t: number | null, delta: number): number | null {
  const n = epochs.length
  if (n === 0) return t
  if (t === null) return epochs[delta >= 0 ? 0 : n - 1]!
  const i = indexAt(epochs, t)
  // Before the first snapshot, a step forward lands on it.
  const from = i < 0 && delta > 0 ? -1 : Math.max(0, i)
  return epochs[Math.min(n - 1, Math.max(0, from + delta))]!
}

/** An epoch as people read it: at most 4 significant digits (as the animation's frames). */
export function formatEpoch(e: number): string {
  return String(Number(e.toPrecision(4)))
}

/** "epoch 3.5 · snapshot 12/31"; before the first snapshot "epoch 0.01 · before snapshot 1/31". */
export function timeLabel(epochs: readonly number[], t: number | null): string {
  const n = epochs.length
  if (t === null) return n ? `all ${n} snapshots` : 'no snapshots'
  const i = indexAt(epochs, t)
  return i < 0 ? `epoch ${formatEpoch(t)} · before snapshot 1/${n}` : `epoch ${formatEpoch(t)} · snapshot ${i + 1}/${n}`
}

/** `t=` in the URL: the epoch to 6 significant digits; null (off) is no key. */
export function encodeTime(t: number | null): string | null {
  return t === null ? null : String(Number(t.toPrecision(6)))
}

/** A finite epoch ≥ 0, or null (absent or not a number: the slider is off). */
export function decodeTime(text: string | undefined): number | null {
  if (text === undefined || text.trim() === '') return null
  const v = Number(text)
  return Number.isFinite(v) && v >= 0 ? v : null
}
