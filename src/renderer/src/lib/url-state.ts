/**
 * A view's state in the URL's query (`#/run/ID/paths?view=kappa&zoom=-1,2,0,3&nets=0-3,7`):
 * what a reload or a link needs to show the same picture. Pure: text codecs and the
 * mapping of a paths state to query keys and back, unit-tested under Node.
 *
 * Paths keys (each left out at its default): `runs` (compare), `view`, `method`, `align`,
 * `layout`, `eepochs`/`enets` (what was embedded: a re-embedded selection has other
 * coordinates), `epochs`/`nets` (what is shown), `zoom` (x0,x1,y0,y1 in embedding
 * units; meaningful only with the keys above, which is why they are kept too), `map` (a
 * run's paths drawn into another run's frozen map, e.g. spawned children into their
 * parent's: `map=PARENT_ID`). A key
 * that does not parse is ignored, never an error: a link edited by hand still opens.
 * The metrics tab has `view`, `epochs`, `logx`, `logy` (1 or 0). The time slider
 * (stores/time.ts) adds `t=` (an epoch; absent = off) to every screen that has it.
 */
import type { ZoomRegion } from '../../../shared/api/contract'
import { parseNetList } from '../../../shared/net-list'
import {
  defaultMetricsState,
  defaultPathsState,
  METHODS,
  subsetFromNets,
  subsetNets,
  type EpochWindow,
  type MetricsState,
  type Method,
  type PathsState,
} from './view-state'
import { decodeTime, encodeTime } from './time'

/** A screen's state in the URL: keys to short texts (`zoom` → `0.1,0.5,-1,2`). */
export type RouteQuery = Record<string, string>

/** Short, exact enough: 6 significant digits (a zoom region of a map some units across). */
const num = (v: number) => String(Number(v.toPrecision(6)))

export function encodeNumbers(vs: readonly number[]): string {
  return vs.map(num).join(',')
}

/** Finite numbers separated by commas, exactly `n` of them, or null. */
export function decodeNumbers(text: string | undefined, n: number): number[] | null {
  if (!text) return null
  const parts = text.split(',')
  if (parts.length !== n) return null
  const vs = parts.map((p) => (p.trim() === '' ? NaN : Number(p)))
  return vs.every(Number.isFinite) ? vs : null
}

export function encodeZoom(z: ZoomRegion | undefined): string | null {
  return z ? encodeNumbers([z.x[0], z.x[1], z.y[0], z.y[1]]) : null
}

export function decodeZoom(text: string | undefined): ZoomRegion | undefined {
  const v = decodeNumbers(text, 4)
  if (!v || !(v[0]! < v[1]!) || !(v[2]! < v[3]!)) return undefined
  return { x: [v[0]!, v[1]!], y: [v[2]!, v[3]!] }
}

/** Network indices as runs: 0-3,7,9-10. */
export function encodeIndices(list: readonly number[]): string {
  const sorted = [...new Set(list)].sort((a, b) => a - b)
  const out: string[] = []
  for (let i = 0; i < sorted.length;) {
    let j = i
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++
    out.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`)
    i = j + 1
  }
  return out.join(',')
}

/** The indices a text of runs names (at most `max`), or null if it does not parse. */
export function decodeIndices(text: string | undefined, max = 100_000): number[] | null {
  if (!text) return null
  const r = parseNetList(text, max)
  return r.ok ? [...new Set(r.nets)].sort((x, y) => x - y) : null
}

/** An epoch window: `from,to`, an open end empty (`0.05,`). */
export function encodeWindow(w: EpochWindow | undefined): string | null {
  if (!w || (w[0] === null && w[1] === null)) return null
  return `${w[0] === null ? '' : num(w[0])},${w[1] === null ? '' : num(w[1])}`
}

export function decodeWindow(text: string | undefined): EpochWindow | undefined {
  if (!text) return undefined
  const parts = text.split(',')
  if (parts.length !== 2) return undefined
  const end = (p: string) => (p.trim() === '' ? null : Number(p))
  const w: EpochWindow = [end(parts[0]!), end(parts[1]!)]
  if (w.some((v) => v !== null && !Number.isFinite(v))) return undefined
  if (w[0] !== null && w[1] !== null && w[0] > w[1]) return undefined
  return w[0] === null && w[1] === null ? undefined : w
}

/** Run ids: comma-separated (ids are made of letters, digits, '-', '_' and '.'). */
export function decodeRuns(text: string | undefined): string[] | null {
  if (!text) return null
  const ids = text.split(',').map((t) => t.trim())
  return ids.length <= 16 && ids.every((id) => /^[\w.-]+$/.test(id)) ? [...new Set(ids)] : null
}

/** The keys a paths state sets, each null at its default (so it is removed). */
export const PATHS_QUERY_KEYS = [
  'runs',
  'view',
  'method',
  'align',
  'layout',
  'eepochs',
  'enets',
  'epochs',
  'nets',
  'zoom',
  'map',
] as const

/** The other runs whose frozen map a paths view draws into, or null (its own map, or none). */
function otherMap(s: PathsState): string[] | null {
  return s.kind === 'paths' && s.frozen && s.frozen.runs.join() !== s.runs.join() ? s.frozen.runs : null
}

export function pathsStateToQuery(s: PathsState, nNets?: number): Record<string, string | null> {
  const d = defaultPathsState(s.runs, s.kind)
  const shown = subsetNets(s.subset, nNets)
  return {
    runs: s.kind === 'compare' && s.runs.length ? s.runs.join(',') : null,
    view: s.view !== d.view ? s.view : null,
    method: s.method !== d.method ? s.method : null,
    align: s.kind === 'compare' && s.align !== d.align ? s.align : null,
    layout: s.kind === 'compare' && s.look.layout !== d.look.layout ? s.look.layout : null,
    eepochs: encodeWindow(s.embedEpochs),
    enets: s.embedNets ? encodeIndices(s.embedNets) : null,
    epochs: encodeWindow(s.epochWindow),
    nets: shown && !(nNets !== undefined && shown.length === nNets) ? encodeIndices(shown) : null,
    zoom: encodeZoom(s.look.zoom),
    map: otherMap(s)?.join(',') ?? null,
  }
}

/**
 * Applies a query to a paths state in place: each key present and valid sets its part,
 * an absent key its default (a link names the whole state). Compare's runs are returned
 * for the caller to apply (it knows the project's runs and their labels), not set here.
 */
export function applyQueryToPaths(s: PathsState, q: RouteQuery, nNets?: number): { runs: string[] | null } {
  const d = defaultPathsState(s.runs, s.kind)
  s.view = q.view === 'kappa' ? 'kappa' : q.view === 'tau' ? 'tau' : d.view
  s.method = METHODS.some((m) => m.id === q.method) ? (q.method as Method) : d.method
  if (s.kind === 'compare') {
    s.align = q.align === 'procrustes' || q.align === 'joint' ? q.align : d.align
    s.look.layout = q.layout === 'overlay' || q.layout === 'panels' ? q.layout : d.look.layout
  }
  s.embedEpochs = decodeWindow(q.eepochs)
  const enets = decodeIndices(q.enets)
  s.embedNets = enets ?? undefined
  s.epochWindow = decodeWindow(q.epochs) ?? [null, null]
  const nets = decodeIndices(q.nets)
  s.subset = subsetFromNets(nets ?? s.embedNets, nNets)
  const zoom = decodeZoom(q.zoom)
  if (zoom) s.look.zoom = zoom
  else delete s.look.zoom
  // Another run's map from the link; a run frozen on its own map (not in links) stays so.
  const map = s.kind === 'paths' ? decodeRuns(q.map) : null
  if (map && map.join() !== s.runs.join()) s.frozen = { runs: map }
  else if (otherMap(s)) s.frozen = undefined
  return { runs: s.kind === 'compare' ? decodeRuns(q.runs) : null }
}

/** Does the query name any part of a paths state? */
export function hasPathsQuery(q: RouteQuery): boolean {
  return PATHS_QUERY_KEYS.some((k) => q[k] !== undefined)
}

/** A run's metrics tab: τ/κ of the derived distances, the epoch window, the log axes. */
export const METRICS_QUERY_KEYS = ['view', 'epochs', 'logx', 'logy'] as const

export function metricsStateToQuery(s: MetricsState): Record<string, string | null> {
  const d = defaultMetricsState(s.runs)
  return {
    view: s.view !== d.view ? s.view : null,
    epochs: encodeWindow(s.epochWindow),
    logx: s.look.logX !== d.look.logX ? (s.look.logX ? '1' : '0') : null,
    logy: s.look.logY !== d.look.logY ? (s.look.logY ? '1' : '0') : null,
  }
}

export function applyQueryToMetrics(s: MetricsState, q: RouteQuery): void {
  const d = defaultMetricsState(s.runs)
  s.view = q.view === 'kappa' ? 'kappa' : q.view === 'tau' ? 'tau' : d.view
  s.epochWindow = decodeWindow(q.epochs) ?? [null, null]
  const flag = (v: string | undefined, dflt: boolean) => (v === '1' ? true : v === '0' ? false : dflt)
  s.look.logX = flag(q.logx, d.look.logX)
  s.look.logY = flag(q.logy, d.look.logY)
}

/** The time slider's position, on every screen that shows it: `t=` an epoch, absent = off. */
export const TIME_QUERY_KEYS = ['t'] as const

export function timeToQuery(t: number | null): Record<string, string | null> {
  return { t: encodeTime(t) }
}

/** The position a query names (no or a bad `t=`: off). */
export function timeFromQuery(q: RouteQuery): number | null {
  return decodeTime(q.t)
}
