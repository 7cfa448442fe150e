import { describe, expect, it, vi } from 'vitest'
import { Service } from '../../src/main/service'
import { FileSettingsStore } from '../../src/main/settings'
import { writeTestExternalRun } from '../helpers/external'
import { tempDir } from '../helpers/tmp'

describe('service', () => {
  const root = tempDir()
  const service = new Service({ host: 'browser', settings: new FileSettingsStore(`${root}/config`) })

  it('changes only the settings it is given', async () => {
    await service.request('settings.set', { theme: 'dark', defaultProjectDir: '/data' })
    expect(await service.request('settings.set', { workers: 1 })).toEqual({
      workers: 1,
      theme: 'dark',
      defaultProjectDir: '/data',
    })
    await expect(service.request('settings.set', { workers: -3 })).rejects.toMatchObject({
      code: 'bad-input',
      details: {
        issues: [{ path: 'workers', problem: { kind: 'too-small', minimum: 0, inclusive: true, of: 'number' } }],
      },
    })
    expect((await service.request('app.info', {})).settings).toEqual({
      workers: 1,
      theme: 'dark',
      defaultProjectDir: '/data',
    })
  })

  it('cancels a queued run at once, and trains the one ahead of it to the end', async () => {
    await service.request('project.open', { dir: `${root}/s.sgdscope`, create: true })
    const statuses: string[] = []
    service.on((event, payload) => {
      if (event === 'run.status')
        statuses.push(`${(payload as { runId: string }).runId.slice(-4)}:${(payload as { status: string }).status}`)
    })
    const spec = { nets: 2, hidden: 10, epochs: 0.05, probe: 50, trainSubset: 500, snapshots: { firstEpoch: 20 } }
    const [a] = (await service.request('runs.start', { spec })).runIds
    const [b] = (await service.request('runs.start', { spec })).runIds
    await service.request('runs.cancel', { runId: b })
    expect(statuses).toContain(`${b.slice(-4)}:created`)
    await service.shutdown() // waits for a (cancelled by shutdown, or complete)
    const runs = await service.request('runs.list', {})
    expect(runs.find((r) => r.id === b)!.status).toBe('created')
    expect(['complete', 'interrupted']).toContain(runs.find((r) => r.id === a)!.status)
    const m = await service.request('runs.metrics', { runId: a, derived: false })
    expect(m.data.runs[0].series.map((s) => s.name)).toContain('test_error')
    expect(m.derived.meanPairwise).toEqual([])
  })
})

describe('service and the project watcher', () => {
  it('reports a run it trains once: the watcher does not report it again when the run is no longer training', async () => {
    const root = tempDir()
    const service = new Service({
      host: 'browser',
      settings: new FileSettingsStore(`${root}/config`),
      watch: { pollMs: 20, debounceMs: 5 },
    })
    const events: { event: string; payload: { runId?: string; status?: string } }[] = []
    service.on((event, payload) => void events.push({ event, payload: payload as { runId?: string; status?: string } }))
    await service.request('project.open', { dir: `${root}/once.sgdscope`, create: true })
    const { runIds } = await service.request('runs.start', {
      spec: { nets: 2, hidden: 10, epochs: 0.02, probe: 50, trainSubset: 500, snapshots: { firstEpoch: 10 } },
    })
    const statusOf = (id: string) =>
      events.filter((e) => e.event === 'run.status' && e.payload.runId === id).map((e) => e.payload.status)
    await vi.waitFor(() => expect(statusOf(runIds[0]!)).toContain('complete'), { timeout: 120_000, interval: 20 })
    // A run another process writes afterwards: once the watcher reports it, it has looked
    // at the folder since the trained run finished.
    await writeTestExternalRun(`${root}/once.sgdscope`, { id: 'later', nets: 1, snapshots: 1, probe: 5 })
    await vi.waitFor(() => expect(events.some((e) => e.event === 'project.changed')).toBe(true), { timeout: 30_000 })
    expect(statusOf(runIds[0]!)).toEqual(['running', 'complete'])
    const snapshots = events.filter((e) => e.event === 'run.snapshot' && e.payload.runId === runIds[0])
    const run = (await service.request('runs.list', {})).find((r) => r.id === runIds[0])!
    expect(run.done).toBe(run.total)
    expect(snapshots).toHaveLength(run.total)
    await service.shutdown()
  })
})

describe('service: reading a run while it trains', () => {
  it('sees every snapshot it has already reported (the archive writes its flags in batches)', async () => {
    const root = tempDir()
    const service = new Service({ host: 'browser', settings: new FileSettingsStore(`${root}/config`), watch: false })
    await service.request('project.open', { dir: `${root}/p.sgdscope`, create: true })
    const reported: number[] = []
    const reads: Promise<void>[] = []
    let finished = () => {}
    const complete = new Promise<void>((r) => (finished = r))
    service.on((event, payload) => {
      if (event === 'run.status' && (payload as { status: string }).status === 'complete') finished()
      if (event !== 'run.snapshot') return
      reported.push(1)
      // A reader arriving now (a reloaded page) must find at least what was reported.
      const seen = reported.length
      if (seen === 1 || seen === 40)
        reads.push(
          service.request('runs.get', { runId }).then((d) => {
            expect(d.done).toBeGreaterThanOrEqual(seen)
          }),
        )
    })
    const spec = { kind: 'stochastic', nets: 4, dim: 10, steps: 2000, recordEvery: 20 }
    const [runId] = (await service.request('runs.start', { spec })).runIds
    await complete
    await Promise.all(reads)
    await service.close()
    expect(reads).toHaveLength(2)
  })
})
