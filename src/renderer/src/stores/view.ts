/**
 * The analysis views' data and state: embeddings and metrics fetched from the host
 * (cached per query, with the host's progress while they are computed), the state of
 * each run's path explorer and metrics tab and of the comparison (kept while the user
 * visits other tabs), and the project's saved views (saving, deleting, opening one
 * where it belongs with its state restored).
 */
import { defineStore } from 'pinia'
import { computed, reactive, ref, shallowRef, watch } from 'vue'
import type { CallOptions, DerivedMetrics, PathQuery, ResultOf, SavedView } from '../../../shared/api/contract'
import type { MetricsData } from '../../../shared/figures/data'
import { api } from '../lib/api'
import { isCancelled, progressLine, sharedRequests, type Shared } from '../lib/shared-requests'
import { useProjectStore } from './project'
import { useRunsStore } from './runs'
import { useUiStore } from './ui'
import { useTimeStore } from './time'
import {
  atTime,
  defaultMetricsState,
  defaultPathsState,
  fromSavedView,
  queryKey,
  toSavedView,
  type MetricsState,
  type PathsState,
  type ViewState,
} from '../lib/view-state'

export type Embedding = ResultOf<'paths.embed'>
export interface RunMetrics {
  data: MetricsData
  derived: DerivedMetrics
}

/** Where each kind of view lives in the workbench. */
export const RUN_TAB_IDS = { paths: 'paths', metrics: 'metrics' } as const
export const PAGE_IDS = { compare: 'compare', saved: 'saved-views' } as const

export { isCancelled, progressLine }

export const useViewStore = defineStore('view', () => {
  const project = useProjectStore()
  const runs = useRunsStore()
  const ui = useUiStore()
  const time = useTimeStore()

  // ---- Data from the host, cached per query ------------------------------------

  const embeddings = new Map<string, Shared<Embedding>>()
  const metricsCache = new Map<string, Shared<RunMetrics>>()
  /** Requests in flight, and the last progress line the host sent for one of them. */
  const { inFlight, progress, shared } = sharedRequests()

  /** The embedding of a query (from the cache unless `fresh`). The data is raw (not
   * reactive): it is large and never changed. */
  function embed(q: PathQuery, fresh = false, signal?: AbortSignal): Promise<Embedding> {
    return shared(embeddings, queryKey(q), fresh, 'paths.embed', (o) => api().call('paths.embed', q, o), signal)
  }

  function metrics(
    runId: string,
    view: 'tau' | 'kappa' = 'tau',
    fresh = false,
    signal?: AbortSignal,
  ): Promise<RunMetrics> {
    const key = `${runId}\u0000${view}`
    const call = (o: CallOptions) => api().call('runs.metrics', { runId, view }, o)
    return shared(metricsCache, key, fresh, 'runs.metrics', call, signal)
  }

  /** Forget cached data of a run (it changed: more snapshots), or of everything. */
  function invalidate(runId?: string): void {
    for (const cache of [embeddings, metricsCache] as Map<string, unknown>[])
      for (const k of [...cache.keys()]) if (!runId || k.includes(runId)) cache.delete(k)
  }

  async function details(runId: string) {
    return runs.details[runId] ?? (await runs.loadDetails(runId))
  }

  // ---- The state of each view (kept while the user is elsewhere) ---------------

  const pathsStates = reactive<Record<string, PathsState>>({})
  const metricsStates = reactive<Record<string, MetricsState>>({})
  const compareState = ref<PathsState | null>(null)

  function pathsState(runId: string): PathsState {
    return (pathsStates[runId] ??= defaultPathsState([runId], 'paths'))
  }
  function metricsState(runId: string): MetricsState {
    return (metricsStates[runId] ??= defaultMetricsState([runId]))
  }
  function compare(): PathsState {
    return (compareState.value ??= defaultPathsState([], 'compare'))
  }

  // ---- Saved views ---------------------------------------------------------------

  const views = computed<SavedView[]>(() => project.current?.views ?? [])
  const saving = ref(false)

  function setViews(list: SavedView[]): void {
    if (project.current) project.current = { ...project.current, views: list }
  }

  /** Saves a view's state under a name (replacing a view of that name), at the time slider's epoch. */
  async function save(name: string, state: ViewState, nNets?: number): Promise<boolean> {
    saving.value = true
    try {
      const list = await ui.guard('Cannot save the view', () =>
        api().call('views.save', { name, ...atTime(toSavedView(state, nNets), time.epoch) }),
      )
      if (!list) return false
      setViews(list)
      ui.notify('success', `Saved view “${name}”`)
      return true
    } finally {
      saving.value = false
    }
  }

  async function remove(name: string): Promise<boolean> {
    const list = await ui.guard('Cannot delete the view', () => api().call('views.delete', { name }))
    if (!list) return false
    setViews(list)
    return true
  }

  /** A saved view being opened: the view it belongs to takes it when it shows. */
  const restoring = shallowRef<{ view: SavedView; seq: number } | null>(null)
  let seq = 0

  /** Opens a saved view: goes to its run tab or page, which restores its state. */
  function open(view: SavedView): void {
    restoring.value = { view, seq: ++seq }
    const runId = view.query.runs[0]
    if (view.kind === 'compare') ui.go({ name: 'page', pageId: PAGE_IDS.compare })
    else if (runId) ui.openRun(runId, view.kind === 'metrics' ? RUN_TAB_IDS.metrics : RUN_TAB_IDS.paths)
  }

  /** The saved view to restore in a view of this kind (and run), once. */
  function takeRestore(kind: SavedView['kind'], runId?: string): SavedView | null {
    const r = restoring.value
    if (!r || r.view.kind !== kind || (runId !== undefined && r.view.query.runs[0] !== runId)) return null
    restoring.value = null
    return r.view
  }

  /** Applies a saved view to the kept state of its view (and returns that state); the time
   * slider goes to the view's epoch (off when it has none). */
  function restore(view: SavedView, nNets?: number): ViewState {
    const s = fromSavedView(view, nNets)
    time.set(view.look.time ?? null)
    if (s.kind === 'metrics') metricsStates[s.runs[0]!] = s
    else if (s.kind === 'paths') pathsStates[s.runs[0]!] = s
    else compareState.value = s
    return s
  }

  // A different project: nothing cached applies.
  watch(
    () => project.current?.dir,
    () => {
      invalidate()
      for (const k of Object.keys(pathsStates)) delete pathsStates[k]
      for (const k of Object.keys(metricsStates)) delete metricsStates[k]
      compareState.value = null
      restoring.value = null
    },
  )

  return {
    inFlight,
    progress,
    embed,
    metrics,
    invalidate,
    details,
    pathsState,
    metricsState,
    compare,
    views,
    saving,
    save,
    remove,
    restoring,
    open,
    takeRestore,
    restore,
  }
})
