/** The open project (its runs and saved views) and the recently opened projects. */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { ProjectSummary, RunStatus, RunSummary } from '../../../shared/api/contract'
import { RequestError, api } from '../lib/api'
import { useUiStore } from './ui'

export const useProjectStore = defineStore('project', () => {
  const ui = useUiStore()
  const current = ref<ProjectSummary | null>(null)
  const recent = ref<string[]>([])
  const busy = ref(false)

  /** Newest first. */
  const runs = computed<RunSummary[]>(() =>
    [...(current.value?.runs ?? [])].sort((a, b) => b.created.localeCompare(a.created)),
  )
  const runById = computed(() => new Map((current.value?.runs ?? []).map((r) => [r.id, r])))

  /**
   * Statuses learnt from 'run.status' events that the archive may not show yet (the
   * host announces `running` before the trainer has written it): they win over a run
   * list read meanwhile, until a list agrees with them.
   */
  const liveStatus = new Map<string, { status: RunStatus; error?: string }>()

  /** Re-reads of the run list while an event's status is ahead of it (bounded: the archive may never agree). */
  let settling = 0
  const MAX_SETTLING = 40

  function withLiveStatus(runs: RunSummary[]): RunSummary[] {
    let ahead = false
    const out = runs.map((r) => {
      const live = liveStatus.get(r.id)
      if (!live) return r
      if (live.status === r.status) {
        liveStatus.delete(r.id)
        return r
      }
      ahead = true
      const { error: _error, ...rest } = r
      return { ...rest, status: live.status, ...(live.error ? { error: live.error } : {}) }
    })
    // The rest of such a run's summary (counts, final metrics) is older than its status:
    // read the list again until the archive has caught up.
    if (!ahead) settling = 0
    else if (settling++ < MAX_SETTLING) refreshRunsSoon()
    return out
  }

  /** Applies a summary unless it is older than the one shown (responses and events race). */
  function set(p: ProjectSummary | null): void {
    if (p && current.value && p.dir === current.value.dir && p.readAt < current.value.readAt) return
    // Another project: its runs' statuses are not ours. (On a page still loading, the
    // events that arrived meanwhile are about the project being read, and are kept.)
    if (p && current.value && p.dir !== current.value.dir) liveStatus.clear()
    current.value = p ? { ...p, runs: withLiveStatus(p.runs) } : null
    if (!p) {
      // Closed (e.g. from the desktop app's menu): back to the start page.
      if (ui.route.name !== 'settings' && ui.route.name !== 'start') ui.go({ name: 'start' })
      return
    }
    if (ui.route.name === 'start') ui.go({ name: 'project' })
    if (ui.route.name === 'run' && !p.runs.some((r) => r.id === (ui.route as { runId: string }).runId))
      ui.go({ name: 'project' })
  }

  /** Reads the open project afresh (at start, and after the connection was lost: events may be missing). */
  async function loadCurrent(): Promise<void> {
    liveStatus.clear()
    set(await api().call('project.current', {}))
  }

  async function loadRecent(): Promise<void> {
    recent.value = await api().call('project.recent', {})
  }

  /** Opens (or creates) a project. With `onlyNew`, a folder that already holds a project
   * is not opened: 'exists' comes back, so the page can ask whether to open it. */
  async function open(dir: string, create = false, onlyNew = false): Promise<boolean | 'exists'> {
    busy.value = true
    try {
      let p
      try {
        p = await api().call('project.open', { dir, create, ...(onlyNew ? { onlyNew } : {}) })
      } catch (e) {
        if (onlyNew && e instanceof RequestError && e.code === 'conflict' && e.details.reason === 'exists')
          return 'exists'
        ui.reportError(create ? 'Cannot create the project' : 'Cannot open the project', e)
        return false
      }
      set(p)
      ui.go({ name: 'project' })
      void ui.guard('Cannot read the recent projects', loadRecent)
      return true
    } finally {
      busy.value = false
    }
  }

  async function close(): Promise<void> {
    const r = await ui.guard('Cannot close the project', () => api().call('project.close', {}))
    if (r === undefined) return
    current.value = null
    ui.go({ name: 'start' })
    void ui.guard('Cannot read the recent projects', loadRecent)
  }

  let refreshTimer: ReturnType<typeof setTimeout> | null = null
  /** Re-reads the run list soon (coalescing bursts of events). */
  function refreshRunsSoon(ms = 250): void {
    if (refreshTimer) return
    refreshTimer = setTimeout(() => {
      refreshTimer = null
      void refreshRuns()
    }, ms)
  }

  async function refreshRuns(): Promise<void> {
    if (!current.value) return
    const p = await ui.guard('Cannot read the runs', () => api().call('project.current', {}))
    if (!p || !current.value || p.dir !== current.value.dir || p.readAt < current.value.readAt) return
    current.value = { ...p, runs: withLiveStatus(p.runs) }
  }

  /** A run's status changed (event): shown at once with the counts it carries, the full summary follows. */
  function patchStatus(
    runId: string,
    status: RunStatus,
    error?: string,
    counts?: { done?: number; total?: number },
  ): void {
    liveStatus.set(runId, { status, ...(error ? { error } : {}) })
    const p = current.value
    if (!p) return
    const i = p.runs.findIndex((r) => r.id === runId)
    if (i < 0) return refreshRunsSoon()
    const runs = p.runs.slice()
    const { error: _old, ...rest } = runs[i]
    const { done, total } = counts ?? {}
    runs[i] = {
      ...rest,
      status,
      ...(error ? { error } : {}),
      ...(done !== undefined && total !== undefined ? { done, total } : {}),
    }
    current.value = { ...p, runs }
    refreshRunsSoon()
  }

  return {
    current,
    recent,
    busy,
    runs,
    runById,
    set,
    loadCurrent,
    loadRecent,
    open,
    close,
    refreshRuns,
    refreshRunsSoon,
    patchStatus,
  }
})
