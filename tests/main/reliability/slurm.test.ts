/**
 * Sharded runs on a real Slurm cluster: the README's job-array recipe, submitted with sbatch
 * (4 shards of a small run), gives the same bytes as the run trained in one process; a shard
 * cancelled with scancel leaves the run interrupted, and resubmitting that array task
 * completes it, again byte-identical. Needs a cluster: `.ci/slurm-up` starts a single-node
 * one (CI does); without sbatch, or without a cluster answering, the tests say so and skip.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Project } from '../../../src/main/archive/project'
import { createRun, liveStatus, trainRun } from '../../../src/main/experiments/runner'
import { shardStates } from '../../../src/main/experiments/shard-progress'
import { ROOT } from '../../helpers/cli-process'
import { tempDir } from '../../helpers/tmp'

const DEFAULT_CONF = '/var/tmp/sgdscope-slurm/slurm.conf'
const env = {
  ...process.env,
  SLURM_CONF: process.env.SLURM_CONF ?? (existsSync(DEFAULT_CONF) ? DEFAULT_CONF : undefined),
}
if (!env.SLURM_CONF) delete env.SLURM_CONF

function whyNoCluster(): string | null {
  if (spawnSync('sbatch', ['--version'], { env }).error)
    return 'sbatch not found: install slurm-client and start a single-node cluster with .ci/slurm-up (as root)'
  if (!env.SLURM_CONF && !existsSync('/etc/slurm/slurm.conf'))
    return `no slurm.conf (neither SLURM_CONF, ${DEFAULT_CONF} nor /etc/slurm/slurm.conf); start a cluster with .ci/slurm-up`
  const info = spawnSync('sinfo', ['-h', '-o', '%T'], { env, encoding: 'utf8', timeout: 10_000 })
  if (info.status !== 0)
    return `no Slurm cluster answers (sinfo: ${(info.stderr || info.error?.message || '').trim()}); start one with .ci/slurm-up`
  return null
}
const skip = whyNoCluster()
if (skip) console.warn(`slurm.test.ts skipped: ${skip}`)

const slurm = (cmd: string, args: string[]) => execFileSync(cmd, args, { env, encoding: 'utf8' }).trim()
const submitted: string[] = []
afterAll(() => {
  for (const job of submitted) spawnSync('scancel', [job], { env })
})

/** The README's job-array script, made to fit this test: 4 shards of SPEC_FILE on one CPU each. */
function recipe(specFile: string, projectDir: string): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8')
  const m = /Slurm job array[^\n]*\n+```sh\n([\s\S]*?)```/.exec(readme)
  if (!m) throw new Error('README.md has no "Slurm job array" ```sh block')
  let script = m[1]
  const cli = `${process.execPath} --import tsx ${path.join(ROOT, 'src/main/cli/index.ts')}`
  const edits: [RegExp, string][] = [
    [/--array=1-8/, '--array=1-4'],
    [/--cpus-per-task=\d+/, '--cpus-per-task=1'],
    [/--time=[\d:-]+/, '--time=00:20:00'],
    [/npx sgdscope/, cli],
    [/--preset fig1/, specFile],
    [/\}\/8/, '}/4'],
    [/\/shared\/p\.sgdscope/, projectDir],
  ]
  for (const [from, to] of edits) {
    if (!from.test(script)) throw new Error(`README's Slurm recipe changed: no ${from} in\n${script}`)
    script = script.replace(from, to)
  }
  return script
}

function sbatch(script: string, dir: string, extra: string[] = []): string {
  const file = path.join(dir, `job-${submitted.length}.sh`)
  writeFileSync(file, script)
  const out = path.join(dir, 'slurm-%A_%a.out')
  const id = slurm('sbatch', ['--parsable', `--chdir=${ROOT}`, `--output=${out}`, ...extra, file]).split(';')[0]
  submitted.push(id)
  return id
}

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 150))
  }
}

/** Tasks of the job still pending or running (a job Slurm has already forgotten has none). */
function queued(job: string): string[] {
  const r = spawnSync('squeue', ['-h', '-r', '-j', job, '-o', '%i %T'], { env, encoding: 'utf8' })
  if (r.status !== 0 && /Invalid job id/i.test(r.stderr)) return []
  if (r.status !== 0) throw new Error(`squeue failed: ${r.stderr}`)
  return r.stdout.split('\n').filter(Boolean)
}
const outputs = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.startsWith('slurm-'))
    .map((f) => readFileSync(path.join(dir, f), 'utf8'))

/** Every file of a run but the group's attributes (id, times, status): the arrays' metadata and chunks. */
function runFiles(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>()
  const walk = (rel: string) => {
    for (const f of readdirSync(path.join(dir, rel))) {
      const r = rel ? `${rel}/${f}` : f
      if (!rel && (f === 'zarr.json' || /^lock.*\.json$/.test(f))) continue
      if (statSync(path.join(dir, r)).isDirectory()) walk(r)
      else files.set(r, readFileSync(path.join(dir, r)))
    }
  }
  walk('')
  return files
}

function expectSameBytes(a: string, b: string) {
  const [fa, fb] = [runFiles(a), runFiles(b)]
  expect([...fa.keys()].sort()).toEqual([...fb.keys()].sort())
  expect([...fa.keys()].some((k) => k.startsWith('tau/c.'))).toBe(true)
  for (const [k, v] of fa) expect(v.equals(fb.get(k)!), k).toBe(true)
}

describe.skipIf(skip !== null)(`sharded runs on Slurm${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it("the README's job array, 4 shards, gives the bytes of a one-process run", async () => {
    const root = tempDir('sgdscope-slurm-')
    const dir = path.join(root, 'p.sgdscope')
    const specFile = path.join(root, 'spec.json')
    const spec = { nets: 8, hidden: 12, epochs: 0.04, probe: 100, trainSubset: 500, snapshots: { firstEpoch: 100 } }
    writeFileSync(specFile, JSON.stringify(spec))
    const job = sbatch(recipe(specFile, dir), root)
    await until(`job array ${job} to leave the queue`, () => queued(job).length === 0)

    const logs = outputs(root)
    expect(logs, logs.join('\n---\n')).toHaveLength(4)
    const runId = `fig1-${job}`
    for (let i = 1; i <= 4; i++)
      expect(
        logs.some((l) => new RegExp(`${runId}: shard ${i}/4 done; [1-4] of 4 shards finished`).test(l)),
        logs.join('\n---\n'),
      ).toBe(true)
    expect(logs.join('\n')).not.toMatch(/interrupted/)

    const project = await Project.open(dir)
    const run = await project.openRun(runId)
    expect(await liveStatus(run)).toBe('complete')
    const ref = await createRun(project, spec)
    await trainRun(project, ref.id, { workers: 2 })
    expectSameBytes(run.dir, ref.dir)
  }, 600_000)

  it('a shard cancelled with scancel leaves the run interrupted; resubmitted, it completes the same bytes', async () => {
    const root = tempDir('sgdscope-slurm-')
    const dir = path.join(root, 'p.sgdscope')
    const specFile = path.join(root, 'spec.json')
    // Long enough (seconds per shard) that the cancel lands while shard 2 trains.
    const spec = {
      nets: 4,
      hidden: 16,
      epochs: 20,
      probe: 100,
      trainSubset: 1500,
      snapshots: { firstEpoch: 2, every: 1 },
    }
    writeFileSync(specFile, JSON.stringify(spec))
    const script = recipe(specFile, dir)
    const job = sbatch(script, root)
    const runId = `fig1-${job}`
    const runDir = path.join(dir, 'runs', runId)
    const shard2 = async () => (await shardStates(await (await Project.open(dir)).openRun(runId), 4))[1]
    // Cancel shard 2 once it holds its lock and has recorded a few snapshots.
    await until(
      'shard 2 to be training',
      async () => existsSync(path.join(runDir, 'lock-shard-1-of-4.json')) && (await shard2()).done >= 4,
    )
    slurm('scancel', [`${job}_2`])
    await until(`job array ${job} to leave the queue`, () => queued(job).length === 0)

    const project = await Project.open(dir)
    let run = await project.openRun(runId)
    const after = await shardStates(run, 4)
    expect(after[1].done, 'shard 2 finished before the cancel reached it').toBeLessThan(after[1].total)
    expect(after.filter((s) => s.done === s.total).map((s) => s.index)).toEqual([0, 2, 3])
    expect(await liveStatus(run)).toBe('interrupted')
    // scancel sends SIGTERM: the shard stops cleanly and says how to go on.
    const cancelled = readFileSync(path.join(root, `slurm-${job}_2.out`), 'utf8')
    expect(cancelled).toMatch(
      new RegExp(`${runId}: shard 2/4 interrupted at \\d+/${after[1].total} snapshots \\(resume with`),
    )

    // The same array task again, into the same run (the README's RUN_ID for resubmitting).
    const again = sbatch(script, root, ['--array=2', `--export=ALL,RUN_ID=${runId}`])
    await until(`job ${again} to leave the queue`, () => queued(again).length === 0)
    const log = readFileSync(path.join(root, `slurm-${again}_2.out`), 'utf8')
    expect(log).toMatch(new RegExp(`${runId}: shard 2/4 done; 4 of 4 shards finished: the run is complete`))
    run = await project.openRun(runId)
    expect(await liveStatus(run)).toBe('complete')
    const ref = await createRun(project, spec)
    await trainRun(project, ref.id, { workers: 2 })
    expectSameBytes(run.dir, ref.dir)
  }, 600_000)
})
