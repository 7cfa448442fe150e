/** SMACOF starts in a view's state: in the query (SMACOF only, not into a frozen map) and kept by a saved view. */
import { describe, expect, it } from 'vitest'
import {
  defaultPathsState,
  embedQuery,
  fromSavedView,
  queryKey,
  toSavedView,
} from '../../../src/renderer/src/lib/view-state'

describe('starts in the view state', () => {
  it('asks for several starts for SMACOF only, and keys the query by them', () => {
    const s = { ...defaultPathsState(['r']), starts: 4 }
    expect(embedQuery(s).options).toEqual({ starts: 4 })
    expect(queryKey(embedQuery(s))).not.toBe(queryKey(embedQuery(defaultPathsState(['r']))))
    expect(embedQuery({ ...s, method: 'pca' }).options).toBeUndefined()
    expect(embedQuery({ ...s, frozen: { runs: ['r'] } }).options).toBeUndefined()
    expect(embedQuery({ ...s, starts: 1 }).options).toBeUndefined()
  })

  it('survives a saved view', () => {
    const s = { ...defaultPathsState(['r']), starts: 8 }
    const back = fromSavedView(toSavedView(s))
    expect(back.kind === 'paths' && back.starts).toBe(8)
    const one = fromSavedView(toSavedView(defaultPathsState(['r'])))
    expect(one.kind === 'paths' && one.starts).toBeUndefined()
  })
})
