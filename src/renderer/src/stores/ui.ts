/**
 * What the workbench shows: the current place (start page, project, a run's tab, a
 * page, settings; mirrored in the URL's hash so that a reload comes back to it) with
 * the screen's own state in the hash's query (`#/run/ID/paths?zoom=…&nets=…`: zoom,
 * selections; each screen names its keys, see features/paths/url-sync.ts), the New Run
 * dialog, notifications and the state of the connection to the host.
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { isConnectionError, messageOf, RequestError } from '../lib/api'
import type { RouteQuery } from '../lib/url-state'

export type { RouteQuery }

export type Route = (
  | { name: 'start' }
  | { name: 'project' }
  | { name: 'settings' }
  | { name: 'run'; runId: string; tab: string }
  | { name: 'page'; pageId: string }
) & { query?: RouteQuery }

export type ToastKind = 'error' | 'warning' | 'info' | 'success'
export interface Toast {
  id: number
  kind: ToastKind
  title: string
  message?: string
  /** The contract's error code, for errors from a request. */
  code?: string
}

export type Connection = 'connecting' | 'online' | 'lost'

/** Query text: keys sorted (one state, one URL), values readable (commas, colons and
 * minus signs are left as they are). */
export function queryToText(q: RouteQuery | undefined): string {
  const keys = Object.keys(q ?? {})
    .filter((k) => q![k] !== '')
    .sort()
  const enc = (v: string) => encodeURIComponent(v).replace(/%2C/gi, ',').replace(/%3A/gi, ':')
  return keys.map((k) => `${enc(k)}=${enc(q![k]!)}`).join('&')
}

export function textToQuery(text: string): RouteQuery {
  const q: RouteQuery = {}
  for (const part of text.split('&')) {
    if (!part) continue
    const i = part.indexOf('=')
    const dec = (v: string) => {
      try {
        return decodeURIComponent(v.replace(/\+/g, ' '))
      } catch {
        return v
      }
    }
    const k = dec(i < 0 ? part : part.slice(0, i))
    if (k) q[k] = dec(i < 0 ? '' : part.slice(i + 1))
  }
  return q
}

export function sameQuery(a: RouteQuery | undefined, b: RouteQuery | undefined): boolean {
  return queryToText(a) === queryToText(b)
}

export function routeToHash(r: Route): string {
  const q = queryToText(r.query)
  const tail = q ? `?${q}` : ''
  switch (r.name) {
    case 'start':
      return `#/${tail}`
    case 'project':
      return `#/project${tail}`
    case 'settings':
      return `#/settings${tail}`
    case 'run':
      return `#/run/${encodeURIComponent(r.runId)}/${encodeURIComponent(r.tab)}${tail}`
    case 'page':
      return `#/page/${encodeURIComponent(r.pageId)}${tail}`
  }
}

export function hashToRoute(hash: string): Route | null {
  const body = hash.replace(/^#\/?/, '')
  const at = body.indexOf('?')
  const path = at < 0 ? body : body.slice(0, at)
  const query = at < 0 ? {} : textToQuery(body.slice(at + 1))
  const withQuery = <R extends Route>(r: R): R => (Object.keys(query).length ? { ...r, query } : r)
  const parts = path
    .split('/')
    .filter(Boolean)
    .map((p) => {
      try {
        return decodeURIComponent(p)
      } catch {
        return p
      }
    })
  if (parts.length === 0) return null
  if (parts[0] === 'project') return withQuery({ name: 'project' })
  if (parts[0] === 'settings') return withQuery({ name: 'settings' })
  if (parts[0] === 'run' && parts[1]) return withQuery({ name: 'run', runId: parts[1], tab: parts[2] ?? 'details' })
  if (parts[0] === 'page' && parts[1]) return withQuery({ name: 'page', pageId: parts[1] })
  return null
}

/** The same screen (the query aside). */
export function sameScreen(a: Route, b: Route): boolean {
  return routeToHash({ ...a, query: undefined }) === routeToHash({ ...b, query: undefined })
}

const TOAST_MS: Record<ToastKind, number> = { error: 12_000, warning: 10_000, info: 5_000, success: 4_000 }

export const useUiStore = defineStore('ui', () => {
  const route = ref<Route>({ name: 'start' })
  const toasts = ref<Toast[]>([])
  const connection = ref<Connection>('connecting')
  const newRunOpen = ref(false)
  /** A preset to preselect when the New Run dialog opens. */
  const newRunPreset = ref<string | null>(null)
  const importOpen = ref(false)
  let nextToast = 1

  const selectedRunId = computed(() => (route.value.name === 'run' ? route.value.runId : null))

  function go(r: Route): void {
    route.value = r
    const hash = routeToHash(r)
    if (location.hash !== hash) history.replaceState(null, '', `${location.pathname}${location.search}${hash}`)
  }

  /** The current screen's query. */
  const query = computed<RouteQuery>(() => route.value.query ?? {})

  /** Changes keys of the current screen's query (null or '' removes a key); the URL
   * follows, so a reload (or the link) comes back to the same state. */
  function setQuery(patch: Record<string, string | null | undefined>): void {
    const q: RouteQuery = { ...(route.value.query ?? {}) }
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || v === undefined || v === '') delete q[k]
      else q[k] = v
    }
    if (sameQuery(q, route.value.query)) return
    const { query: _old, ...rest } = route.value
    go((Object.keys(q).length ? { ...rest, query: q } : rest) as Route)
  }

  function openRun(runId: string, tab?: string): void {
    const current = route.value
    const next: Route = { name: 'run', runId, tab: tab ?? (current.name === 'run' ? current.tab : 'details') }
    // The screen already shown (its run clicked again) keeps its state.
    go(current.query && sameScreen(next, current) ? { ...next, query: current.query } : next)
  }

  function notify(kind: ToastKind, title: string, message?: string, code?: string): number {
    const id = nextToast++
    // The same message twice in a row is shown once.
    const last = toasts.value[toasts.value.length - 1]
    if (last && last.title === title && last.message === message) return last.id
    toasts.value = [...toasts.value.slice(-4), { id, kind, title, message, ...(code ? { code } : {}) }]
    setTimeout(() => dismiss(id), TOAST_MS[kind])
    return id
  }

  function dismiss(id: number): void {
    toasts.value = toasts.value.filter((t) => t.id !== id)
  }

  /** Shows a failed request (or anything thrown) readably; connection loss goes to the banner. */
  function reportError(title: string, e: unknown): void {
    if (isConnectionError(e)) {
      connectionLost()
      return
    }
    notify('error', title, messageOf(e), e instanceof RequestError ? e.code : undefined)
  }

  /** Runs an action; a failure is reported under `title` and gives undefined. */
  async function guard<T>(title: string, f: () => Promise<T>): Promise<T | undefined> {
    try {
      return await f()
    } catch (e) {
      reportError(title, e)
      return undefined
    }
  }

  const lostListeners = new Set<() => void>()
  function connectionLost(): void {
    if (connection.value === 'lost') return
    connection.value = 'lost'
    for (const l of lostListeners) l()
  }
  function onConnectionLost(l: () => void): () => void {
    lostListeners.add(l)
    return () => lostListeners.delete(l)
  }

  function openImport(): void {
    importOpen.value = true
  }

  function openNewRun(preset: string | null = null): void {
    newRunPreset.value = preset
    newRunOpen.value = true
  }

  return {
    route,
    toasts,
    connection,
    newRunOpen,
    newRunPreset,
    importOpen,
    selectedRunId,
    query,
    go,
    setQuery,
    openRun,
    notify,
    dismiss,
    reportError,
    guard,
    connectionLost,
    onConnectionLost,
    openNewRun,
    openImport,
  }
})
