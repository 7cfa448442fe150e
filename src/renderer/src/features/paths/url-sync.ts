/**
 * Keeps a view's state in the URL's query (lib/url-state.ts says which keys), both ways: a
 * state change rewrites the URL (replaceState: no history entry per zoom step), and a URL
 * that names a state (a reload, a pasted link, the desktop app reopening its last place)
 * sets it. The URL is read when the view opens and when the hash changes from outside; a
 * state replaced by a saved view is written, not overwritten by the old URL.
 */
import { watch } from 'vue'
import { useUiStore } from '../../stores/ui'
import {
  applyQueryToMetrics,
  applyQueryToPaths,
  METRICS_QUERY_KEYS,
  metricsStateToQuery,
  PATHS_QUERY_KEYS,
  pathsStateToQuery,
  TIME_QUERY_KEYS,
  timeFromQuery,
  timeToQuery,
  type RouteQuery,
} from '../../lib/url-state'
import type { MetricsState, PathsState } from '../../lib/view-state'

export interface UrlCodec<S> {
  /** The keys this view owns (others, e.g. the time slider's `t=`, are left alone). */
  keys: readonly string[]
  /** The state as keys (null = at its default: removed). */
  toQuery: (s: S) => Record<string, string | null>
  /** Sets the state from keys (an absent key is its default). */
  apply: (s: S, q: RouteQuery) => void
}

export interface UrlSyncOptions<S> extends UrlCodec<S> {
  state: () => S | null
  /** Is the current route this view's screen? (Only then is the URL its own.) */
  isMine: () => boolean
}

export function useUrlSync<S>(o: UrlSyncOptions<S>): void {
  const ui = useUiStore()
  const own = (q: RouteQuery): RouteQuery => {
    const out: RouteQuery = {}
    for (const k of o.keys) if (q[k] !== undefined) out[k] = q[k]
    return out
  }
  const text = (q: RouteQuery) => JSON.stringify(o.keys.map((k) => q[k] ?? null))
  /** The view's keys as last written or applied: a change to anything else came from outside. */
  let last = ''

  function apply(): void {
    const s = o.state()
    if (!s) return
    const q = own(ui.query)
    o.apply(s, q)
    last = text(q)
  }

  function write(): void {
    const s = o.state()
    if (!s || !o.isMine()) return
    ui.setQuery(o.toQuery(s))
    last = text(own(ui.query))
  }

  if (o.isMine() && Object.keys(own(ui.query)).length) apply()
  write()

  watch(
    () => {
      const s = o.state()
      return s ? [s, o.toQuery(s)] : null
    },
    write,
    { deep: true },
  )
  watch(o.isMine, (mine) => mine && write())
  watch(
    () => text(own(ui.query)),
    (now) => {
      if (now !== last && o.isMine()) {
        apply()
        write()
      }
    },
  )
}

/** A paths view (one run) or a comparison: compare's runs go through `applyRuns` (the page
 * knows the project's runs and their labels). */
export function pathsCodec(nNets: () => number | undefined, applyRuns?: (ids: string[]) => void): UrlCodec<PathsState> {
  return {
    keys: PATHS_QUERY_KEYS,
    toQuery: (s) => pathsStateToQuery(s, nNets()),
    apply: (s, q) => {
      const { runs } = applyQueryToPaths(s, q, nNets())
      if (runs && applyRuns) applyRuns(runs)
    },
  }
}

export const metricsCodec: UrlCodec<MetricsState> = {
  keys: METRICS_QUERY_KEYS,
  toQuery: metricsStateToQuery,
  apply: applyQueryToMetrics,
}

/** The time slider's position (stores/time.ts): `t=` on the screen that shows the slider. */
export const timeCodec: UrlCodec<{ epoch: number | null; set: (t: number | null) => void }> = {
  keys: TIME_QUERY_KEYS,
  toQuery: (s) => timeToQuery(s.epoch),
  apply: (s, q) => s.set(timeFromQuery(q)),
}
