import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { Project } from '../../../src/main/archive/project'
import { RunArchive } from '../../../src/main/archive/run'
import { acquireLock, LockedError } from '../../../src/main/archive/lock'
import { TMP_SUFFIX, writeFileAtomic } from '../../../src/main/archive/atomic'
import { parseSpec } from '../../../src/shared/spec'
import { tempDir } from '../../helpers/tmp'

const root = tempDir()

async function tinyRun(dir: string) {
  return RunArchive.create(dir, {
    id: path.basename(dir),
    spec: parseSpec({ nets: 2 }),
    pointShape: [3, 10],
    nets: 2,
    samples: [0, 10, 20],
    epochs: [0, 0.5, 1],
    metrics: ['train_loss', 'train_error', 'test_loss', 'test_error'],
    stateSize: 5,
    versions: { sgdscope: 'test' },
  })
}

describe('run archive', () => {
  it('round-trips tau, metrics, done flags, times and state', async () => {
    const run = await tinyRun(`${root}/r1`)
    const tau = Float32Array.from({ length: 30 }, (_, i) => i / 7)
    await run.writeSnapshot(1, 2, tau, [0.5, 0.25, 0.75, 0.125])
    await run.writeState(1, 2, Float32Array.of(1, 2, 3, 4, 5))
    // Format 3 holds flags, metrics and the state back until a flush (at most FLUSH_MS):
    // another reader sees none of them before it, all of them after.
    expect(run.consolidated).toBe(true)
    const early = await RunArchive.open(`${root}/r1`)
    expect(Array.from(await early.readDone())).toEqual(new Array(6).fill(0))
    expect(await early.readState(1)).toBeNull()
    await run.flush()
    const again = await RunArchive.open(`${root}/r1`)
    expect(Array.from(await again.readTau(1, 2))).toEqual(Array.from(tau))
    expect(Array.from(await again.readTau(0, 0))).toEqual(new Array(30).fill(0))
    const m = await again.readMetrics()
    expect(Array.from(m.slice((1 * 3 + 2) * 4, (1 * 3 + 2) * 4 + 4))).toEqual([0.5, 0.25, 0.75, 0.125])
    expect(Number.isNaN(m[0])).toBe(true)
    expect(Array.from(await again.readDone())).toEqual([0, 0, 0, 0, 0, 1])
    expect(await again.readState(0)).toBeNull()
    expect(await again.readState(1)).toEqual({ snapshot: 2, state: Float32Array.of(1, 2, 3, 4, 5) })
    const t = await again.readTimes()
    expect(Array.from(t.samples)).toEqual([0, 10, 20])
    expect(Array.from(t.epochs)).toEqual([0, 0.5, 1])
    expect((await again.progress()).perNet).toEqual([0, 1])
  })

  it('reads many points of τ straight into one array, as readTau reads them one by one', async () => {
    const run = await tinyRun(`${root}/bulk`)
    for (const [net, j] of [
      [0, 0],
      [0, 2],
      [1, 1],
      [1, 2],
    ])
      await run.writeSnapshot(
        net,
        j,
        Float32Array.from({ length: 30 }, (_, i) => net * 100 + j * 10 + i / 3),
        [1, 1, 1, 1],
      )
    await run.flush()
    const again = await RunArchive.open(`${root}/bulk`)
    // (0, 1) was never written: its chunk file is missing, the fill value (zeros) stands in.
    const points = [
      [1, 2],
      [0, 0],
      [0, 1],
      [1, 1],
      [0, 2],
    ].map(([net, snapshot]) => ({ net, snapshot }))
    const out = new Float32Array(points.length * 30 + 3).fill(-1)
    const seen: number[] = []
    await again.readTauInto(points, out.subarray(0, points.length * 30), (n) => seen.push(n))
    const expected = await Promise.all(points.map((p) => again.readTau(p.net, p.snapshot)))
    expect(Array.from(out.subarray(0, points.length * 30))).toEqual(expected.flatMap((x) => Array.from(x)))
    expect(Array.from(out.subarray(points.length * 30))).toEqual([-1, -1, -1]) // nothing beyond
    // Progress by runs of consecutive snapshots of a network: rising to every point.
    expect(seen.at(-1)).toBe(5)
    expect(seen.every((n, i) => i === 0 || n > seen[i - 1]!)).toBe(true)
    await expect(again.readTauInto(points, new Float32Array(10))).rejects.toThrow(/5 points need 150/)
    // A shard cut short is named, not read as a short point.
    const file = path.join(`${root}/bulk`, 'tau', 'c.1.0.0.0')
    await fs.truncate(file, 64)
    await expect(again.readTauInto(points, new Float32Array(150))).rejects.toThrow(
      /damaged: .*c\.1\.0\.0\.0 holds 64 bytes/,
    )
  })

  it('writes Zarr v3 metadata that other readers understand', async () => {
    await tinyRun(`${root}/r2`)
    const tau = JSON.parse(await fs.readFile(`${root}/r2/tau/zarr.json`, 'utf8'))
    expect(tau).toMatchObject({
      zarr_format: 3,
      node_type: 'array',
      shape: [2, 3, 3, 10],
      data_type: 'float32',
      dimension_names: ['net', 'snapshot', 'probe', 'output'],
    })
    // Format 4: one shard per network (all its snapshots), one inner chunk per point.
    expect(tau.chunk_grid.configuration.chunk_shape).toEqual([1, 3, 3, 10])
    expect(tau.codecs).toEqual([
      {
        name: 'sharding_indexed',
        configuration: {
          chunk_shape: [1, 1, 3, 10],
          codecs: [{ name: 'bytes', configuration: { endian: 'little' } }],
          index_codecs: [{ name: 'bytes', configuration: { endian: 'little' } }],
          index_location: 'end',
        },
      },
    ])
    const group = JSON.parse(await fs.readFile(`${root}/r2/zarr.json`, 'utf8'))
    expect(group).toMatchObject({ zarr_format: 3, node_type: 'group', attributes: { status: 'created', nets: 2 } })
  })

  it('updates attributes atomically and keeps the others', async () => {
    const run = await tinyRun(`${root}/r3`)
    await run.update({ status: 'running' })
    await run.update({ error: 'x' })
    const again = await RunArchive.open(`${root}/r3`)
    expect(again.attrs.status).toBe('running')
    expect(again.attrs.error).toBe('x')
    expect((await fs.readdir(`${root}/r3`)).some((f) => f.endsWith(TMP_SUFFIX))).toBe(false)
  })

  it('says what is wrong with a missing, corrupt, foreign or newer run', async () => {
    await expect(RunArchive.open(`${root}/nothing`)).rejects.toThrow(/not a run.*zarr\.json is missing/)
    await fs.mkdir(`${root}/bad`, { recursive: true })
    await fs.writeFile(`${root}/bad/zarr.json`, '{"zarr_format": 3, "attri')
    await expect(RunArchive.open(`${root}/bad`)).rejects.toThrow(/not valid JSON/)
    await fs.writeFile(`${root}/bad/zarr.json`, '{"zarr_format": 3, "node_type": "group", "attributes": {}}')
    await expect(RunArchive.open(`${root}/bad`)).rejects.toThrow(/not an sgdscope run/)
    const run = await tinyRun(`${root}/newer`)
    await run.update({ sgdscope: { kind: 'run', format: 99 } })
    await expect(RunArchive.open(`${root}/newer`)).rejects.toThrow(/newer sgdscope.*format 99/)
    await tinyRun(`${root}/noarr`)
    await fs.rm(`${root}/noarr/tau`, { recursive: true })
    await expect(RunArchive.open(`${root}/noarr`)).rejects.toThrow(/damaged/)
  })
})

describe('projects', () => {
  it('creates, lists runs (also ones only on disk), and resolves run references', async () => {
    const p = await Project.create(`${root}/a.sgdscope`)
    expect(p.name).toBe('a')
    await tinyRun(p.runDir('20260101-000000-fig1-aaaa'))
    await p.addRun('20260101-000000-fig1-aaaa', 'first')
    await tinyRun(p.runDir('20260102-000000-fig5-bbbb')) // e.g. made by a shard elsewhere
    const q = await Project.open(`${root}/a.sgdscope`)
    expect(await q.runIds()).toEqual(['20260101-000000-fig1-aaaa', '20260102-000000-fig5-bbbb'])
    expect(await q.resolveRunId('2')).toBe('20260102-000000-fig5-bbbb')
    expect(await q.resolveRunId('fig1')).toBe('20260101-000000-fig1-aaaa')
    await expect(q.resolveRunId('2026')).rejects.toThrow(/matches 2 runs/)
    await expect(q.resolveRunId('zzz')).rejects.toThrow(/no run "zzz"/)
    expect(() => q.runDir('../evil')).toThrow(/not a valid run id/)
    await expect(Project.create(`${root}/a.sgdscope`)).rejects.toThrow(/already holds a project/)
  })

  it('many processes creating the same project at once all end up opening one project', async () => {
    const dir = `${root}/race.sgdscope`
    const ps = await Promise.all(Array.from({ length: 8 }, () => Project.openOrCreate(dir)))
    expect(new Set(ps.map((p) => p.file.created)).size).toBe(1)
    expect((await fs.readdir(dir)).sort()).toEqual(['project.json', 'runs'])
  })

  it('refuses malformed and newer project files with a clear message', async () => {
    await expect(Project.open(`${root}/none.sgdscope`)).rejects.toThrow(/not an sgdscope project/)
    const p = await Project.create(`${root}/b.sgdscope`)
    await fs.writeFile(p.projectJson, '{ nope')
    await expect(Project.open(p.dir)).rejects.toThrow(/not valid JSON/)
    await fs.writeFile(p.projectJson, JSON.stringify({ sgdscope: { kind: 'project', format: 1 }, name: 3 }))
    await expect(Project.open(p.dir)).rejects.toThrow(/malformed: name/)
    await fs.writeFile(p.projectJson, JSON.stringify({ sgdscope: { kind: 'project', format: 7 }, name: 'x' }))
    await expect(Project.open(p.dir)).rejects.toThrow(/newer sgdscope \(project format 7/)
  })
})

describe('atomic writes and locks', () => {
  it('replaces a file whole and leaves no temporary file', async () => {
    const f = `${root}/atomic/x.json`
    await writeFileAtomic(f, 'one')
    await writeFileAtomic(f, 'two')
    expect(await fs.readFile(f, 'utf8')).toBe('two')
    expect(await fs.readdir(`${root}/atomic`)).toEqual(['x.json'])
  })

  it('stops a second trainer and clears a stale lock from a dead process', async () => {
    const f = `${root}/lock.json`
    const release = await acquireLock(f, 'run X')
    await expect(acquireLock(f, 'run X')).rejects.toThrow(LockedError)
    await release()
    // A lock left by a process that has exited.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString()
    await fs.writeFile(
      f,
      JSON.stringify({ pid: Number(dead), host: (await import('node:os')).hostname(), started: 'then' }),
    )
    const again = await acquireLock(f, 'run X')
    expect(JSON.parse(await fs.readFile(f, 'utf8')).pid).toBe(process.pid)
    await again()
  })
})
