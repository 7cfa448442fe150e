/**
 * A run written before the architecture options of issue 19 (its stored spec lacks
 * activation, weightDecay, nesterov and lrWarmup) opens with the paper's settings in
 * their place, resumes, and ends with the same τ bytes as the same run written today.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { Project } from '../../../src/main/archive/project'
import type { RunArchive } from '../../../src/main/archive/run'
import { createRun, trainRun } from '../../../src/main/experiments/runner'
import { tempDir } from '../../helpers/tmp'

const SPEC = { nets: 2, hidden: 12, epochs: 0.02, probe: 50, trainSubset: 500, snapshots: { firstEpoch: 4 } }
const NEW_FIELDS = ['activation', 'weightDecay', 'nesterov', 'lrWarmup']

async function allTau(run: RunArchive): Promise<Buffer> {
  const parts: Buffer[] = []
  for (let k = 0; k < run.attrs.nets; k++)
    for (let j = 0; j < run.attrs.snapshots; j++) parts.push(Buffer.from((await run.readTau(k, j)).buffer))
  return Buffer.concat(parts)
}

describe('runs whose spec predates the architecture options', () => {
  it('open with the paper’s settings, train, and match a run made today', async () => {
    const project = await Project.create(path.join(tempDir(), 'old.sgdscope'))
    const today = await createRun(project, SPEC)
    await trainRun(project, today.id, { workers: 1 })
    const old = await createRun(project, SPEC)
    // Make it an old run: its stored spec without the fields added since.
    const meta = path.join(project.dir, 'runs', old.id, 'zarr.json')
    const json = JSON.parse(readFileSync(meta, 'utf8'))
    for (const key of NEW_FIELDS) delete json.attributes.spec[key]
    writeFileSync(meta, JSON.stringify(json))
    const opened = await project.openRun(old.id)
    expect(opened.attrs.spec).toMatchObject({
      activation: 'sigmoid',
      weightDecay: 0,
      nesterov: false,
      lrWarmup: { epochs: 0, startFactor: 1 / 3 },
      lrSchedule: { kind: 'constant' },
    })
    expect(await trainRun(project, old.id, { workers: 1 })).toBe('complete')
    expect((await allTau(await project.openRun(old.id))).equals(await allTau(await project.openRun(today.id)))).toBe(
      true,
    )
  })
})
