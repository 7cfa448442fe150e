import { describe, expect, it } from 'vitest'
import {
  applyQueryToMetrics,
  applyQueryToPaths,
  decodeIndices,
  decodeNumbers,
  decodeRuns,
  decodeWindow,
  decodeZoom,
  encodeIndices,
  encodeWindow,
  encodeZoom,
  hasPathsQuery,
  metricsStateToQuery,
  pathsStateToQuery,
} from '../../../src/renderer/src/lib/url-state'
import {
  defaultMetricsState,
  defaultPathsState,
  fromSavedView,
  toSavedView,
} from '../../../src/renderer/src/lib/view-state'
import { SavedView } from '../../../src/shared/api/contract'

describe('URL codecs', () => {
  it('write network indices as runs and read them back; reject what does not parse', () => {
    expect(encodeIndices([7, 0, 1, 2, 3, 9, 10, 3])).toBe('0-3,7,9-10')
    expect(decodeIndices('0-3,7,9-10')).toEqual([0, 1, 2, 3, 7, 9, 10])
    expect(encodeIndices([])).toBe('')
    expect(decodeIndices('3-1')).toBeNull()
    expect(decodeIndices('1,x')).toBeNull()
    expect(decodeIndices('-1')).toBeNull()
    expect(decodeIndices('0-200000')).toBeNull() // more than any run has
  })

  it('write zoom regions as x0,x1,y0,y1 to 6 digits', () => {
    expect(encodeZoom({ x: [-1.23456789, 2], y: [0, 1e-7] })).toBe('-1.23457,2,0,1e-7')
    expect(decodeZoom('-1.23457,2,0,3')).toEqual({ x: [-1.23457, 2], y: [0, 3] })
    expect(decodeZoom('2,1,0,3')).toBeUndefined() // low to high
    expect(decodeZoom('1,2,0')).toBeUndefined()
    expect(decodeZoom('1,2,0,Infinity')).toBeUndefined()
    expect(decodeNumbers('1,,2', 3)).toBeNull()
  })

  it('write epoch windows with open ends empty', () => {
    expect(encodeWindow([0.05, null])).toBe('0.05,')
    expect(encodeWindow([null, null])).toBeNull()
    expect(decodeWindow('0.05,')).toEqual([0.05, null])
    expect(decodeWindow(',3')).toEqual([null, 3])
    expect(decodeWindow(',')).toBeUndefined()
    expect(decodeWindow('3,1')).toBeUndefined()
    expect(decodeRuns('a-1,b_2,a-1')).toEqual(['a-1', 'b_2'])
    expect(decodeRuns('a b')).toBeNull()
  })
})

describe('a paths state in the URL', () => {
  it('names only what differs from the defaults', () => {
    const q = pathsStateToQuery(defaultPathsState(['r1'], 'paths'), 8)
    expect(Object.values(q).every((v) => v === null)).toBe(true)
  })

  it('round-trips view, method, selections, embedded selection and zoom', () => {
    const s = defaultPathsState(['r1'], 'paths')
    s.view = 'kappa'
    s.method = 'classical'
    s.embedEpochs = [0.02, null]
    s.embedNets = [0, 1, 2, 5]
    s.epochWindow = [0.05, 0.15]
    s.subset = { mode: 'pick', nets: [1, 5] }
    s.look.zoom = { x: [-1, 2.5], y: [0.25, 3.75] }
    const q = pathsStateToQuery(s, 8)
    expect(q).toMatchObject({
      view: 'kappa',
      method: 'classical',
      eepochs: '0.02,',
      enets: '0-2,5',
      epochs: '0.05,0.15',
      nets: '1,5',
      zoom: '-1,2.5,0.25,3.75',
      runs: null,
    })
    const back = defaultPathsState(['r1'], 'paths')
    const text = Object.fromEntries(Object.entries(q).filter(([, v]) => v !== null)) as Record<string, string>
    expect(hasPathsQuery(text)).toBe(true)
    applyQueryToPaths(back, text, 8)
    expect(back).toEqual(s)
  })

  it("keeps a run drawn into another run's map (a spawned run in its parent's): map=ID", () => {
    const s = defaultPathsState(['child'], 'paths')
    s.frozen = { runs: ['parent'] }
    expect(pathsStateToQuery(s).map).toBe('parent')
    const back = defaultPathsState(['child'], 'paths')
    applyQueryToPaths(back, { map: 'parent' })
    expect(back.frozen).toEqual({ runs: ['parent'] })
    // Without the key, another run's map goes; a run frozen on its own map (not in links) stays.
    applyQueryToPaths(back, {})
    expect(back.frozen).toBeUndefined()
    back.frozen = { runs: ['child'], key: 'k' }
    expect(pathsStateToQuery(back).map).toBeNull()
    applyQueryToPaths(back, { map: 'bad id!' })
    expect(back.frozen).toEqual({ runs: ['child'], key: 'k' })
  })

  it('gives compare its runs, layout and alignment; an absent key is its default', () => {
    const s = defaultPathsState(['a', 'b'], 'compare')
    s.align = 'procrustes'
    s.look.layout = 'overlay'
    s.look.zoom = { x: [0, 1], y: [0, 1] }
    const q = pathsStateToQuery(s)
    expect(q).toMatchObject({ runs: 'a,b', align: 'procrustes', layout: 'overlay' })
    const back = defaultPathsState([], 'compare')
    expect(applyQueryToPaths(back, { runs: 'a,b', align: 'procrustes', layout: 'overlay' })).toEqual({
      runs: ['a', 'b'],
    })
    expect(back.align).toBe('procrustes')
    expect(back.look.zoom).toBeUndefined()
    // Garbage is ignored: defaults, never an error.
    applyQueryToPaths(back, { view: 'nope', method: 'x', zoom: 'a,b,c,d', nets: '?' })
    expect(back).toMatchObject({ view: 'tau', method: 'smacof', subset: { mode: 'all' } })
  })

  it('a saved view keeps the zoom (and the contract validates it)', () => {
    const s = defaultPathsState(['r1'], 'paths')
    s.look.zoom = { x: [-1, 2], y: [0, 3] }
    const saved = SavedView.parse({ name: 'zoomed', ...toSavedView(s, 4) })
    expect(saved.look.zoom).toEqual({ x: [-1, 2], y: [0, 3] })
    expect(fromSavedView(saved, 4)).toMatchObject({ look: { zoom: { x: [-1, 2], y: [0, 3] } } })
    expect(SavedView.safeParse({ ...saved, look: { zoom: { x: [2, 1], y: [0, 3] } } }).success).toBe(false)
  })
})

describe('a metrics tab in the URL', () => {
  it('round-trips τ/κ, the window and the log axes; defaults are left out', () => {
    const s = defaultMetricsState(['r1'])
    expect(Object.values(metricsStateToQuery(s)).every((v) => v === null)).toBe(true)
    s.view = 'kappa'
    s.epochWindow = [null, 0.5]
    s.look.logX = false
    s.look.logY = true
    const q = metricsStateToQuery(s)
    expect(q).toEqual({ view: 'kappa', epochs: ',0.5', logx: '0', logy: '1' })
    const back = defaultMetricsState(['r1'])
    applyQueryToMetrics(back, q as Record<string, string>)
    expect(back).toEqual(s)
    applyQueryToMetrics(back, {})
    expect(back).toEqual(defaultMetricsState(['r1']))
  })
})
