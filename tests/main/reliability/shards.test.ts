import { existsSync, writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { Project } from '../../../src/main/archive/project'
import { createRun, liveStatus, trainRun } from '../../../src/main/experiments/runner'
import { spawnCli } from '../../helpers/cli-process'
import { tempDir } from '../../helpers/tmp'

const SPEC = { nets: 8, hidden: 12, epochs: 0.04, probe: 100, trainSubset: 500, snapshots: { firstEpoch: 100 } }

describe('sharded runs', () => {
  it('4 shard processes at once fill one run, byte-identical to a 1-process run', async () => {
    const root = tempDir()
    const dir = `${root}/shards.sgdscope`
    const specFile = `${root}/spec.json`
    writeFileSync(specFile, JSON.stringify(SPEC))
    const shards = [1, 2, 3, 4].map((i) =>
      spawnCli(['run', specFile, '--shard', `${i}/4`, '--run-id', 'job-42', '--project', dir, '--workers', '1']),
    )
    const codes = await Promise.all(shards.map((s) => s.exited))
    expect(codes, shards.map((s) => s.output()).join('\n---\n')).toEqual([0, 0, 0, 0])
    shards.forEach((s, i) =>
      expect(s.output()).toMatch(new RegExp(`job-42: shard ${i + 1}/4 done; [1-4] of 4 shards finished`)),
    )
    // The last one to finish sees every shard done.
    expect(shards.some((s) => /4 of 4 shards finished: the run is complete/.test(s.output()))).toBe(true)

    const project = await Project.open(dir)
    expect(await project.runIds()).toEqual(['job-42'])
    const run = await project.openRun('job-42')
    expect(await liveStatus(run)).toBe('complete')
    const status = spawnCli(['status', 'job-42', '--project', dir])
    expect(await status.exited).toBe(0)
    expect(status.output()).toMatch(/job-42: complete, 40\/40/)
    for (let i = 1; i <= 4; i++)
      expect(status.output()).toMatch(new RegExp(`shard ${i}/4: 2 network\\(s\\), 10/10 snapshots — done`))

    const ref = await createRun(project, SPEC)
    await trainRun(project, ref.id, { workers: 2 })
    const again = await project.openRun('job-42')
    for (let k = 0; k < 8; k++)
      for (let j = 0; j < run.attrs.snapshots; j++)
        expect(
          Buffer.from((await again.readTau(k, j)).buffer).equals(Buffer.from((await ref.readTau(k, j)).buffer)),
          `net ${k} snapshot ${j}`,
        ).toBe(true)
    expect(Buffer.from((await again.readMetrics()).buffer).equals(Buffer.from((await ref.readMetrics()).buffer))).toBe(
      true,
    )
  })

  it('a shard that finished its part says so and how the others stand, not "interrupted"', async () => {
    const root = tempDir()
    const dir = `${root}/alone.sgdscope`
    const specFile = `${root}/spec.json`
    writeFileSync(specFile, JSON.stringify({ ...SPEC, nets: 3 }))
    const args = (i: number) => [
      'run',
      specFile,
      '--shard',
      `${i}/3`,
      '--run-id',
      'job-7',
      '--project',
      dir,
      '--workers',
      '1',
    ]
    const first = spawnCli(args(2))
    expect(await first.exited, first.output()).toBe(0)
    expect(first.output()).toMatch(
      /job-7: shard 2\/3 done; 1 of 3 shards finished \(shard 1\/3 not running, shard 3\/3 not running\)/,
    )
    expect(first.output()).not.toMatch(/interrupted|resume with/)
    const second = spawnCli(args(1))
    expect(await second.exited, second.output()).toBe(0)
    expect(second.output()).toMatch(/job-7: shard 1\/3 done; 2 of 3 shards finished \(shard 3\/3 not running\)/)
  })

  it('a shard stopped by SIGTERM (scancel, a time limit) says how to resume it, and resuming finishes its part', async () => {
    const root = tempDir()
    const dir = `${root}/stop.sgdscope`
    const specFile = `${root}/spec.json`
    const long = { ...SPEC, nets: 2, epochs: 20, trainSubset: 1500, snapshots: { firstEpoch: 2, every: 1 } }
    writeFileSync(specFile, JSON.stringify(long))
    const shard = spawnCli(['run', specFile, '--shard', '1/2', '--run-id', 'job-9', '--project', dir, '--workers', '1'])
    const lock = `${dir}/runs/job-9/lock-shard-0-of-2.json`
    const recorded = async () =>
      existsSync(lock) && (await (await (await Project.open(dir)).openRun('job-9')).progress()).perNet[0] >= 3
    while (!(await recorded())) {
      expect(shard.exitCode, shard.output()).toBeNull()
      await new Promise((r) => setTimeout(r, 100))
    }
    shard.kill('SIGTERM')
    expect(await shard.exited).toBe(130)
    expect(shard.output()).toMatch(
      /job-9: shard 1\/2 interrupted at \d+\/22 snapshots \(resume with: sgdscope resume job-9 --shard 1\/2 --project /,
    )
    const resumed = spawnCli(['resume', 'job-9', '--shard', '1/2', '--project', dir, '--workers', '1'])
    expect(await resumed.exited, resumed.output()).toBe(0)
    expect(resumed.output()).toMatch(/job-9: shard 1\/2 done; 1 of 2 shards finished \(shard 2\/2 not running\)/)
  })

  it('a shard must name its run, and a run id with another spec is refused', async () => {
    const root = tempDir()
    const a = spawnCli(['run', '--nets', '2', '--shard', '1/2', '--project', `${root}/p.sgdscope`])
    expect(await a.exited).toBe(2)
    expect(a.output()).toMatch(/--shard needs --run-id/)
    const project = await Project.create(`${root}/q.sgdscope`)
    const { createOrJoinRun } = await import('../../../src/main/experiments/runner')
    await createOrJoinRun(project, { ...SPEC, nets: 1 }, 'x')
    await expect(createOrJoinRun(project, { ...SPEC, nets: 2 }, 'x')).rejects.toThrow(/different spec/)
  })
})
