/**
 * A run of networks with several hidden layers, end to end: created, trained by the
 * fused engine's deep kernel in worker threads (identical bytes for 1 and 2 workers),
 * its engine and weights recorded, its spec's depth kept in the metadata.
 */
import { describe, expect, it } from 'vitest'
import { Project } from '../../../src/main/archive/project'
import type { RunArchive } from '../../../src/main/archive/run'
import { paramCount } from '../../../src/main/engine/mlp'
import { createRun, trainRun } from '../../../src/main/experiments/runner'
import { tempDir } from '../../helpers/tmp'

const SPEC = {
  nets: 2,
  hidden: [16, 12, 8],
  activation: 'relu',
  loss: 'cross-entropy',
  lr: 0.05,
  momentum: 0.9,
  nesterov: true,
  weightDecay: 0.0005,
  lrSchedule: { kind: 'cosine' },
  lrWarmup: { epochs: 0.005 },
  batch: 10,
  epochs: 0.02,
  probe: 50,
  trainSubset: 500,
  snapshots: { firstEpoch: 4 },
}

async function allTau(run: RunArchive): Promise<Buffer> {
  const parts: Buffer[] = []
  for (let k = 0; k < run.attrs.nets; k++)
    for (let j = 0; j < run.attrs.snapshots; j++) parts.push(Buffer.from((await run.readTau(k, j)).buffer))
  return Buffer.concat(parts)
}

describe('runs of deeper networks', () => {
  it('train in workers, bit-identically for any worker count, and record their architecture', async () => {
    const project = await Project.create(`${tempDir()}/deep.sgdscope`)
    const a = await createRun(project, SPEC)
    expect(await trainRun(project, a.id, { workers: 1 })).toBe('complete')
    const b = await createRun(project, SPEC)
    expect(await trainRun(project, b.id, { workers: 2 })).toBe('complete')
    const ra = await project.openRun(a.id)
    const rb = await project.openRun(b.id)
    expect((await allTau(ra)).equals(await allTau(rb))).toBe(true)
    expect(ra.attrs.spec).toMatchObject({
      hidden: [16, 12, 8],
      activation: 'relu',
      nesterov: true,
      weightDecay: 0.0005,
    })
    expect(ra.attrs.engine).toMatchObject({ name: 'fused', backend: 'typescript' })
    const D = paramCount({ inputs: 784, hidden: 16, outputs: 10, deeper: [12, 8] })
    expect(D).toBe(784 * 16 + 16 + 12 * 16 + 12 + 8 * 12 + 8 + 10 * 8 + 10)
    expect(ra.attrs.stateSize).toBe(2 * D) // parameters and the momentum buffer
    expect(ra.attrs.paramCount).toBe(D)
    const m = await ra.readMetricsAt(0, ra.attrs.snapshots - 1)
    expect(m[3]!).toBeLessThan(0.9) // it learned something (test error below chance)
  })
})
