import { promises as fs } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { RunArchive } from '../../../src/main/archive/run'
import { Service } from '../../../src/main/service'
import { FileSettingsStore } from '../../../src/main/settings'
import { defaultRunColor } from '../../../src/shared/run-display'
import { runCli } from '../../helpers/cli-in-process'
import { writeTestExternalRun } from '../../helpers/external'
import { tempDir } from '../../helpers/tmp'

describe('renaming runs', () => {
  const root = tempDir()

  it('keeps a run without a display as it was, and renames it through the service', async () => {
    const dir = `${root}/r.sgdscope`
    const service = new Service({ host: 'browser', settings: new FileSettingsStore(`${root}/config`) })
    await service.request('project.open', { dir, create: true })
    const { run } = await writeTestExternalRun(dir, {
      id: 'seeds-a',
      nets: 2,
      snapshots: 3,
      probe: 6,
      classes: 3,
      labels: [0, 1, 2, 0, 1, 2],
    })
    await writeTestExternalRun(dir, {
      id: 'seeds-b',
      nets: 2,
      snapshots: 3,
      probe: 6,
      classes: 3,
      labels: [0, 1, 2, 0, 1, 2],
      seed: 2,
    })
    const before = (await service.request('runs.list', {})).find((r) => r.id === 'seeds-a')!
    expect(before).toMatchObject({ name: 'seeds-a', label: 'seeds-a', color: defaultRunColor('seeds-a') })

    const s = await service.request('runs.rename', { runId: 'seeds-a', name: 'large batch', label: 'B=100' })
    expect(s).toMatchObject({ name: 'large batch', label: 'B=100' })
    // On disk, beside everything the run had (the other attributes are unchanged).
    const attrs = JSON.parse(await fs.readFile(`${run.dir}/zarr.json`, 'utf8')).attributes
    expect(attrs.display).toEqual({ name: 'large batch', label: 'B=100' })
    expect(attrs.spec).toEqual(run.attrs.spec)
    expect((await RunArchive.open(run.dir)).attrs.snapshots).toBe(3)

    // Legends of views and metrics use the label, and each run carries its colour.
    await service.request('runs.rename', { runId: 'seeds-b', color: '#CC79A7' })
    const p = await service.request('paths.embed', { runs: ['seeds-a', 'seeds-b'], view: 'tau', method: 'classical' })
    expect(p.runs.map((r) => [r.label, r.color])).toEqual([
      ['B=100', defaultRunColor('seeds-a')],
      ['seeds-b', '#CC79A7'],
    ])
    const m = await service.request('runs.metrics', { runId: 'seeds-a', derived: false })
    expect(m.data.runs[0]!.label).toBe('B=100')

    // A bad colour is refused by its field, and nothing is written.
    await expect(service.request('runs.rename', { runId: 'seeds-a', color: 'blue' })).rejects.toMatchObject({
      code: 'bad-input',
      details: { issues: [{ path: 'color' }] },
    })
    // null clears a label: the legend shows the name again.
    expect(await service.request('runs.rename', { runId: 'seeds-a', label: null })).toMatchObject({
      name: 'large batch',
      label: 'large batch',
    })
    await service.shutdown()
  })

  it('renames from the command line', async () => {
    const dir = `${root}/cli.sgdscope`
    await writeTestExternalRun(dir, { id: 'fig6-batch-1', nets: 1, snapshots: 2, probe: 4 })
    const r = await runCli(['rename', 'batch-1', 'fig6 batch 1', '--label', 'B=1', '--project', dir])
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/fig6-batch-1: name “fig6 batch 1”, label “B=1”/)
    const j = JSON.parse((await runCli(['info', 'fig6-batch-1', '--project', dir, '--json'])).out)
    expect(j).toMatchObject({ name: 'fig6 batch 1', label: 'B=1' })
    const bad = await runCli(['rename', 'batch-1', '--color', 'red', '--project', dir])
    expect(bad.code).toBe(2)
    expect(bad.err).toMatch(/color: a colour is #rrggbb/)
    expect((await runCli(['rename', 'batch-1', '--project', dir])).code).toBe(2)
  })
})
