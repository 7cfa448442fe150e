/**
 * The state of an analysis view (what it shows and how) and its round trip through a
 * saved view of the project. Pure: no DOM, no Vue, so it is unit-tested under Node.
 *
 * Two kinds of selection. The *embedded* selection (`embedEpochs`, `embedNets`) is what
 * the server embedded: everything by default, or a subset after "re-embed this
 * selection". The *shown* selection (`epochWindow`, `subset`) filters the embedded
 * points on the client, through the figure builders' `epochWindow`/`nets` options, so
 * that a slider move redraws without a new embedding.
 */
import { FigureLook, type PathQuery, type SavedView } from '../../../shared/api/contract'
import type { DerivedMetrics } from '../../../shared/api/contract'
import type { MetricsData } from '../../../shared/figures/data'

export type EpochWindow = [number | null, number | null]
export type ViewKind = 'tau' | 'kappa'
export type Method = PathQuery['method']
export type Align = NonNullable<PathQuery['align']>
export type Look = FigureLook
export const METHODS: { id: Method; label: string }[] = [
  { id: 'smacof', label: 'metric MDS (SMACOF)' },
  { id: 'classical', label: 'classical MDS' },
  { id: 'pca', label: 'PCA' },
  { id: 'landmark', label: 'landmark MDS' },
  { id: 'inpca', label: 'InPCA' },
  { id: 'tsne', label: 't-SNE' },
  { id: 'umap', label: 'UMAP' },
  { id: 'phate', label: 'PHATE' },
]

/** Which networks are shown. */
export type NetSubset = { mode: 'all' } | { mode: 'first'; k: number } | { mode: 'pick'; nets: number[] }

/** A paths view (one run) or a comparison (several runs). */
export interface PathsState {
  kind: 'paths' | 'compare'
  runs: string[]
  labels?: string[]
  view: ViewKind
  method: Method
  align: Align
  /** What the server embedded (undefined = every snapshot / every network). */
  embedEpochs?: EpochWindow
  embedNets?: number[]
  /** What is shown of it. */
  epochWindow: EpochWindow
  subset: NetSubset
  look: Look
  /** A frozen map (issue 22): the points are placed into the embedding of `runs` (exactly
   * the one with `key`, once known) instead of re-fitting one. */
  frozen?: { runs: string[]; key?: string }
  /** SMACOF from this many starts (issue 18 item 4; undefined or 1 = one, classical, start). */
  starts?: number
  /** The default method was settled for the view's size (issue 23: landmark above STREAM_ABOVE
   * points), once: a method chosen afterwards stays. */
  methodSettled?: boolean
}

/** The metrics of one run, or of several overlaid. */
export interface MetricsState {
  kind: 'metrics'
  runs: string[]
  labels?: string[]
  /** The view the derived metrics (distances) are computed in. */
  view: ViewKind
  epochWindow: EpochWindow
  look: Look
}

export type ViewState = PathsState | MetricsState

export const OPEN_WINDOW: EpochWindow = [null, null]

/** The default look: the contract's defaults (paper style, 3.5 in, 300 dpi, …). */
export function defaultLook(overrides: Partial<Look> = {}): Look {
  return FigureLook.parse(overrides)
}

export function defaultPathsState(
  runs: string[],
  kind: 'paths' | 'compare' = runs.length > 1 ? 'compare' : 'paths',
): PathsState {
  return {
    kind,
    runs,
    view: 'tau',
    method: 'smacof',
    align: 'joint',
    epochWindow: [...OPEN_WINDOW],
    subset: { mode: 'all' },
    // Compare's learning curves, like every learning curve, start on a log epoch axis.
    look: defaultLook(kind === 'compare' ? { layout: 'panels', logX: true } : {}),
  }
}

export function defaultMetricsState(runs: string[]): MetricsState {
  // Snapshots are log-spaced in epochs: a linear axis is dominated by the first few.
  return { kind: 'metrics', runs, view: 'tau', epochWindow: [...OPEN_WINDOW], look: defaultLook({ logX: true }) }
}

/** The network indices a subset shows (undefined = all), for `nNets` networks. */
export function subsetNets(subset: NetSubset, nNets?: number): number[] | undefined {
  switch (subset.mode) {
    case 'all':
      return undefined
    case 'first': {
      const k = Math.max(0, Math.floor(subset.k))
      return Array.from({ length: nNets === undefined ? k : Math.min(k, nNets) }, (_, i) => i)
    }
    case 'pick':
      return [...new Set(subset.nets)]
        .filter((n) => Number.isInteger(n) && n >= 0 && (nNets === undefined || n < nNets))
        .sort((a, b) => a - b)
  }
}

/** The subset a list of networks describes: all, the first k, or a hand-picked set. */
export function subsetFromNets(nets: number[] | undefined, nNets?: number): NetSubset {
  if (!nets) return { mode: 'all' }
  const sorted = [...new Set(nets)].sort((a, b) => a - b)
  if (nNets !== undefined && sorted.length === nNets && sorted.every((n, i) => n === i)) return { mode: 'all' }
  if (sorted.length > 0 && sorted.every((n, i) => n === i)) return { mode: 'first', k: sorted.length }
  return { mode: 'pick', nets: sorted }
}

const near = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))

/** The window [from, to] of a slider over snapshot indices; an end at the first or
 * last snapshot is open (null), so a saved window keeps meaning "to the end". */
export function windowFromIndices(epochs: readonly number[], i0: number, i1: number): EpochWindow {
  const n = epochs.length
  if (n === 0) return [null, null]
  const lo = Math.max(0, Math.min(i0, i1, n - 1))
  const hi = Math.min(n - 1, Math.max(i0, i1, 0))
  return [lo <= 0 ? null : epochs[lo]!, hi >= n - 1 ? null : epochs[hi]!]
}

/** The slider indices of a window: the first snapshot at or after `from`, the last at
 * or before `to` (an open end is the first / last snapshot). */
export function indicesFromWindow(epochs: readonly number[], w: EpochWindow | undefined): [number, number] {
  const n = epochs.length
  if (n === 0) return [0, 0]
  let i0 = 0
  let i1 = n - 1
  const [from, to] = w ?? OPEN_WINDOW
  if (from !== null) {
    i0 = epochs.findIndex((e) => e >= from || near(e, from))
    if (i0 < 0) i0 = n - 1
  }
  if (to !== null) {
    for (i1 = n - 1; i1 > 0 && !(epochs[i1]! <= to || near(epochs[i1]!, to)); i1--);
  }
  return i0 <= i1 ? [i0, i1] : [i1, i0]
}

export function isOpenWindow(w: EpochWindow | undefined): boolean {
  return !w || (w[0] === null && w[1] === null)
}

export function sameWindow(a: EpochWindow | undefined, b: EpochWindow | undefined): boolean {
  const x = a ?? OPEN_WINDOW
  const y = b ?? OPEN_WINDOW
  const eq = (p: number | null, q: number | null) => (p === null ? q === null : q !== null && near(p, q))
  return eq(x[0], y[0]) && eq(x[1], y[1])
}

export function sameNets(a: number[] | undefined, b: number[] | undefined): boolean {
  if (!a || !b) return !a && !b
  return a.length === b.length && a.every((v, i) => v === b[i])
}

/** The embedding query of a paths state (what the server embeds). */
export function embedQuery(s: PathsState): PathQuery {
  return {
    runs: s.runs,
    ...(s.labels ? { labels: s.labels } : {}),
    view: s.view,
    method: s.method,
    ...(s.embedNets ? { nets: s.embedNets } : {}),
    ...(s.embedEpochs && !isOpenWindow(s.embedEpochs) ? { epochs: s.embedEpochs } : {}),
    ...(s.runs.length > 1 ? { align: s.align } : {}),
    ...(s.frozen ? { into: { runs: s.frozen.runs, ...(s.frozen.key ? { key: s.frozen.key } : {}) } } : {}),
    ...(s.method === 'smacof' && (s.starts ?? 1) > 1 && !s.frozen ? { options: { starts: s.starts } } : {}),
  }
}

/** A stable text key of a query, for caching. */
export function queryKey(q: PathQuery): string {
  return JSON.stringify([
    q.runs,
    q.labels ?? null,
    q.view,
    q.method,
    q.nets ?? null,
    q.epochs ?? null,
    q.align ?? 'joint',
    ...(q.into ? [q.into.runs, q.into.key ?? null] : []),
    ...(q.options ? [q.options] : []),
  ])
}

/** Does the project's saved-view format record what is shown apart from what is
 * embedded (`look.epochWindow`, `look.nets`)? Without it, a saved view records the
 * shown selection as its embedded one. */
export const LOOK_HAS_SHOWN_SELECTION: boolean = 'epochWindow' in FigureLook.shape && 'nets' in FigureLook.shape

/** The shown selection as the saved view records it. */
interface ShownSelection {
  epochWindow?: EpochWindow
  nets?: number[]
}

/** A view state as a saved view (without its name): what `views.save`,
 * `figures.render` and `figures.export` take. */
export function toSavedView(
  s: ViewState,
  nNets?: number,
  shownInLook = LOOK_HAS_SHOWN_SELECTION,
): Omit<SavedView, 'name'> {
  if (s.kind === 'metrics') {
    const query: PathQuery = { runs: s.runs, ...(s.labels ? { labels: s.labels } : {}), view: s.view, method: 'smacof' }
    if (!isOpenWindow(s.epochWindow)) query.epochs = s.epochWindow
    return { kind: 'metrics', query, look: { ...s.look } }
  }
  const query = embedQuery(s)
  const shownNets = subsetNets(s.subset, nNets)
  const look: Look & ShownSelection = { ...s.look }
  const windowShown = !isOpenWindow(s.epochWindow) && !sameWindow(s.epochWindow, s.embedEpochs)
  const netsShown = shownNets !== undefined && !sameNets(shownNets, s.embedNets)
  if (shownInLook) {
    if (windowShown) look.epochWindow = s.epochWindow
    if (netsShown) look.nets = shownNets
  } else {
    // The format cannot tell shown from embedded: record the shown selection as the
    // embedded one (reopened, it is embedded alone; the export matches what reopens).
    if (windowShown) query.epochs = s.epochWindow
    if (netsShown) query.nets = shownNets
  }
  return { kind: s.kind, query, look }
}

/** A saved view (or a view to export) at the time slider's epoch: `look.time`, absent when off. */
export function atTime<V extends { look: Look }>(v: V, t: number | null): V {
  const { time: _old, ...look } = v.look
  return { ...v, look: (t === null ? look : { ...look, time: t }) as Look }
}

/** A saved view back as a view state. */
export function fromSavedView(v: Pick<SavedView, 'kind' | 'query' | 'look'>, nNets?: number): ViewState {
  const q = v.query
  // The time is the time slider's (one for every view: stores/time.ts), not the view's look.
  const { epochWindow: shownWindow, nets: shownNets, time: _time, ...rest } = v.look as Look & ShownSelection
  const look = defaultLook(rest)
  if (v.kind === 'metrics')
    return {
      kind: 'metrics',
      runs: [...q.runs],
      ...(q.labels ? { labels: [...q.labels] } : {}),
      view: q.view ?? 'tau',
      epochWindow: q.epochs ? [...q.epochs] : [...OPEN_WINDOW],
      look,
    }
  const embedEpochs = q.epochs && !isOpenWindow(q.epochs) ? ([...q.epochs] as EpochWindow) : undefined
  const embedNets = q.nets ? [...q.nets] : undefined
  return {
    kind: v.kind,
    runs: [...q.runs],
    ...(q.labels ? { labels: [...q.labels] } : {}),
    view: q.view ?? 'tau',
    method: q.method ?? 'smacof',
    align: q.align ?? 'joint',
    ...(embedEpochs ? { embedEpochs } : {}),
    ...(embedNets ? { embedNets } : {}),
    epochWindow: (shownWindow ? [...shownWindow] : embedEpochs ? [...embedEpochs] : [...OPEN_WINDOW]) as EpochWindow,
    subset: subsetFromNets(shownNets ?? embedNets, nNets),
    look,
    ...(q.into ? { frozen: { runs: [...q.into.runs], ...(q.into.key ? { key: q.into.key } : {}) } } : {}),
    ...(q.options?.starts && q.options.starts > 1 ? { starts: q.options.starts } : {}),
  }
}

/** The figure options that show a paths state's data as the export does. */
export function pathsFigureOptions(s: PathsState, nNets?: number) {
  const nets = subsetNets(s.subset, nNets)
  return {
    layout: s.kind === 'compare' ? s.look.layout : ('overlay' as const),
    colorBy: s.look.colorBy,
    points: s.look.points,
    lines: s.look.lines,
    ...(s.look.hideInitial ? { hideInitial: true } : {}),
    ...(isOpenWindow(s.epochWindow) ? {} : { epochWindow: s.epochWindow }),
    ...(nets ? { nets } : {}),
  }
}

/** Derived ensemble metrics (pairwise distance, step length, their ratio, distance to
 * the final mean) as figure data for the metrics builder: one curve per quantity,
 * named as its axis is labelled. */
export const DERIVED_NAMES = [
  'mean pairwise distance',
  'mean step length',
  'step / pairwise distance',
  'distance to final mean',
] as const

export function derivedAsMetrics(runs: { label: string; derived: DerivedMetrics }[]): MetricsData {
  const nan = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v : NaN)
  return {
    runs: runs.map(({ label, derived: d }) => {
      const series: MetricsData['runs'][number]['series'] = [
        { name: DERIVED_NAMES[0], perNet: [d.meanPairwise.map(nan)] },
        { name: DERIVED_NAMES[1], perNet: [d.meanStep.map(nan)] },
        { name: DERIVED_NAMES[2], perNet: [d.stepToSpread.map(nan)] },
      ]
      if (d.distanceToFinalMean) series.push({ name: DERIVED_NAMES[3], perNet: [d.distanceToFinalMean.map(nan)] })
      return { label, epochs: [...d.epochs], series }
    }),
  }
}

/** Snapshot epochs of several runs together, sorted and without repeats. */
export function unionEpochs(lists: readonly (readonly number[])[]): number[] {
  const all = lists
    .flat()
    .filter(Number.isFinite)
    .sort((a, b) => a - b)
  return all.filter((e, i) => i === 0 || !near(e, all[i - 1]!))
}
