/**
 * Format 1 → 4 on a project written by the format-1 writer (tests/fixtures/format1.sgdscope,
 * checked in before the writer changed): every number survives, an interrupted upgrade reads
 * right and is finished by the next one, external (format 2) runs are kept as they are.
 */
import { cpSync, existsSync, readFileSync } from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { Project } from '../../../src/main/archive/project'
import type { RunArchive } from '../../../src/main/archive/run'
import { consolidateArray, upgradeRun } from '../../../src/main/archive/upgrade'
import { trainRun } from '../../../src/main/experiments/runner'
import { runCli } from '../../helpers/cli-in-process'
import { ROOT } from '../../helpers/cli-process'
import { tempDir } from '../../helpers/tmp'

const FIXTURE = path.join(ROOT, 'tests/fixtures/format1.sgdscope')

function copyFixture(): string {
  const dir = path.join(tempDir(), 'p.sgdscope')
  cpSync(FIXTURE, dir, { recursive: true })
  return dir
}

/** Every number a run holds, as plain arrays (NaN kept as the string 'NaN' to compare). */
async function numbers(run: RunArchive) {
  const plain = (a: ArrayLike<number>) => Array.from(a, (x) => (Number.isNaN(x) ? 'NaN' : x))
  const tau: unknown[] = []
  const state: unknown[] = []
  for (let k = 0; k < run.attrs.nets; k++) {
    for (let j = 0; j < run.attrs.snapshots; j++) tau.push(plain(await run.readTau(k, j)))
    const s = run.isExternal ? null : await run.readState(k)
    state.push(s ? [s.snapshot, ...plain(s.state)] : null)
  }
  const metricsAt: unknown[] = []
  for (let k = 0; k < run.attrs.nets; k++)
    for (let j = 0; j < run.attrs.snapshots; j++) metricsAt.push(plain(await run.readMetricsAt(k, j)))
  const { samples, epochs } = await run.readTimes()
  return {
    done: plain(await run.readDone()),
    metrics: plain(await run.readMetrics()),
    metricsAt,
    samples: plain(samples),
    epochs: plain(epochs),
    tau,
    state,
    progress: await run.progress(),
  }
}

describe('upgrading format 1 to format 4', () => {
  it('keeps every number of every run, and leaves external runs at format 2', async () => {
    const dir = copyFixture()
    const project = await Project.open(dir)
    const ids = await project.runIds()
    expect(ids.sort()).toEqual(['ext', 'half', 'sto'])
    const before = new Map<string, unknown>()
    for (const id of ids) {
      const run = await project.openRun(id)
      expect(run.attrs.sgdscope.format).toBe(id === 'ext' ? 2 : 1)
      expect(run.consolidated).toBe(false)
      before.set(id, await numbers(run))
    }
    // Known answers from the fixture: 'half' stopped after 3 of its 2 × 4 snapshots.
    expect((before.get('half') as { progress: { done: number } }).progress.done).toBe(3)
    expect((before.get('ext') as { done: unknown[] }).done).toEqual([1, 1, 1, 1, 0, 1])

    const r = await runCli(['upgrade', dir])
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/2 run\(s\) upgraded, 0 already current, 1 recorded outside sgdscope kept at format 2/)
    for (const id of ids) {
      const run = await project.openRun(id)
      expect(run.attrs.sgdscope.format).toBe(id === 'ext' ? 2 : 4)
      expect(run.consolidated).toBe(id !== 'ext')
      expect(await numbers(run)).toEqual(before.get(id))
    }
    // Format 3 on disk: one chunk per array, in Zarr v3's default key encoding with '.'.
    const sto = path.join(dir, 'runs/sto')
    expect(existsSync(path.join(sto, 'done/c'))).toBe(false)
    expect(readFileSync(path.join(sto, 'done/c.0.0')).length).toBe(3 * 5)
    expect(readFileSync(path.join(sto, 'metrics/c.0.0.0')).length).toBe(3 * 5 * 4)
    const meta = JSON.parse(readFileSync(path.join(sto, 'done/zarr.json'), 'utf8'))
    expect(meta.chunk_grid.configuration.chunk_shape).toEqual([3, 5])
    expect(meta.chunk_key_encoding).toEqual({ name: 'default', configuration: { separator: '.' } })
    // Format 4: τ as one shard per network (its 5 snapshots of 6 values, then the index).
    expect(existsSync(path.join(sto, 'tau/c'))).toBe(false)
    expect(readFileSync(path.join(sto, 'tau/c.2.0.0')).length).toBe(5 * 6 * 4 + 5 * 16)
    expect(JSON.parse(readFileSync(path.join(sto, 'tau/zarr.json'), 'utf8')).codecs[0].name).toBe('sharding_indexed')
    expect((await runCli(['upgrade', dir])).out).toMatch(/0 run\(s\) upgraded, 2 already current/)
  })

  it('an upgrade stopped half-way leaves a readable run, and the next one finishes it', async () => {
    const dir = copyFixture()
    const project = await Project.open(dir)
    const want = await numbers(await project.openRun('sto'))
    // Stopped after `done` was rewritten, before `metrics` and the group's format.
    const run = await project.openRun('sto')
    await consolidateArray(path.join(run.dir, 'done'), await run.readDone())
    const mid = await project.openRun('sto')
    expect(mid.attrs.sgdscope.format).toBe(1)
    expect(await numbers(mid)).toEqual(want)
    expect(await upgradeRun(mid.dir)).toBe('upgraded')
    const after = await project.openRun('sto')
    expect(after.attrs.sgdscope.format).toBe(4)
    expect(await numbers(after)).toEqual(want)
  })

  it('resuming a format-1 run upgrades it and completes it with the old snapshots kept', async () => {
    const dir = copyFixture()
    const project = await Project.open(dir)
    const old = await numbers(await project.openRun('half'))
    expect(await trainRun(project, 'half')).toBe('complete')
    const run = await project.openRun('half')
    expect(run.attrs.sgdscope.format).toBe(4)
    const now = await numbers(run)
    expect(now.progress.done).toBe(now.progress.total)
    for (let i = 0; i < old.done.length; i++)
      if (old.done[i]) {
        expect(now.tau[i]).toEqual(old.tau[i])
        expect(now.metricsAt[i]).toEqual(old.metricsAt[i])
      }
  })
})
