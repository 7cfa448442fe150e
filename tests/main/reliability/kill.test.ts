import { describe, expect, it } from 'vitest'
import { Project } from '../../../src/main/archive/project'
import { RunArchive } from '../../../src/main/archive/run'
import { createRun, liveStatus, trainRun } from '../../../src/main/experiments/runner'
import { Rng } from '../../../src/main/engine/rng'
import { spawnCli } from '../../helpers/cli-process'
import { tempDir } from '../../helpers/tmp'

// Many small snapshots, so that a kill often lands while chunks, states or attributes
// are being written.
const SPEC = [
  '--nets',
  '4',
  '--hidden',
  '12',
  '--epochs',
  '0.1',
  '--probe',
  '100',
  '--set',
  'trainSubset=500',
  '--set',
  'snapshots.firstEpoch=60',
  '--momentum',
  '0.5',
]
const SPEC_OBJECT = {
  nets: 4,
  hidden: 12,
  epochs: 0.1,
  probe: 100,
  trainSubset: 500,
  snapshots: { firstEpoch: 60 },
  momentum: 0.5,
}
const KILLS = 20

describe('crash safety', () => {
  it(`SIGKILL at ${KILLS} random moments (of a training process) loses nothing, and resume reaches the uninterrupted bytes`, async () => {
    const root = tempDir()
    const dir = `${root}/kill.sgdscope`
    const rng = new Rng(20261127)
    // The uninterrupted reference, trained in this process.
    const refProject = await Project.create(`${root}/ref.sgdscope`)
    const ref = await createRun(refProject, SPEC_OBJECT)
    await trainRun(refProject, ref.id, { workers: 2 })
    const same = async (run: RunArchive, k: number, j: number) =>
      Buffer.from((await run.readTau(k, j)).buffer).equals(Buffer.from((await ref.readTau(k, j)).buffer))
    let killedWhileRunning = 0
    // When a process finishes its run before the kill comes, the next ones start a new
    // run (victim-1, victim-2, …): every kill still lands on a run in progress.
    let generation = 0
    const runId = () => `victim-${generation}`
    for (let i = 0; killedWhileRunning < KILLS && i < 3 * KILLS; i++) {
      const child = spawnCli(['run', ...SPEC, '--run-id', runId(), '--project', dir, '--workers', '2'])
      // Most kills come once training has begun (the process has printed its run line);
      // every fourth comes at any moment from the start, so some land while the
      // project and the run are being created.
      const delay = rng.next() * 2500
      const early = i % 4 === 0
      let timer: NodeJS.Timeout | undefined
      const arm = () => (timer ??= setTimeout(() => child.kill('SIGKILL'), delay))
      if (early) arm()
      else child.stdout!.on('data', arm)
      const code = await child.exited
      clearTimeout(timer)
      if (code === null) killedWhileRunning++
      else expect(code, child.output()).toBe(0) // finished before the kill

      // The project and the run still open; the run does not claim to be running.
      let project: Project
      try {
        project = await Project.open(dir)
      } catch (e) {
        expect(String(e)).toMatch(/project\.json is missing/) // killed before the project existed
        continue
      }
      const ids = await project.runIds()
      if (!ids.includes(runId())) continue // killed before the run existed
      let run: RunArchive
      try {
        run = await project.openRun(runId())
      } catch (e) {
        // Killed while the run was being created: its metadata is written last, so a
        // half-made run has no zarr.json yet and the next start creates it.
        expect(String(e)).toMatch(/zarr\.json is missing/)
        continue
      }
      expect(['interrupted', 'complete', 'created']).toContain(await liveStatus(run))
      // Every snapshot marked done is intact: exactly the uninterrupted bytes.
      const done = await run.readDone()
      const S = run.attrs.snapshots
      for (let k = 0; k < 4; k++)
        for (let j = 0; j < S; j++)
          if (done[k * S + j]) expect(await same(run, k, j), `kill ${i}: net ${k} snapshot ${j}`).toBe(true)
      if (code === 0) generation++
    }
    expect(killedWhileRunning).toBe(KILLS)

    // Resume the run that was killed last to the end; every run made must then equal
    // the uninterrupted one byte for byte.
    const project = await Project.open(dir)
    const ids = await project.runIds()
    if (ids.includes(runId())) {
      const resumed = spawnCli(['resume', runId(), '--project', dir, '--workers', '1'])
      expect(await resumed.exited, resumed.output()).toBe(0)
    }
    for (const id of await project.runIds()) {
      const run = await project.openRun(id)
      expect(await liveStatus(run)).toBe('complete')
      for (let k = 0; k < 4; k++)
        for (let j = 0; j < run.attrs.snapshots; j++)
          expect(await same(run, k, j), `${id}: net ${k} snapshot ${j}`).toBe(true)
      expect(Buffer.from((await run.readMetrics()).buffer).equals(Buffer.from((await ref.readMetrics()).buffer))).toBe(
        true,
      )
    }
  }, 600_000)
})
