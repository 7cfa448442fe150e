/**
 * What the workbench shows: the current place (start page, project, a run's tab, a
 * page, settings; mirrored in the URL's hash so that a reload comes back to it),
 * the New Run dialog, notifications and the state of the connection to the host.
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { isConnectionError, messageOf, RequestError } from '../lib/api'

export type Route =
  | { name: 'start' }
  | { name: 'project' }
  | { name: 'settings' }
  | { name: 'run'; runId: string; tab: string }
  | { name: 'page'; pageId: string }

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

export function routeToHash(r: Route): string {
  switch (r.name) {
    case 'start':
      return '#/'
    case 'project':
      return '#/project'
    case 'settings':
      return '#/settings'
    case 'run':
      return `#/run/${encodeURIComponent(r.runId)}/${encodeURIComponent(r.tab)}`
    case 'page':
      return `#/page/${encodeURIComponent(r.pageId)}`
  }
}

export function hashToRoute(hash: string): Route | null {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent)
  if (parts.length === 0) return null
  if (parts[0] === 'project') return { name: 'project' }
  if (parts[0] === 'settings') return { name: 'settings' }
  if (parts[0] === 'run' && parts[1]) return { name: 'run', runId: parts[1], tab: parts[2] ?? 'details' }
  if (parts[0] === 'page' && parts[1]) return { name: 'page', pageId: parts[1] }
  return null
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

  function openRun(runId: string, tab?: string): void {
    const current = route.value
    go({ name: 'run', runId, tab: tab ?? (current.name === 'run' ? current.tab : 'details') })
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
    go,
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
