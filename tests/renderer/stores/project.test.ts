import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { useProjectStore } from '../../../src/renderer/src/stores/project'
import { useUiStore } from '../../../src/renderer/src/stores/ui'
import { hostError, installFakeHost, until } from '../helpers/fake-host'
import { project, runSummary } from '../helpers/fixtures'

const host = installFakeHost()

beforeEach(() => {
  setActivePinia(createPinia())
  host.reset()
  history.replaceState(null, '', '/')
})

describe('project store', () => {
  it('opens a project by folder: asks the host, shows the project and re-reads the recent list', async () => {
    const p = project({
      runs: [
        runSummary({ id: 'old', created: '2026-01-01T00:00:00Z' }),
        runSummary({ id: 'new', created: '2026-02-01T00:00:00Z' }),
      ],
    })
    host.handle('project.open', () => p)
    host.handle('project.recent', () => ['/p/study.sgdscope'])
    const store = useProjectStore()
    const ui = useUiStore()
    expect(await store.open('/p/study.sgdscope', true)).toBe(true)
    expect(host.callsOf('project.open')).toEqual([{ dir: '/p/study.sgdscope', create: true }])
    expect(store.current?.name).toBe('study')
    expect(store.runs.map((r) => r.id)).toEqual(['new', 'old'])
    expect(store.runById.get('old')?.id).toBe('old')
    expect(ui.route).toEqual({ name: 'project' })
    await until(() => store.recent.length === 1, 'the recent list')
    expect(store.busy).toBe(false)
  })

  it('a project that cannot be opened stays closed and the failure is shown with its code', async () => {
    host.handle('project.open', () =>
      Promise.reject(hostError('not-found', 'no project at /nope', { what: 'project', which: '/nope' })),
    )
    const store = useProjectStore()
    const ui = useUiStore()
    expect(await store.open('/nope')).toBe(false)
    expect(store.current).toBeNull()
    expect(ui.toasts.at(-1)).toMatchObject({
      title: 'Cannot open the project',
      message: 'no project at /nope',
      code: 'not-found',
    })
  })

  it('closing goes back to the start page', async () => {
    host.handle('project.current', () => project())
    host.handle('project.close', () => ({}))
    host.handle('project.recent', () => [])
    const store = useProjectStore()
    const ui = useUiStore()
    await store.loadCurrent()
    expect(ui.route).toEqual({ name: 'project' })
    await store.close()
    expect(host.callsOf('project.close')).toHaveLength(1)
    expect(store.current).toBeNull()
    expect(ui.route).toEqual({ name: 'start' })
  })

  it('a status from an event wins over an older run list until a list agrees with it', async () => {
    host.handle('project.current', () => project({ runs: [runSummary({ id: 'r1', status: 'created' })] }))
    const store = useProjectStore()
    await store.loadCurrent()
    store.patchStatus('r1', 'running')
    expect(store.runById.get('r1')?.status).toBe('running')
    // The archive does not show `running` yet: the list read meanwhile keeps the event's status.
    host.handle('project.current', () => project({ runs: [runSummary({ id: 'r1', status: 'created' })] }))
    await store.refreshRuns()
    expect(store.runById.get('r1')?.status).toBe('running')
    // Once a list agrees, later lists are taken as they are.
    host.handle('project.current', () => project({ runs: [runSummary({ id: 'r1', status: 'running' })] }))
    await store.refreshRuns()
    host.handle('project.current', () => project({ runs: [runSummary({ id: 'r1', status: 'complete' })] }))
    await store.refreshRuns()
    expect(store.runById.get('r1')?.status).toBe('complete')
  })

  it('re-reads the run list until it catches up with a status event, so counts are not left stale', async () => {
    vi.useFakeTimers()
    try {
      // The page is still loading the project when the run's last event arrives.
      let answer!: (p: unknown) => void
      host.handle('project.current', () => new Promise((r) => (answer = r)))
      const store = useProjectStore()
      const loading = store.loadCurrent()
      store.patchStatus('r1', 'complete')
      answer(project({ runs: [runSummary({ id: 'r1', status: 'running', done: 2, total: 6 })] }))
      await loading
      expect(store.runById.get('r1')).toMatchObject({ status: 'complete', done: 2 })
      // The archive is still behind for one more read, then has the whole run.
      const lists = [
        [runSummary({ id: 'r1', status: 'running', done: 5, total: 6 })],
        [runSummary({ id: 'r1', status: 'complete', done: 6, total: 6 })],
      ]
      host.handle('project.current', () =>
        project({ runs: lists.shift() ?? [runSummary({ id: 'r1', status: 'complete', done: 6, total: 6 })] }),
      )
      await vi.advanceTimersByTimeAsync(300)
      expect(store.runById.get('r1')).toMatchObject({ status: 'complete', done: 5 })
      await vi.advanceTimersByTimeAsync(300)
      expect(store.runById.get('r1')).toMatchObject({ status: 'complete', done: 6 })
      // Agreed: no more re-reads.
      await vi.advanceTimersByTimeAsync(2000)
      expect(host.callsOf('project.current')).toHaveLength(3)
    } finally {
      vi.useRealTimers()
    }
  })

  it('keeps the newest summary when an older one arrives later (events and responses race)', async () => {
    const older = project({ runs: [runSummary({ id: 'r1', status: 'created', done: 0 })] })
    const newer = project({ runs: [runSummary({ id: 'r1', status: 'failed', done: 0, error: 'out of memory' })] })
    host.handle('project.current', () => newer)
    const store = useProjectStore()
    await store.loadCurrent()
    // A 'project.changed' read before the run failed, delivered after the page loaded.
    store.set(older)
    expect(store.runById.get('r1')).toMatchObject({ status: 'failed', error: 'out of memory' })
    // A re-read whose answer is older than what is shown changes nothing either.
    host.handle('project.current', () => older)
    await store.refreshRuns()
    expect(store.runById.get('r1')?.status).toBe('failed')
    // A newer one is taken.
    host.handle('project.current', () => project({ runs: [runSummary({ id: 'r1', status: 'complete' })] }))
    await store.refreshRuns()
    expect(store.runById.get('r1')?.status).toBe('complete')
  })

  it('a finished status shows with the counts its event carries, before any re-read', async () => {
    host.handle('project.current', () =>
      project({ runs: [runSummary({ id: 'r1', status: 'running', done: 4, total: 6 })] }),
    )
    const store = useProjectStore()
    await store.loadCurrent()
    store.patchStatus('r1', 'complete', undefined, { done: 6, total: 6 })
    expect(store.runById.get('r1')).toMatchObject({ status: 'complete', done: 6, total: 6 })
  })

  it('a failed run keeps the error the event carried', async () => {
    host.handle('project.current', () => project({ runs: [runSummary({ id: 'r1', status: 'running' })] }))
    host.handle('project.current', () => project({ runs: [runSummary({ id: 'r1', status: 'running' })] }))
    const store = useProjectStore()
    await store.loadCurrent()
    vi.useFakeTimers()
    try {
      store.patchStatus('r1', 'failed', 'out of memory')
      store.patchStatus('r1', 'failed', 'out of memory')
      expect(store.runById.get('r1')).toMatchObject({ status: 'failed', error: 'out of memory' })
      // The run list is re-read soon after events, once for a burst of them.
      expect(host.callsOf('project.current')).toHaveLength(1)
      await vi.advanceTimersByTimeAsync(300)
      expect(host.callsOf('project.current')).toHaveLength(2)
      expect(store.runById.get('r1')).toMatchObject({ status: 'failed', error: 'out of memory' })
    } finally {
      vi.useRealTimers()
    }
  })

  it('a project closed elsewhere (event with null) goes back to the start page, but not from the settings', () => {
    const store = useProjectStore()
    const ui = useUiStore()
    store.set(project())
    ui.go({ name: 'settings' })
    store.set(null)
    expect(ui.route).toEqual({ name: 'settings' })
    store.set(project())
    ui.go({ name: 'run', runId: 'r1', tab: 'paths' })
    store.set(null)
    expect(ui.route).toEqual({ name: 'start' })
  })
})
