import { createPinia, setActivePinia } from 'pinia'
import { isReactive, nextTick, reactive } from 'vue'
import { beforeEach, describe, expect, it } from 'vitest'
import type { PathQuery, SavedView } from '../../../src/shared/api/contract'
import { defaultPathsState, embedQuery, toSavedView } from '../../../src/renderer/src/lib/view-state'
import { useProjectStore } from '../../../src/renderer/src/stores/project'
import { useUiStore } from '../../../src/renderer/src/stores/ui'
import { progressLine, useViewStore } from '../../../src/renderer/src/stores/view'
import { useTimeStore } from '../../../src/renderer/src/stores/time'
import { hostError, installFakeHost, until } from '../helpers/fake-host'
import { project, runSummary } from '../helpers/fixtures'

const host = installFakeHost()

beforeEach(() => {
  setActivePinia(createPinia())
  host.reset()
  useProjectStore().set(project({ runs: [runSummary({ id: 'a' }), runSummary({ id: 'b' })] }))
})

const embedding = (runs: string[]) => ({
  runs: runs.map((r) => ({ label: r, epochs: [0], nets: 1, points: [] })),
  stress: 0.1,
  cached: false,
  seconds: 1,
  points: 0,
})

describe('view store: data from the host', () => {
  it('embeds a query once and answers the same query from the cache, as raw (non-reactive) data', async () => {
    host.handle('paths.embed', (q: PathQuery) => embedding(q.runs))
    const store = useViewStore()
    const q = embedQuery(defaultPathsState(['a']))
    const first = await store.embed(q)
    const again = await store.embed({ ...q })
    expect(again).toBe(first)
    expect(host.callsOf('paths.embed')).toEqual([q])
    // Large and never changed: kept out of Vue's reactivity even inside reactive state.
    expect(isReactive(reactive({ e: first }).e)).toBe(false)
    // Asked afresh: a new request.
    await store.embed(q, true)
    expect(host.callsOf('paths.embed')).toHaveLength(2)
  })

  it('forgets a failed query (the next try asks again) and forgets a run’s data when told', async () => {
    let fail = true
    host.handle('paths.embed', (q: PathQuery) =>
      fail ? Promise.reject(hostError('internal', 'out of memory', {})) : embedding(q.runs),
    )
    host.handle('runs.metrics', () => ({ data: { runs: [] }, derived: {} }))
    const store = useViewStore()
    const q = embedQuery(defaultPathsState(['a']))
    await expect(store.embed(q)).rejects.toMatchObject({ code: 'internal', message: 'out of memory' })
    fail = false
    await store.embed(q)
    expect(host.callsOf('paths.embed')).toHaveLength(2)
    await store.metrics('a', 'kappa')
    await store.metrics('a', 'kappa')
    expect(host.callsOf('runs.metrics')).toEqual([{ runId: 'a', view: 'kappa' }])
    store.invalidate('a')
    await store.metrics('a', 'kappa')
    await store.embed(q)
    expect(host.callsOf('runs.metrics')).toHaveLength(2)
    expect(host.callsOf('paths.embed')).toHaveLength(3)
  })

  it('shows the host’s progress for its own request while it is in flight', async () => {
    let answer!: (v: unknown) => void
    host.handle('paths.embed', () => new Promise((r) => (answer = r)))
    const store = useViewStore()
    const p = store.embed(embedQuery(defaultPathsState(['a'])))
    await until(() => store.inFlight === 1, 'the request to start')
    const key = host.calls.at(-1)!.key!
    expect(key).toBeTruthy()
    host.emit('job.progress', { key: 'another page', request: 'paths.embed', stage: 'distances', done: 9, total: 10 })
    expect(store.progress).toBeNull()
    host.emit('job.progress', { key, request: 'paths.embed', stage: 'distances', done: 3, total: 10 })
    expect(store.progress).toBe('Computing distances 3 / 10')
    answer(embedding(['a']))
    await p
    expect(store.inFlight).toBe(0)
    expect(store.progress).toBeNull()
  })

  it('cancels a request in the host only when every view waiting for it has given up', async () => {
    host.handle('paths.embed', () => new Promise(() => {}))
    const store = useViewStore()
    const q = embedQuery(defaultPathsState(['a']))
    const [one, two] = [new AbortController(), new AbortController()]
    const first = store.embed(q, false, one.signal).catch((e: unknown) => e)
    const second = store.embed(q, false, two.signal).catch((e: unknown) => e)
    expect(host.callsOf('paths.embed')).toHaveLength(1) // one request for both
    one.abort()
    expect(await first).toMatchObject({ code: 'cancelled' })
    expect(host.cancelled).toEqual([])
    two.abort()
    expect(await second).toMatchObject({ code: 'cancelled' })
    expect(host.cancelled).toEqual([host.calls.at(-1)!.key])
    // Given up, so not cached: the next view asks again.
    void store.embed(q).catch(() => {})
    expect(host.callsOf('paths.embed')).toHaveLength(2)
  })

  it('reads progress of the host', () => {
    expect(progressLine({ stage: 'reading', done: 2, total: 9 })).toBe('Reading snapshots 2 / 9')
    expect(progressLine({ stage: 'embedding', done: 0, total: 300 })).toBe('Embedding…')
    expect(progressLine({ stage: 'embedding', done: 40, total: 300 })).toBe('Embedding: pass 40 of at most 300')
  })
})

describe('view store: saved views', () => {
  it('saves a view’s state under a name and shows the project’s new list', async () => {
    const state = defaultPathsState(['a'])
    state.view = 'kappa'
    const saved: SavedView = { name: 'late', ...toSavedView(state) }
    host.handle('views.save', () => [saved])
    const store = useViewStore()
    expect(await store.save('late', state)).toBe(true)
    expect(host.callsOf('views.save')).toEqual([{ name: 'late', ...toSavedView(state) }])
    expect(store.views).toEqual([saved])
    expect(useUiStore().toasts.at(-1)).toMatchObject({ kind: 'success', title: 'Saved view “late”' })
    expect(store.saving).toBe(false)
  })

  it('saves the time slider’s epoch as look.time, and a restored view sets the slider (off without one)', async () => {
    const state = defaultPathsState(['a'])
    host.handle('views.save', () => [])
    const store = useViewStore()
    const time = useTimeStore()
    time.set(0.5)
    expect(await store.save('at 0.5', state)).toBe(true)
    const sent = host.callsOf('views.save')[0] as SavedView
    expect(sent.look.time).toBe(0.5)
    time.set(null)
    store.restore(sent)
    expect(time.epoch).toBe(0.5)
    expect('time' in store.pathsState('a').look).toBe(false)
    store.restore({ name: 'whole', ...toSavedView(state) })
    expect(time.epoch).toBeNull()
  })

  it('opens a saved view where it belongs, restores it there once, and deletes views', async () => {
    const store = useViewStore()
    const ui = useUiStore()
    const metrics: SavedView = {
      name: 'm',
      kind: 'metrics',
      query: { runs: ['b'], view: 'tau', method: 'smacof' },
      look: {} as never,
    }
    store.open(metrics)
    expect(ui.route).toEqual({ name: 'run', runId: 'b', tab: 'metrics' })
    expect(store.takeRestore('paths', 'b')).toBeNull()
    expect(store.takeRestore('metrics', 'a')).toBeNull()
    expect(store.takeRestore('metrics', 'b')).toBe(metrics)
    expect(store.takeRestore('metrics', 'b')).toBeNull()

    const cmp: SavedView = {
      name: 'c',
      kind: 'compare',
      query: { runs: ['a', 'b'], view: 'kappa', method: 'pca', align: 'procrustes' },
      look: {} as never,
    }
    store.open(cmp)
    expect(ui.route).toEqual({ name: 'page', pageId: 'compare' })
    const s = store.restore(store.takeRestore('compare')!)
    expect(s).toMatchObject({ kind: 'compare', runs: ['a', 'b'], view: 'kappa', method: 'pca', align: 'procrustes' })
    expect(store.compare()).toEqual(s)

    host.handle('views.delete', () => [])
    expect(await store.remove('c')).toBe(true)
    expect(host.callsOf('views.delete')).toEqual([{ name: 'c' }])
    expect(store.views).toEqual([])
  })

  it('keeps each view’s state while the user is elsewhere, and forgets it for another project', async () => {
    const store = useViewStore()
    store.pathsState('a').view = 'kappa'
    expect(store.pathsState('a').view).toBe('kappa')
    expect(store.pathsState('b').view).toBe('tau')
    useProjectStore().set(project({ dir: '/other', runs: [runSummary({ id: 'a' })] }))
    await nextTick()
    expect(store.pathsState('a').view).toBe('tau')
  })
})
