import { readdir } from 'node:fs/promises'
import * as path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Project } from '../../../src/main/archive/project'
import { Service } from '../../../src/main/service'
import { FileSettingsStore } from '../../../src/main/settings'
import { writeTestExternalRun } from '../../helpers/external'
import { tempDir } from '../../helpers/tmp'

const services: Service[] = []
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()))
})

const files = (dir: string) => readdir(dir).catch(() => [] as string[])

describe('precomputing finished runs', () => {
  it('a project opens and its complete runs get their derived metrics and default embeddings in the background', async () => {
    const root = tempDir()
    const dir = path.join(root, 'p.sgdscope')
    await Project.openOrCreate(dir)
    await writeTestExternalRun(dir, { id: 'r', nets: 3, snapshots: 6, probe: 20 })
    const service = new Service({
      host: 'browser',
      settings: new FileSettingsStore(`${root}/config`),
      precompute: true,
      jobThreads: 2,
      watch: false,
    })
    services.push(service)
    await service.request('project.open', { dir })
    const run = path.join(dir, 'runs', 'r')
    // τ and κ: two derived-metric entries and two embeddings (each with its Shepard data and
    // its points' rows beside it, for frozen maps).
    await vi.waitFor(
      async () => {
        expect((await files(path.join(run, 'cache'))).sort()).toEqual([
          'derived-kappa-3x6-6.json',
          'derived-tau-3x6-6.json',
        ])
        const embeddings = (await files(path.join(run, 'embeddings'))).filter((f) => !f.startsWith('.'))
        expect(embeddings.filter((f) => !/-(shepard|rows|stress)$/.test(f))).toHaveLength(2)
      },
      { timeout: 60_000, interval: 50 },
    )
    for (const view of ['tau', 'kappa'] as const) {
      const e = await service.request('paths.embed', { runs: ['r'], view })
      expect(e.cached).toBe(true)
    }
  })

  it('is off unless asked for (tests and the CLI see only their own work)', async () => {
    const root = tempDir()
    const dir = path.join(root, 'p.sgdscope')
    await Project.openOrCreate(dir)
    await writeTestExternalRun(dir, { id: 'r', nets: 2, snapshots: 3, probe: 10 })
    const service = new Service({ host: 'browser', settings: new FileSettingsStore(`${root}/config`), watch: false })
    services.push(service)
    await service.request('project.open', { dir })
    const m = await service.request('runs.metrics', { runId: 'r', derived: false })
    expect(m.data.runs).toHaveLength(1)
    expect(await files(path.join(dir, 'runs', 'r', 'cache'))).toEqual([])
  })
})
