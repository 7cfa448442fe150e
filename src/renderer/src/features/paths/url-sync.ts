/**
 * Keeps a paths view's state (runs compared, τ/κ, method, selections, zoom) in the URL's
 * query (lib/url-state.ts says which keys), both ways: a state change rewrites the URL
 * (replaceState: no history entry per zoom step), and a URL that names a state (a reload,
 * a pasted link, the desktop app reopening its last place) sets it. The URL is read when
 * the view opens and when the hash changes from outside; a state replaced by a saved view
 * is written, not overwritten by the old URL.
 */
import { watch } from 'vue'
import { useUiStore } from '../../stores/ui'
import {
  applyQueryToPaths,
  hasPathsQuery,
  PATHS_QUERY_KEYS,
  pathsStateToQuery,
  type RouteQuery,
} from '../../lib/url-state'
import type { PathsState } from '../../lib/view-state'

export interface UrlSyncOptions {
  state: () => PathsState | null
  nNets: () => number | undefined
  /** Is the current route this view's screen? (Only then is the URL its own.) */
  isMine: () => boolean
  /** Compare: applies the runs a link names (the page knows the project's runs and labels). */
  applyRuns?: (ids: string[]) => void
}

function own(q: RouteQuery): RouteQuery {
  const out: RouteQuery = {}
  for (const k of PATHS_QUERY_KEYS) if (q[k] !== undefined) out[k] = q[k]
  return out
}
const text = (q: RouteQuery) => JSON.stringify(PATHS_QUERY_KEYS.map((k) => q[k] ?? null))

export function useUrlSync(o: UrlSyncOptions): void {
  const ui = useUiStore()
  /** The view's keys as last written or applied: a change to anything else came from outside. */
  let last = ''

  function apply(): void {
    const s = o.state()
    if (!s) return
    const q = own(ui.query)
    const { runs } = applyQueryToPaths(s, q, o.nNets())
    if (runs && o.applyRuns) o.applyRuns(runs)
    last = text(q)
  }

  function write(): void {
    const s = o.state()
    if (!s || !o.isMine()) return
    ui.setQuery(pathsStateToQuery(s, o.nNets()))
    last = text(own(ui.query))
  }

  if (o.isMine() && hasPathsQuery(ui.query)) apply()
  write()

  watch(
    () => {
      const s = o.state()
      return s ? [s, pathsStateToQuery(s, o.nNets())] : null
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
