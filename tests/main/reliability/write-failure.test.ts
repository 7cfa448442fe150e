import { promises as fs } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { Project } from '../../../src/main/archive/project'
import { createRun, trainRun } from '../../../src/main/experiments/runner'
import { tempDir } from '../../helpers/tmp'

const SPEC = { nets: 2, hidden: 10, epochs: 0.2, probe: 50, trainSubset: 500, snapshots: { firstEpoch: 40 } }

describe('a write that fails mid-run', () => {
  it('ends the run `failed` with the reason, keeps what was written, and touches nothing else', async () => {
    const project = await Project.create(`${tempDir()}/io.sgdscope`)
    const other = await createRun(project, { ...SPEC, nets: 1, epochs: 0.01 })
    await trainRun(project, other.id)
    const otherBefore = await fs.readFile(`${other.dir}/zarr.json`, 'utf8')

    const run = await createRun(project, SPEC)
    const projectBefore = await fs.readFile(project.projectJson, 'utf8')
    let seen = 0
    // Once a few snapshots are on disk, net 1's shard file becomes a folder: every later
    // write of net 1 fails (EISDIR), as a full disk or a revoked permission would.
    const status = trainRun(project, run.id, {
      workers: 1,
      onSnapshot: (net) => {
        if (net === 1 && ++seen === 3) void sabotage()
      },
    })
    let sabotaged: Promise<void> = Promise.resolve()
    const sabotage = () =>
      (sabotaged = (async () => {
        await fs.rm(`${run.dir}/tau/c.1.0.0.0`, { recursive: true, force: true })
        await fs.mkdir(`${run.dir}/tau/c.1.0.0.0`)
      })())
    await expect(status).rejects.toThrow(/EISDIR|is a directory/i)
    await sabotaged

    const after = await project.openRun(run.id)
    expect(after.attrs.status).toBe('failed')
    expect(after.attrs.error).toMatch(/EISDIR|is a directory/i)
    // Net 0's snapshots written before the failure are still there and readable.
    const done = await after.readDone()
    expect(done[0]).toBe(1)
    expect((await after.readTau(0, 0)).length).toBe(500)
    // Nothing else in the project was touched.
    expect(await fs.readFile(project.projectJson, 'utf8')).toBe(projectBefore)
    expect(await fs.readFile(`${other.dir}/zarr.json`, 'utf8')).toBe(otherBefore)
    expect((await project.openRun(other.id)).attrs.status).toBe('complete')
  })
})
