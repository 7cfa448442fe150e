import * as path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { ImportProgressEvent } from '../../../src/shared/api/contract'
import { Service } from '../../../src/main/service'
import { FileSettingsStore } from '../../../src/main/settings'
import { tempDir } from '../../helpers/tmp'
import { runsLeft, writeFixtures } from './helpers'

describe('runs.import', () => {
  const root = tempDir('sgdscope-import-service-')
  const fx = path.join(root, 'fixtures')
  const dir = path.join(root, 'p.sgdscope')
  const service = new Service({ host: 'browser', settings: new FileSettingsStore(path.join(root, 'config')) })
  const progress: ImportProgressEvent[] = []
  service.on((event, payload) => {
    if (event === 'import.progress') progress.push(payload as ImportProgressEvent)
  })
  beforeAll(() => {
    writeFixtures(fx)
  })

  it('needs an open project', async () => {
    await expect(service.request('runs.import', { path: path.join(fx, 'run.h5') })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/no project is open/),
    })
  })

  it('imports into the open project, reports progress, and the run is listed as external', async () => {
    await service.request('project.open', { dir, create: true })
    const r = await service.request('runs.import', {
      path: path.join(fx, 'run.h5'),
      name: 'h5 seeds',
      meta: { lr: 0.5 },
    })
    expect(r).toMatchObject({
      name: 'h5 seeds',
      format: 'HDF5',
      nets: 3,
      snapshots: 4,
      probe: 7,
      classes: 5,
      outputs: 'logits',
      weights: true,
    })
    expect(r).not.toHaveProperty('dir')
    expect(progress.map((p) => p.stage)).toEqual(expect.arrayContaining(['reading outputs', 'writing the run']))
    const last = progress.filter((p) => p.stage === 'writing the run').pop()!
    expect(last).toEqual({ path: path.join(fx, 'run.h5'), stage: 'writing the run', done: 12, total: 12 })
    const runs = await service.request('runs.list', {})
    expect(runs.map((x) => x.id)).toEqual([r.runId])
    expect(runs[0]).toMatchObject({ kind: 'external', status: 'complete', nets: 3, snapshots: 4 })
    const details = await service.request('runs.get', { runId: r.runId })
    expect(details.spec).toMatchObject({ kind: 'external', source: 'import', meta: { lr: 0.5 } })
    expect(details.epochs).toEqual([0, 0.5, 1, 3])
  })

  it('a bad file is a bad request naming the array; nothing is added', async () => {
    const before = await runsLeft(dir)
    await expect(service.request('runs.import', { path: path.join(fx, 'nan.h5') })).rejects.toMatchObject({
      code: 'bad-input',
      details: { issues: [{ path: 'file' }] },
      message: `${path.join(fx, 'nan.h5')}: array "outputs" [3, 4, 7, 5] has NaN at [1, 2, 3, 4] (2 values are not finite); outputs must be finite`,
    })
    await expect(
      service.request('runs.import', { path: path.join(fx, 'savez.npz'), outputs: 'softmax' }),
    ).rejects.toMatchObject({ code: 'bad-input' })
    expect(await runsLeft(dir)).toEqual(before)
  })

  it('runs.cancelImport stops an import under way; nothing of it is kept', async () => {
    const before = await runsLeft(dir)
    const seen = progress.length
    const stop = service.on((event) => {
      if (event === 'import.progress') void service.request('runs.cancelImport', {})
    })
    try {
      await expect(service.request('runs.import', { path: path.join(fx, 'savez.npz') })).rejects.toMatchObject({
        code: 'cancelled',
        details: { request: 'runs.import' },
      })
    } finally {
      stop()
    }
    expect(progress.length).toBeGreaterThan(seen)
    expect(await runsLeft(dir)).toEqual(before)
  })

  it('dialog.openFile needs a host with native dialogs', async () => {
    await expect(service.request('dialog.openFile', {})).rejects.toMatchObject({
      code: 'conflict',
      details: { reason: 'unsupported' },
      message: expect.stringMatching(/no native dialogs/),
    })
    const desktop = new Service({
      host: 'electron',
      settings: new FileSettingsStore(path.join(root, 'config2')),
      dialogs: { saveFile: async () => null, openFile: async () => '/data/run.npz' },
    })
    expect(await desktop.request('dialog.openFile', { purpose: 'import' })).toEqual({ path: '/data/run.npz' })
  })
})
