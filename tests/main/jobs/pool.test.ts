import { readdir } from 'node:fs/promises'
import * as path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Project } from '../../../src/main/archive/project'
import { embedPaths, runMetrics } from '../../../src/main/analysis/paths'
import { readTrainData } from '../../../src/main/experiments/data'
import { JobPool } from '../../../src/main/jobs/pool'
import type { JobProgress } from '../../../src/main/jobs/tasks'
import { ApiError } from '../../../src/shared/api/errors'
import { writeTestExternalRun } from '../../helpers/external'
import { tempDir } from '../../helpers/tmp'

const pools: JobPool[] = []
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()))
})
const pool = (size: number) => {
  const p = new JobPool(size)
  pools.push(p)
  return p
}

async function project(snapshots = 4): Promise<string> {
  const dir = path.join(tempDir(), 'p.sgdscope')
  await Project.openOrCreate(dir)
  await writeTestExternalRun(dir, { id: 'r', nets: 3, snapshots, probe: 20 })
  return dir
}

/** An embedding that runs until it is stopped: many points, no stopping rule. */
const endless = (dir: string) => ({
  dir,
  query: {
    runs: ['r'],
    view: 'tau' as const,
    method: 'smacof' as const,
    options: { maxIter: 10_000_000, eps: -1 }, // eps < 0: the stress never falls enough to stop
  },
})

const firstProgress = () => {
  let seen!: () => void
  const started = new Promise<void>((r) => (seen = r))
  return { started, onProgress: (p: JobProgress) => p.stage === 'embedding' && seen() }
}

describe('the job pool', () => {
  it('gives what the same function gives in the host, in a worker thread', async () => {
    const dir = await project()
    const jobs = pool(1)
    const viaPool = await jobs.run('metrics', { dir, runId: 'r', view: 'tau', derived: true })
    const direct = await runMetrics(await Project.open(dir), 'r', 'tau', undefined, true)
    expect(viaPool).toEqual(direct)
    const q = { runs: ['r'], view: 'tau' as const, method: 'classical' as const }
    const embedded = await jobs.run('embed', { dir, query: q })
    const again = await embedPaths(await Project.open(dir), q)
    expect(again.cached).toBe(true) // the worker wrote the cache the host reads
    expect(embedded.runs).toEqual(again.runs)
  })

  it('reports errors with the code the host would give', async () => {
    const dir = await project()
    const e = await pool(1)
      .run('metrics', { dir, runId: 'nope', view: 'tau', derived: false }, { context: { request: 'runs.metrics' } })
      .catch((x: unknown) => x)
    expect(e).toBeInstanceOf(ApiError)
    expect((e as ApiError).code).toBe('not-found')
  })

  it('stops a running job when it is aborted, leaves no cache behind, and runs the next job', async () => {
    const dir = await project(60)
    const jobs = pool(1)
    const abort = new AbortController()
    const { started, onProgress } = firstProgress()
    const job = jobs.run('embed', endless(dir), { signal: abort.signal, onProgress })
    await started
    abort.abort()
    const e = (await job.catch((x: unknown) => x)) as ApiError
    expect(e.code).toBe('cancelled')
    expect(jobs.load).toMatchObject({ running: 0, queued: 0, threads: 0 })
    const cached = await readdir(path.join(dir, 'runs', 'r', 'embeddings')).catch(() => [])
    expect(cached).toEqual([])
    const m = await jobs.run('metrics', { dir, runId: 'r', view: 'tau', derived: false })
    expect(m.data.runs[0].series.length).toBeGreaterThan(0)
  })

  it('drops a waiting job at once when it is aborted; interactive jobs go ahead of background ones', async () => {
    const dir = await project(60)
    const jobs = pool(1)
    const stopFirst = new AbortController()
    const { started, onProgress } = firstProgress()
    const first = jobs.run('embed', endless(dir), { signal: stopFirst.signal, onProgress }).catch((x: unknown) => x)
    await started
    const waiting = new AbortController()
    const dropped = jobs.run('metrics', { dir, runId: 'r', view: 'tau', derived: false }, { signal: waiting.signal })
    waiting.abort()
    expect(((await dropped.catch((x: unknown) => x)) as ApiError).code).toBe('cancelled')
    expect(jobs.load.running).toBe(1) // the first job still runs

    const order: string[] = []
    const args = { dir, runId: 'r', view: 'tau' as const, derived: false }
    const background = jobs.run('metrics', args, { priority: 'background' }).then(() => order.push('background'))
    const interactive = jobs.run('metrics', args, { priority: 'interactive' }).then(() => order.push('interactive'))
    expect(jobs.load.queued).toBe(2)
    stopFirst.abort()
    await first
    await Promise.all([background, interactive])
    expect(order).toEqual(['interactive', 'background'])
  })

  it('ends every job cancelled when it closes', async () => {
    const dir = await project(60)
    const jobs = new JobPool(1)
    const { started, onProgress } = firstProgress()
    const running = jobs.run('embed', endless(dir), { onProgress }).catch((x: unknown) => x)
    const queued = jobs.run('metrics', { dir, runId: 'r', view: 'tau', derived: false }).catch((x: unknown) => x)
    await started
    await jobs.close()
    expect(((await running) as ApiError).code).toBe('cancelled')
    expect(((await queued) as ApiError).code).toBe('cancelled')
    const late = (await jobs
      .run('metrics', { dir, runId: 'r', view: 'tau', derived: false })
      .catch((x) => x)) as ApiError
    expect(late.code).toBe('cancelled')
  })
})

describe('warming the pool', () => {
  it('starts its threads idle, and they take the first jobs', async () => {
    const dir = await project()
    const jobs = pool(2)
    jobs.warm()
    expect(jobs.load).toEqual({ running: 0, queued: 0, threads: 2 })
    const args = { dir, runId: 'r', view: 'tau' as const, derived: false }
    await Promise.all([jobs.run('metrics', args), jobs.run('metrics', args)])
    expect(jobs.load.threads).toBe(2) // no thread was added
  })
})

describe('datasets in the pool', () => {
  it('reads a dataset in a worker thread and hands it over in shared memory (no copy), equal to reading it here', async () => {
    const jobs = pool(1)
    const spec = { source: 'mnist' as const, deskew: false }
    const { data, dataset } = await jobs.run('trainData', { spec, cacheDir: tempDir() })
    expect(data.train.values.buffer).toBeInstanceOf(SharedArrayBuffer)
    expect(dataset.train.pixels.buffer).toBeInstanceOf(SharedArrayBuffer)
    const here = await readTrainData(spec)
    expect(data.train.count).toBe(60_000)
    expect(data.test.indptr).toEqual(here.data.test.indptr)
    expect(data.trainLabels).toEqual(here.data.trainLabels)
  })
})
