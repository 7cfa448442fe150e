import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { useProjectStore } from '../../../src/renderer/src/stores/project'
import { curveMetric, useRunsStore } from '../../../src/renderer/src/stores/runs'
import { useUiStore } from '../../../src/renderer/src/stores/ui'
import { hostError, installFakeHost, until } from '../helpers/fake-host'
import { project, runDetails, runSummary } from '../helpers/fixtures'

const host = installFakeHost()

beforeEach(() => {
  setActivePinia(createPinia())
  host.reset()
  useProjectStore().set(project({ runs: [runSummary({ id: 'r1', nets: 2, snapshots: 3, status: 'running' })] }))
})

describe('runs store', () => {
  it('chooses test error for networks and the first metric otherwise', () => {
    expect(curveMetric(['train_error', 'test_error'])).toBe('test_error')
    expect(curveMetric(['norm'])).toBe('norm')
    expect(curveMetric([])).toBe('test_error')
  })

  it('builds the live curve from snapshot events, redrawing at most every 200 ms', async () => {
    vi.useFakeTimers()
    try {
      const runs = useRunsStore()
      runs.onSnapshot({
        runId: 'r1',
        net: 1,
        snapshot: 2,
        epoch: 1,
        metrics: { test_error: 0.25, train_error: 0.2 },
      } as never)
      runs.onSnapshot({ runId: 'r1', net: 0, snapshot: 0, epoch: 0, metrics: { test_error: Number.NaN } } as never)
      const c = runs.curves.r1!
      expect(c.metric).toBe('test_error')
      expect(c.values).toEqual([
        [null, null, null],
        [null, null, 0.25],
      ])
      expect(c.epochs).toEqual([0, null, 1])
      expect(c.version).toBe(0)
      await vi.advanceTimersByTimeAsync(250)
      expect(runs.curves.r1!.version).toBe(1)
    } finally {
      vi.useRealTimers()
    }
  })

  it('loads a curve from the archive and keeps values that events brought meanwhile', async () => {
    host.handle('runs.get', () => runDetails({ id: 'r1', nets: 2, done: 4 }))
    host.handle('runs.metrics', () => ({
      data: {
        runs: [
          {
            label: 'r1',
            epochs: [0, 0.5, 1],
            series: [
              {
                name: 'test_error',
                perNet: [
                  [0.9, 0.5, null],
                  [0.8, 0.4, 0.3],
                ],
              },
            ],
          },
        ],
      },
      derived: {},
    }))
    const runs = useRunsStore()
    runs.onSnapshot({ runId: 'r1', net: 0, snapshot: 2, epoch: 1, metrics: { test_error: 0.2 } } as never)
    await runs.loadCurve('r1')
    expect(host.callsOf('runs.get')).toEqual([{ runId: 'r1' }])
    expect(host.callsOf('runs.metrics')).toEqual([{ runId: 'r1', derived: false }])
    expect(runs.curves.r1!.values).toEqual([
      [0.9, 0.5, 0.2],
      [0.8, 0.4, 0.3],
    ])
    expect(runs.curves.r1!.epochs).toEqual([0, 0.5, 1])
  })

  it('a run shown after its first live events still gets what the archive recorded before them, once', async () => {
    host.handle('runs.get', () => runDetails({ id: 'r1', nets: 2, done: 4 }))
    host.handle('runs.metrics', () => ({
      data: {
        runs: [
          {
            label: 'r1',
            epochs: [0, 0.5, 1],
            series: [
              {
                name: 'test_error',
                perNet: [
                  [0.9, 0.5, null],
                  [0.8, null, null],
                ],
              },
            ],
          },
        ],
      },
      derived: {},
    }))
    const runs = useRunsStore()
    // A reload: events arrive while the page is still booting, before the run's screen shows.
    runs.onSnapshot({ runId: 'r1', net: 1, snapshot: 1, epoch: 0.5, metrics: { test_error: 0.4 } } as never)
    await runs.showRun('r1')
    expect(runs.curves.r1!.values).toEqual([
      [0.9, 0.5, null],
      [0.8, 0.4, null],
    ])
    // Shown again: only the details are re-read.
    await runs.showRun('r1')
    expect(host.callsOf('runs.metrics')).toHaveLength(1)
    expect(host.callsOf('runs.get')).toHaveLength(2)
  })

  it('starts runs with the request it is given and re-reads the run list', async () => {
    host.handle('runs.start', () => ({ runIds: ['r2'] }))
    host.handle('project.current', () => project({ runs: [runSummary({ id: 'r1' }), runSummary({ id: 'r2' })] }))
    const runs = useRunsStore()
    const args = { spec: { kind: 'mlp', nets: 2 } } as never
    expect(await runs.start(args)).toEqual(['r2'])
    expect(host.callsOf('runs.start')).toEqual([args])
    expect(useProjectStore().runById.has('r2')).toBe(true)
    expect(runs.starting).toBe(false)
  })

  it('marks a cancel in flight (to disable its button) and reports a failure with its code', async () => {
    let answer!: (v: unknown) => void
    host.handle('runs.cancel', () => new Promise((r) => (answer = r)))
    const runs = useRunsStore()
    const done = runs.cancel('r1')
    await until(() => host.callsOf('runs.cancel').length === 1, 'the cancel request')
    expect(host.callsOf('runs.cancel')).toEqual([{ runId: 'r1' }])
    expect(runs.pending.r1).toBe('cancel')
    answer({})
    await done
    expect(runs.pending.r1).toBeUndefined()

    host.handle('runs.resume', () =>
      Promise.reject(hostError('busy', 'the run is already running', { what: 'run', which: 'r1' })),
    )
    await runs.resume('r1')
    expect(useUiStore().toasts.at(-1)).toMatchObject({ title: 'Cannot resume the run', code: 'busy' })
    expect(runs.pending.r1).toBeUndefined()
  })

  it('a status event patches the project at once; a failure is announced with its error', () => {
    const runs = useRunsStore()
    runs.onProgress({
      runId: 'r1',
      samplesDone: 5,
      samplesTotal: 10,
      snapshotsDone: 1,
      snapshotsTotal: 3,
      samplesPerSec: 100,
      etaSeconds: 1,
      elapsedSeconds: 1,
    })
    runs.onStatus({ runId: 'r1', status: 'failed', error: 'NaN loss' })
    expect(useProjectStore().runById.get('r1')).toMatchObject({ status: 'failed', error: 'NaN loss' })
    // A finished run's speed and ETA are no longer meaningful.
    expect(runs.progress.r1).toMatchObject({ samplesPerSec: 0, etaSeconds: null })
    expect(useUiStore().toasts.at(-1)).toMatchObject({
      kind: 'error',
      title: 'Run batch 1 failed',
      message: 'NaN loss',
    })
  })

  it('subscribes to the host’s events and forgets live state when another project opens', async () => {
    const runs = useRunsStore()
    const off = runs.subscribe()
    host.emit('run.progress', {
      runId: 'r1',
      samplesDone: 1,
      samplesTotal: 2,
      snapshotsDone: 0,
      snapshotsTotal: 3,
      samplesPerSec: 1,
      etaSeconds: 1,
      elapsedSeconds: 1,
    })
    expect(runs.progress.r1?.samplesDone).toBe(1)
    host.emit('project.changed', project({ dir: '/other', runs: [] }))
    await until(() => !runs.progress.r1, 'the live state to be forgotten')
    off()
    host.emit('run.progress', {
      runId: 'r9',
      samplesDone: 1,
      samplesTotal: 2,
      snapshotsDone: 0,
      snapshotsTotal: 3,
      samplesPerSec: 1,
      etaSeconds: 1,
      elapsedSeconds: 1,
    })
    expect(runs.progress.r9).toBeUndefined()
  })
})
