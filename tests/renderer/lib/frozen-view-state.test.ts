import { describe, expect, it } from 'vitest'
import { PathQuery, SavedView } from '../../../src/shared/api/contract'
import {
  defaultPathsState,
  embedQuery,
  fromSavedView,
  queryKey,
  toSavedView,
  type PathsState,
} from '../../../src/renderer/src/lib/view-state'

describe('a frozen map in the view state', () => {
  it('asks for placement into the map, tells frozen views apart and survives a saved view', () => {
    const s = defaultPathsState(['run-a']) as PathsState
    const refit = embedQuery(s)
    expect(refit.into).toBeUndefined()
    s.frozen = { runs: ['run-a'], key: '0123456789abcdef0123' }
    const q = embedQuery(s)
    expect(q.into).toEqual({ runs: ['run-a'], key: '0123456789abcdef0123' })
    expect(PathQuery.parse(q).into).toEqual(q.into) // what the host accepts
    expect(queryKey(q)).not.toBe(queryKey(refit))
    // Another run's map, not yet pinned to a key.
    s.frozen = { runs: ['fig1'] }
    expect(embedQuery(s).into).toEqual({ runs: ['fig1'] })
    expect(queryKey(embedQuery(s))).not.toBe(queryKey(q))
    const saved = SavedView.parse({ name: 'v', ...toSavedView(s, 3) })
    expect((fromSavedView(saved, 3) as PathsState).frozen).toEqual({ runs: ['fig1'] })
    s.frozen = undefined
    expect(
      (fromSavedView(SavedView.parse({ name: 'v', ...toSavedView(s, 3) }), 3) as PathsState).frozen,
    ).toBeUndefined()
  })
})
