/**
 * The beyond-the-paper requests through the service, as every host calls them. They
 * run once the requests are declared in src/shared/api/contract.ts (and implemented in
 * service.ts); until then they are skipped.
 */
import { describe, expect, it } from 'vitest'
import * as path from 'node:path'
import { isRequestName } from '../../../../src/shared/api/contract'
import { Service } from '../../../../src/main/service'
import { FileSettingsStore } from '../../../../src/main/settings'
import { Project } from '../../../../src/main/archive/project'
import { createRun, trainRun } from '../../../../src/main/experiments/runner'
import { tempDir } from '../../../helpers/tmp'

const declared =
  isRequestName('beyond.subproblems') && isRequestName('beyond.barrier') && isRequestName('beyond.figure')
const SPEC = {
  nets: 2,
  hidden: 8,
  epochs: 0.02,
  probe: 100,
  trainSubset: 500,
  snapshots: { firstEpoch: 500 },
  keepWeights: 'all',
}

describe.skipIf(!declared)('beyond requests through the service', () => {
  it('answer with reports and figures, and refuse bad arguments with a code', async () => {
    const root = tempDir()
    const dir = path.join(root, 'svc.sgdscope')
    const project = await Project.create(dir)
    const run = await createRun(project, SPEC)
    await trainRun(project, run.id, { workers: 1 })
    const service = new Service({ host: 'browser', settings: new FileSettingsStore(`${root}/config`) })
    await service.call('project.open', { dir })
    // (Untyped calls: this file compiles before the requests are declared.)
    const call = (name: string, args: unknown) => service.call(name, args) as Promise<Record<string, any>>
    const sub = await call('beyond.subproblems', { runId: run.id, kind: 'classes', minImages: 1 })
    expect(sub.source).toBe('probe')
    expect(sub.rates.perNet).toHaveLength(2)
    const bar = await call('beyond.barrier', { runId: run.id, nets: [0, 1], points: 5, count: 200 })
    expect(bar.alphas).toEqual([0, 0.25, 0.5, 0.75, 1])
    expect(bar.weightDistance.after).toBeLessThanOrEqual(bar.weightDistance.before)
    const sum = await call('beyond.barrierSummary', { runId: run.id, points: 3, count: 100 })
    expect(sum.pairs).toHaveLength(1)
    const wvf = await call('beyond.weightVsFunction', { runId: run.id, alignment: 'each' })
    expect(wvf.figure.pairs).toHaveLength(1)
    const fig = await call('beyond.figure', {
      runId: run.id,
      figure: { kind: 'barrier', nets: [0, 1], points: 3, count: 100 },
      format: 'svg',
    })
    expect(String(fig.data).startsWith('<svg')).toBe(true)
    const png = await call('beyond.figure', {
      runId: run.id,
      figure: { kind: 'rates', spectrum: 'classes', minImages: 1 },
      format: 'png',
      look: { dpi: 72 },
    })
    expect(Buffer.from(String(png.data), 'base64').subarray(1, 4).toString()).toBe('PNG')
    await expect(call('beyond.barrier', { runId: run.id, nets: [0, 5] })).rejects.toMatchObject({
      code: 'bad-input',
      details: { issues: [{ path: 'nets', message: expect.stringMatching(/network 5 is not in this run/) }] },
    })
    await expect(call('beyond.barrier', { runId: run.id, nets: [0] })).rejects.toMatchObject({ code: 'bad-input' })
    await expect(call('beyond.subproblems', { runId: run.id, model: 'cubic' })).rejects.toMatchObject({
      code: 'bad-input',
      details: { issues: [{ path: 'model', problem: { kind: 'not-one-of', options: ['exponential', 'power'] } }] },
    })
    await expect(call('beyond.figure', { runId: run.id, figure: { kind: 'paths' } })).rejects.toMatchObject({
      code: 'bad-input',
    })
    await expect(call('beyond.subproblems', { runId: 'nope' })).rejects.toMatchObject({
      code: 'not-found',
      details: { what: 'run', which: 'nope' },
    })
    await service.shutdown()
  })
})
