/**
 * Starts the workbench: subscribes the stores to the host's events, loads settings and
 * the open project, restores the place the URL names, and watches the connection
 * (the browser host can go away; the desktop host cannot).
 */
import type { UiCommand } from '../../../shared/api/contract'
import { PAGES } from './screens'
import { api, isConnectionError, RequestError } from '../lib/api'
import { useProjectStore } from '../stores/project'
import { useRunsStore } from '../stores/runs'
import { useSettingsStore } from '../stores/settings'
import { hashToRoute, useUiStore, type Route } from '../stores/ui'

const HEARTBEAT_MS = 5_000
const RETRY_MS = 2_000
const TIMEOUT_MS = 8_000

/** A host that does not answer in `ms` counts as gone: the same `unavailable` as a closed connection. */
function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const message = `the sgdscope server did not answer in ${ms / 1000} s`
    const t = setTimeout(() => reject(new RequestError('unavailable', message, { host: 'browser' })), ms)
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    )
  })
}

/** The place a hash names, if it still exists. */
export function resolveRoute(r: Route | null): Route {
  const project = useProjectStore()
  if (!r) return project.current ? { name: 'project' } : { name: 'start' }
  if (r.name === 'settings') return r
  if (!project.current) return { name: 'start' }
  if (r.name === 'run') return project.runById.get(r.runId) ? r : { name: 'project' }
  if (r.name === 'page') return PAGES.some((p) => p.id === r.pageId) ? r : { name: 'project' }
  return r.name === 'start' ? { name: 'project' } : r
}

/** What a host's menu asks for (Run ▸ New Run…, Import Run…, Cancel, Resume; Settings…). */
export function runCommand(command: UiCommand): void {
  const ui = useUiStore()
  const project = useProjectStore()
  const runs = useRunsStore()
  const runId = ui.selectedRunId
  const run = runId ? project.runById.get(runId) : undefined
  switch (command) {
    case 'new-run':
      if (project.current) ui.openNewRun()
      else ui.notify('info', 'Open or create a project first', 'Runs are stored in a project folder.')
      return
    case 'import-run':
      if (project.current) ui.openImport()
      else ui.notify('info', 'Open or create a project first', 'Imported runs are stored in a project folder.')
      return
    case 'cancel-run':
      if (run && run.status === 'running') void runs.cancel(run.id)
      else ui.notify('info', 'No training run is selected', 'Select a running run in the sidebar to cancel it.')
      return
    case 'resume-run':
      if (run && (run.status === 'interrupted' || run.status === 'created')) void runs.resume(run.id)
      else ui.notify('info', 'No interrupted run is selected', 'Select an interrupted run in the sidebar to resume it.')
      return
    case 'open-settings':
      ui.go({ name: 'settings' })
      return
  }
}

export async function boot(): Promise<void> {
  const ui = useUiStore()
  const settings = useSettingsStore()
  const project = useProjectStore()
  const runs = useRunsStore()
  const client = api()
  // The place the URL names, read before loading the project moves anywhere.
  const initialHash = location.hash

  runs.subscribe()
  client.on('ui.command', (e) => runCommand(e.command))
  client.on('log', (e) => {
    if (e.level === 'warn') ui.notify('warning', 'Warning', e.message)
  })

  const sync = async () => {
    await settings.load()
    await project.loadRecent()
    await project.loadCurrent()
    ui.connection = 'online'
  }

  try {
    await sync()
  } catch (e) {
    ui.reportError('Cannot reach sgdscope', e)
  }
  ui.go(resolveRoute(hashToRoute(initialHash)))
  window.addEventListener('hashchange', () => ui.go(resolveRoute(hashToRoute(location.hash))))

  // Connection: a lost host is retried every few seconds; when it is back, everything is re-read.
  let retrying = false
  const retry = async () => {
    if (retrying) return
    retrying = true
    while (ui.connection === 'lost') {
      await new Promise((r) => setTimeout(r, RETRY_MS))
      try {
        await withTimeout(sync(), TIMEOUT_MS)
        const r = ui.route
        if (r.name === 'run') void runs.loadCurve(r.runId)
      } catch {
        /* still away */
      }
    }
    retrying = false
  }
  ui.onConnectionLost(() => void retry())
  if (ui.connection !== 'online') {
    ui.connection = 'lost'
    void retry()
  }
  if (client.host === 'browser') {
    setInterval(() => {
      if (ui.connection !== 'online') return
      withTimeout(client.call('app.info', {}), TIMEOUT_MS).catch((e) => {
        if (isConnectionError(e)) ui.connectionLost()
      })
    }, HEARTBEAT_MS)
  }
}
