import { describe, expect, it } from 'vitest'
import { Service } from '../../src/main/service'
import { FileSettingsStore } from '../../src/main/settings'
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
