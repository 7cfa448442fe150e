import { describe, expect, it } from 'vitest'
import { FigureLook, SavedView } from '../../../src/shared/api/contract'
import {
  defaultMetricsState,
  defaultPathsState,
  derivedAsMetrics,
  embedQuery,
  fromSavedView,
  indicesFromWindow,
  isOpenWindow,
  pathsFigureOptions,
  queryKey,
  sameWindow,
  subsetFromNets,
  subsetNets,
  toSavedView,
  unionEpochs,
  windowFromIndices,
  type PathsState,
} from '../../../src/renderer/src/lib/view-state'

const FIG1 = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, ...Array.from({ length: 19 }, (_, i) => i + 2)]

describe('network subsets', () => {
  it('list the networks they show', () => {
    expect(subsetNets({ mode: 'all' }, 10)).toBeUndefined()
    expect(subsetNets({ mode: 'first', k: 3 }, 10)).toEqual([0, 1, 2])
    expect(subsetNets({ mode: 'first', k: 30 }, 10)).toHaveLength(10)
    expect(subsetNets({ mode: 'pick', nets: [7, 2, 2, 99, -1] }, 10)).toEqual([2, 7])
  })
  it('are recognised from a list', () => {
    expect(subsetFromNets(undefined)).toEqual({ mode: 'all' })
    expect(subsetFromNets([0, 1, 2, 3], 4)).toEqual({ mode: 'all' })
    expect(subsetFromNets([2, 0, 1], 10)).toEqual({ mode: 'first', k: 3 })
    expect(subsetFromNets([1, 5], 10)).toEqual({ mode: 'pick', nets: [1, 5] })
  })
})

describe('epoch windows', () => {
  it('map slider positions to windows with open ends at the first and last snapshot', () => {
    expect(windowFromIndices(FIG1, 0, FIG1.length - 1)).toEqual([null, null])
    // fig2: epochs ≥ 2.
    expect(windowFromIndices(FIG1, 11, FIG1.length - 1)).toEqual([2, null])
    expect(windowFromIndices(FIG1, 5, 3)).toEqual([0.3, 0.5])
    expect(windowFromIndices([], 0, 0)).toEqual([null, null])
  })
  it('map windows back to slider positions', () => {
    expect(indicesFromWindow(FIG1, [null, null])).toEqual([0, 29])
    expect(indicesFromWindow(FIG1, [2, null])).toEqual([11, 29])
    expect(indicesFromWindow(FIG1, [0.25, 3.5])).toEqual([3, 12])
    expect(indicesFromWindow(FIG1, [0.30000000000000004, 0.5])).toEqual([3, 5])
    for (const [i, j] of [
      [0, 3],
      [4, 20],
      [11, 29],
      [2, 2],
    ] as const)
      expect(indicesFromWindow(FIG1, windowFromIndices(FIG1, i, j))).toEqual([i, j])
  })
  it('compare with tolerance, undefined being open', () => {
    expect(sameWindow(undefined, [null, null])).toBe(true)
    expect(sameWindow([0.1 + 0.2, null], [0.3, null])).toBe(true)
    expect(sameWindow([2, null], [2, 20])).toBe(false)
    expect(isOpenWindow(undefined) && isOpenWindow([null, null]) && !isOpenWindow([null, 3])).toBe(true)
  })
})

function exploring(): PathsState {
  const s = defaultPathsState(['run-a'])
  s.view = 'kappa'
  s.method = 'classical'
  s.epochWindow = [2, null]
  s.subset = { mode: 'first', k: 5 }
  s.look = { ...s.look, style: 'colorblind', colorBy: 'net', lines: false }
  return s
}

describe('saved views', () => {
  it('record what is embedded in the query and what is shown in the look, and come back the same', () => {
    const s = exploring()
    const v = toSavedView(s, 100, true)
    expect(v.kind).toBe('paths')
    expect(v.query).toEqual({ runs: ['run-a'], view: 'kappa', method: 'classical' })
    expect(v.look).toMatchObject({
      style: 'colorblind',
      colorBy: 'net',
      lines: false,
      epochWindow: [2, null],
      nets: [0, 1, 2, 3, 4],
    })
    // A valid saved view of the contract.
    expect(SavedView.safeParse({ name: 'x', ...v }).success).toBe(true)
    const back = fromSavedView(v, 100)
    expect(back).toEqual({ ...s, look: FigureLook.parse(s.look) })
  })

  it('record the shown selection as the embedded one when the format has no place for it', () => {
    const v = toSavedView(exploring(), 100, false)
    expect(v.query).toMatchObject({ epochs: [2, null], nets: [0, 1, 2, 3, 4] })
    expect(v.look).not.toHaveProperty('epochWindow')
    const back = fromSavedView(v, 100) as PathsState
    expect(back.epochWindow).toEqual([2, null])
    expect(back.subset).toEqual({ mode: 'first', k: 5 })
    expect(back.embedEpochs).toEqual([2, null])
    expect(back.embedNets).toEqual([0, 1, 2, 3, 4])
  })

  it('keep a re-embedded selection in the query', () => {
    const s = exploring()
    s.embedEpochs = [2, null]
    s.embedNets = [0, 1, 2, 3, 4]
    const v = toSavedView(s, 100, true)
    expect(v.query).toMatchObject({ epochs: [2, null], nets: [0, 1, 2, 3, 4] })
    // Shown = embedded: nothing extra in the look.
    expect(v.look).not.toHaveProperty('epochWindow')
    expect(v.look).not.toHaveProperty('nets')
    expect(fromSavedView(v, 100)).toMatchObject({
      embedEpochs: [2, null],
      embedNets: [0, 1, 2, 3, 4],
      epochWindow: [2, null],
      subset: { mode: 'first', k: 5 },
    })
  })

  it('record comparisons with their alignment and layout', () => {
    const s = defaultPathsState(['a', 'b'])
    s.labels = ['batch 1', 'batch 100']
    s.align = 'procrustes'
    s.look.layout = 'overlay'
    const v = toSavedView(s)
    expect(v).toMatchObject({
      kind: 'compare',
      query: { runs: ['a', 'b'], labels: ['batch 1', 'batch 100'], align: 'procrustes' },
      look: { layout: 'overlay' },
    })
    expect(fromSavedView(v)).toMatchObject({
      kind: 'compare',
      align: 'procrustes',
      labels: ['batch 1', 'batch 100'],
      look: { layout: 'overlay' },
    })
  })

  it('record metrics views with their window and log axes', () => {
    const s = defaultMetricsState(['a'])
    s.view = 'kappa'
    s.epochWindow = [null, 5]
    s.look.logX = true
    const v = toSavedView(s)
    expect(v).toMatchObject({
      kind: 'metrics',
      query: { runs: ['a'], view: 'kappa', epochs: [null, 5] },
      look: { logX: true },
    })
    expect(fromSavedView(v)).toEqual({ ...s, look: FigureLook.parse(s.look) })
  })
})

describe('queries and figure options', () => {
  it('embed only what the state asks the host for', () => {
    const s = exploring()
    expect(embedQuery(s)).toEqual({ runs: ['run-a'], view: 'kappa', method: 'classical' })
    expect(embedQuery({ ...s, runs: ['a', 'b'] }).align).toBe('joint')
    expect(queryKey(embedQuery(s))).not.toBe(queryKey({ ...embedQuery(s), view: 'tau' }))
  })
  it('filter on the client through the builder options', () => {
    expect(pathsFigureOptions(exploring(), 100)).toEqual({
      layout: 'overlay',
      colorBy: 'net',
      points: true,
      lines: false,
      epochWindow: [2, null],
      nets: [0, 1, 2, 3, 4],
    })
  })
})

describe('helpers', () => {
  it('turn derived metrics into metrics-figure data (NaN for missing)', () => {
    const d = derivedAsMetrics([
      {
        label: 'r',
        derived: {
          epochs: [0, 1],
          meanPairwise: [2, 1],
          meanStep: [null as unknown as number, 0.5],
          stepToSpread: [NaN, 0.5],
          distanceToFinalMean: [3, 0],
        },
      },
    ])
    expect(d.runs[0]!.series.map((s) => s.name)).toEqual([
      'mean pairwise distance',
      'mean step length',
      'step / pairwise distance',
      'distance to final mean',
    ])
    expect(d.runs[0]!.series[1]!.perNet[0]![0]).toBeNaN()
    expect(d.runs[0]!.epochs).toEqual([0, 1])
  })
  it('merge epochs of several runs', () => {
    expect(unionEpochs([[0, 0.5, 1], [0, 1, 2], [0.1 + 0.4]])).toEqual([0, 0.5, 1, 2])
  })
})
