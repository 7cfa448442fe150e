import { describe, expect, it } from 'vitest'
import { decodeTime, encodeTime, formatEpoch, indexAt, stepFrom, timeLabel } from '../../../src/renderer/src/lib/time'
import { TIME_QUERY_KEYS, timeFromQuery, timeToQuery } from '../../../src/renderer/src/lib/url-state'
import { atTime, fromSavedView, toSavedView, defaultPathsState } from '../../../src/renderer/src/lib/view-state'
import { SavedView } from '../../../src/shared/api/contract'

// 31 snapshots: 0, 0.1, …, 1, then 2, …, 21.
const FIG1 = [
  ...Array.from({ length: 11 }, (_, i) => Number((i / 10).toFixed(1))),
  ...Array.from({ length: 20 }, (_, i) => i + 2),
]

describe('time slider arithmetic', () => {
  it('finds the last snapshot at or before an epoch', () => {
    expect(FIG1).toHaveLength(31)
    expect(indexAt(FIG1, 0)).toBe(0)
    expect(indexAt(FIG1, 0.3)).toBe(3)
    expect(indexAt(FIG1, 0.30000000000000004)).toBe(3) // a float of 0.3, not before it
    expect(indexAt(FIG1, 0.2999)).toBe(2)
    expect(indexAt(FIG1, 3.5)).toBe(12) // epoch 3 is snapshot 12 (0-based)
    expect(indexAt(FIG1, 20)).toBe(29)
    expect(indexAt(FIG1, 21)).toBe(30)
    expect(indexAt(FIG1, 99)).toBe(30)
    expect(indexAt([0.05, 1], 0.01)).toBe(-1)
    expect(indexAt([], 1)).toBe(-1)
  })

  it('steps by snapshots, clamped; from off forward starts at the first, backward at the last', () => {
    expect(stepFrom(FIG1, null, 1)).toBe(0)
    expect(stepFrom(FIG1, null, -1)).toBe(21)
    expect(stepFrom(FIG1, 3.5, 1)).toBe(4) // from the snapshot shown (epoch 3)
    expect(stepFrom(FIG1, 3.5, -1)).toBe(2)
    expect(stepFrom(FIG1, 21, 1)).toBe(21)
    expect(stepFrom(FIG1, 0, -1)).toBe(0)
    expect(stepFrom([0.05, 1], 0.01, 1)).toBe(0.05) // before the first: forward lands on it
    expect(stepFrom([], 2, 1)).toBe(2)
  })

  it('labels the position as "epoch 3.5 · snapshot 13/31"', () => {
    expect(timeLabel(FIG1, 3.5)).toBe('epoch 3.5 · snapshot 13/31')
    expect(timeLabel(FIG1, 0.1)).toBe('epoch 0.1 · snapshot 2/31')
    expect(timeLabel(FIG1, null)).toBe('all 31 snapshots')
    expect(timeLabel([0.05, 1], 0.01)).toBe('epoch 0.01 · before snapshot 1/2')
    expect(formatEpoch(1 / 3)).toBe('0.3333')
  })
})

describe('t= in the URL', () => {
  it('round-trips an epoch to 6 digits; off is no key', () => {
    expect(TIME_QUERY_KEYS).toEqual(['t'])
    expect(timeToQuery(3.5)).toEqual({ t: '3.5' })
    expect(timeToQuery(1 / 3)).toEqual({ t: '0.333333' })
    expect(timeToQuery(null)).toEqual({ t: null })
    expect(timeFromQuery({ t: '3.5' })).toBe(3.5)
    expect(timeFromQuery(timeToQuery(0.1) as { t: string })).toBe(0.1)
    expect(encodeTime(0)).toBe('0')
    expect(decodeTime('0')).toBe(0)
  })

  it('ignores what does not parse (a hand-edited link still opens, slider off)', () => {
    for (const bad of ['', ' ', 'x', '-1', 'NaN', 'Infinity', '1,2']) expect(decodeTime(bad)).toBeNull()
    expect(timeFromQuery({})).toBeNull()
  })
})

describe('the time in saved views', () => {
  it('is look.time, set by atTime and dropped from the view state it restores', () => {
    const s = defaultPathsState(['a'])
    const v = atTime(toSavedView(s), 3.5)
    expect(v.look.time).toBe(3.5)
    const parsed = SavedView.parse({ name: 'at 3.5', ...v })
    expect(parsed.look.time).toBe(3.5)
    expect('time' in fromSavedView(parsed).look).toBe(false)
    expect('time' in atTime(v, null).look).toBe(false)
    expect(() => SavedView.parse({ name: 'bad', ...v, look: { ...v.look, time: -1 } })).toThrow()
  })
})
