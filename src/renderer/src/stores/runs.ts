/**
 * Runs: starting, cancelling and resuming them, their details, and the live state of
 * training (progress and the per-network learning curve), fed by the host's
 * 'run.progress', 'run.snapshot' and 'run.status' events. A curve is loaded from the
 * archive first and completed by events, so a finished, a running and a reloaded run
 * look the same.
 */
import { defineStore } from 'pinia'
import { reactive, ref, shallowReactive, watch } from 'vue'
import type {
  ArgsOf,
  ResultOf,
  RunDetails,
  RunProgressEvent,
  RunSnapshotEvent,
  RunStatus,
  RunStatusEvent,
} from '../../../shared/api/contract'
import type { Preset } from '../../../shared/presets'
import { currentProgress, type SnapshotProgress } from '../../../shared/progress'
import type { ExperimentSpec } from '../../../shared/spec'
import { api, isConnectionError } from '../lib/api'
import { useProjectStore } from './project'
import { useUiStore } from './ui'

/** One metric per network and snapshot; null = not recorded yet. */
export interface Curve {
  metric: string
  epochs: (number | null)[]
  /** [net][snapshot] */
  values: (number | null)[][]
  /** Bumped on every change, so views redraw without deep reactivity. */
  version: number
}

/** The metric a run's live curve shows: test error for networks, the norm for the stochastic model. */
export function curveMetric(names: string[]): string {
  return names.includes('test_error') ? 'test_error' : (names[0] ?? 'test_error')
}

const finished = (s: RunStatus) => s === 'complete' || s === 'interrupted' || s === 'failed'

export const useRunsStore = defineStore('runs', () => {
  const ui = useUiStore()
  const project = useProjectStore()
  const progress = reactive<Record<string, RunProgressEvent>>({})
  const details = reactive<Record<string, RunDetails>>({})
  const curves = shallowReactive<Record<string, Curve>>({})
  /** Runs whose recorded curve is being read (a loading curve is not an empty one). */
  const curveLoading = shallowReactive<Record<string, boolean>>({})
  /** Why a run's details could not be read (shown where they would be, with a retry). */
  const detailsError = shallowReactive<Record<string, unknown>>({})
  /** Requests in flight per run (cancel, resume), to disable their buttons. */
  const pending = reactive<Record<string, 'cancel' | 'resume' | undefined>>({})
  const starting = ref(false)
  watch(
    () => project.current?.dir,
    () => reset(),
  )

  function emptyCurve(runId: string, metric: string): Curve {
    const s = project.runById.get(runId)
    const nets = s?.nets ?? 0
    const S = s?.snapshots ?? 0
    return {
      metric,
      epochs: Array(S).fill(null),
      values: Array.from({ length: nets }, () => Array(S).fill(null)),
      version: 0,
    }
  }

  const dirty = new Set<string>()
  let flushTimer: ReturnType<typeof setTimeout> | null = null
  /** Redraws at most five times a second, however fast snapshots arrive. */
  function touch(runId: string): void {
    dirty.add(runId)
    if (flushTimer) return
    flushTimer = setTimeout(() => {
      flushTimer = null
      const now = Date.now()
      for (const id of dirty) {
        const c = curves[id]
        if (c) curves[id] = { ...c, version: c.version + 1 }
        // The details (metrics table, counts) follow a training run every few seconds.
        if (details[id] && now - (detailsAt.get(id) ?? 0) > 2000) void loadDetails(id)
      }
      dirty.clear()
    }, 200)
  }

  function onSnapshot(e: RunSnapshotEvent): void {
    const names = Object.keys(e.metrics)
    let c = curves[e.runId]
    if (!c) curves[e.runId] = c = emptyCurve(e.runId, curveMetric(names))
    while (c.values.length <= e.net) c.values.push(Array(c.epochs.length).fill(null))
    const row = c.values[e.net]
    while (row.length <= e.snapshot) row.push(null)
    while (c.epochs.length <= e.snapshot) c.epochs.push(null)
    const v = e.metrics[c.metric]
    row[e.snapshot] = typeof v === 'number' && Number.isFinite(v) ? v : null
    c.epochs[e.snapshot] = e.epoch
    touch(e.runId)
  }

  /** How far a run has come: its summary's counts, or the live ones when ahead (shared/progress.ts). */
  function progressOf(r: {
    id: string
    done: number
    total: number
    netsDone?: number
    nets?: number
  }): SnapshotProgress {
    return currentProgress(r, progress[r.id])
  }

  function onProgress(e: RunProgressEvent): void {
    progress[e.runId] = e
  }

  function onStatus(e: RunStatusEvent): void {
    project.patchStatus(e.runId, e.status, e.error, e)
    if (e.status === 'running') {
      // A resumed run's rate and ETA come from its new session.
      delete progress[e.runId]
      if (!fromArchive.has(e.runId)) void loadCurve(e.runId)
    }
    if (finished(e.status)) {
      const p = progress[e.runId]
      if (p) progress[e.runId] = { ...p, samplesPerSec: 0, etaSeconds: null }
      if (details[e.runId]) void loadDetails(e.runId)
      if (e.status === 'failed')
        ui.notify('error', `Run ${project.runById.get(e.runId)?.name ?? e.runId} failed`, e.error)
    }
  }

  function subscribe(): () => void {
    const offs = [
      api().on('run.progress', onProgress),
      api().on('run.snapshot', onSnapshot),
      api().on('run.status', onStatus),
      api().on('project.changed', (p) => project.set(p)),
    ]
    return () => offs.forEach((off) => off())
  }

  const detailsAt = new Map<string, number>()
  async function loadDetails(runId: string): Promise<RunDetails | undefined> {
    detailsAt.set(runId, Date.now())
    try {
      const d = await api().call('runs.get', { runId })
      details[runId] = d
      delete detailsError[runId]
      return d
    } catch (e) {
      // A lost host goes to the connection banner; anything else is shown in the Details tab.
      if (isConnectionError(e)) ui.reportError('Cannot read the run', e)
      else detailsError[runId] = e
      return undefined
    }
  }

  /** Runs whose curve was read from the archive: events alone miss what was recorded before they began. */
  const fromArchive = new Set<string>()

  /** The per-network curve from the archive, merged with whatever events brought meanwhile. */
  async function loadCurve(runId: string): Promise<void> {
    const d = details[runId] ?? (await loadDetails(runId))
    if (!d) return
    fromArchive.add(runId)
    const metric = curveMetric(d.metricNames)
    const base = curves[runId] ?? emptyCurve(runId, metric)
    const c: Curve = {
      metric,
      epochs: d.epochs.map((e, j) => base.epochs[j] ?? e),
      values: Array.from({ length: d.nets }, (_, k) =>
        Array.from({ length: d.epochs.length }, (_, j) => base.values[k]?.[j] ?? null),
      ),
      version: base.version + 1,
    }
    curves[runId] = c
    if (d.done === 0) return
    // The raw metrics only: the derived ones (distances between networks) take seconds more.
    // Loading until the values are in the curve: an empty curve in between would read "nothing recorded".
    curveLoading[runId] = true
    try {
      const m = await ui.guard('Cannot read the run’s metrics', () =>
        api().call('runs.metrics', { runId, derived: false }),
      )
      if (!m) fromArchive.delete(runId)
      const series = m?.data.runs[0]?.series.find((s) => s.name === metric)
      if (!series) return
      const now = curves[runId] ?? c
      const values = now.values.map((row, k) =>
        row.map((v, j) => {
          if (v !== null) return v
          const x = series.perNet[k]?.[j]
          return typeof x === 'number' && Number.isFinite(x) ? x : null
        }),
      )
      curves[runId] = { ...now, values, version: now.version + 1 }
    } finally {
      delete curveLoading[runId]
    }
  }

  /** A run is shown: its curve from the archive once (events keep it current), its details afresh. */
  async function showRun(runId: string): Promise<void> {
    if (fromArchive.has(runId)) await loadDetails(runId)
    else await loadCurve(runId)
  }

  const presets = ref<Preset[]>([])
  /** Every field's default, per kind of experiment (as the host fills them). */
  const specDefaults = ref<Partial<Record<ExperimentSpec['kind'], ExperimentSpec>>>({})

  /** Presets and defaults for the New Run dialog (once). */
  async function loadPresets(): Promise<void> {
    if (presets.value.length && specDefaults.value.mlp) return
    const [list, mlp, stochastic] = await Promise.all([
      api().call('presets.list', {}),
      api().call('spec.check', { spec: { kind: 'mlp' } }),
      api().call('spec.check', { spec: { kind: 'stochastic' } }),
    ])
    presets.value = list
    specDefaults.value = {
      ...(mlp.ok ? { mlp: mlp.spec } : {}),
      ...(stochastic.ok ? { stochastic: stochastic.spec } : {}),
    }
  }

  /** Validates a spec with the host, filling defaults. */
  function checkSpec(spec: unknown): Promise<ResultOf<'spec.check'>> {
    return api().call('spec.check', { spec })
  }

  async function start(args: ArgsOf<'runs.start'>): Promise<string[] | undefined> {
    starting.value = true
    try {
      const r = await ui.guard('Cannot start the run', () => api().call('runs.start', args))
      if (!r) return undefined
      await project.refreshRuns()
      return r.runIds
    } finally {
      starting.value = false
    }
  }

  /** Like start, but a refusal is the caller's to show (the new-run form shows it by its field). */
  async function startOrThrow(args: ArgsOf<'runs.start'>): Promise<string[]> {
    starting.value = true
    try {
      const r = await api().call('runs.start', args)
      await project.refreshRuns()
      return r.runIds
    } finally {
      starting.value = false
    }
  }

  async function cancel(runId: string): Promise<void> {
    pending[runId] = 'cancel'
    try {
      await ui.guard('Cannot cancel the run', () => api().call('runs.cancel', { runId }))
    } finally {
      pending[runId] = undefined
    }
  }

  async function resume(runId: string): Promise<void> {
    pending[runId] = 'resume'
    try {
      await ui.guard('Cannot resume the run', () => api().call('runs.resume', { runId }))
    } finally {
      pending[runId] = undefined
    }
  }

  /** Forgets live state (another project was opened). */
  function reset(): void {
    for (const k of Object.keys(progress)) delete progress[k]
    for (const k of Object.keys(details)) delete details[k]
    for (const k of Object.keys(curves)) delete curves[k]
    for (const k of Object.keys(detailsError)) delete detailsError[k]
    fromArchive.clear()
  }

  return {
    progress,
    progressOf,
    details,
    curves,
    curveLoading,
    detailsError,
    pending,
    starting,
    presets,
    specDefaults,
    loadPresets,
    checkSpec,
    subscribe,
    loadDetails,
    loadCurve,
    showRun,
    start,
    startOrThrow,
    cancel,
    resume,
    reset,
    onSnapshot,
    onProgress,
    onStatus,
  }
})
