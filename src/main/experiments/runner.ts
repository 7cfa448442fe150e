/**
 * Turns a spec into a run: creates its archive, trains the networks in worker
 * threads, and writes every (network, snapshot) as it arrives. The same function
 * resumes an interrupted run (it trains whatever is missing) and trains one shard of
 * a run's networks.
 */
import * as path from 'node:path'
import { fs } from '../archive/file-pool'
import type { ExperimentSpec, MlpSpec, StochasticSpec } from '../../shared/spec'
import { canonicalSpec, hiddenWidths, parseSpec } from '../../shared/spec'
import type { EngineRecord, RunProgressEvent } from '../../shared/api/contract'
import { countDone } from '../../shared/progress'
import { acquireLock, isLockHeld, LockedError } from '../archive/lock'
import type { Project } from '../archive/project'
import { MissingArchiveError } from '../archive/errors'
import { RUN_FORMAT, RunArchive, type RunStatus } from '../archive/run'
import { upgradeRun } from '../archive/upgrade'
import { defaultWorkerCount, runWorkers, shareNets } from '../engine/pool'
import type { WorkerInput, WorkerMessage } from '../engine/protocol'
import { runNets } from '../engine/run-nets'
import { MLP_METRICS, mlpShape, stateSize, type TrainData } from '../engine/train'
import { paramCount } from '../engine/mlp'
import { chooseKernel } from '../engine/wasm'
import { runtimeVersions } from '../version'
import { loadTrainData, type TrainDataLoader } from './data'
import { EtaMeter } from './eta'
import { datasetProbe } from './probe'
import { mlpSchedule, weightSnapshots } from './schedule'
import { STOCHASTIC_METRICS, StochasticModel, stochasticSchedule } from './stochastic'

/** Progress of a run's training, as the CLI's bar and the app's events show it. */
export type RunProgress = RunProgressEvent

export interface Shard {
  /** 0-based. */
  index: number
  count: number
}

export interface TrainOptions {
  /** Worker threads (default: one per core). 0 trains in this thread. */
  workers?: number
  signal?: AbortSignal
  onProgress?: (p: RunProgress) => void
  /** Progress lines; `warn` for what the user should act on (a tfjs backend that is installed but broken). */
  onLog?: (line: string, level?: 'info' | 'warn') => void
  /** Called after each (network, snapshot) is written, with its metrics. */
  onSnapshot?: (net: number, snapshot: number, metrics: Float32Array) => void
  shard?: Shard
  /** Where deskewed datasets are cached. */
  cacheDir?: string
  /** How the dataset is loaded (default: in this thread). */
  loadData?: TrainDataLoader
  /** The archive being written, once training starts: a reader in the same process calls
   * its flush() to see every snapshot already reported. */
  onArchive?: (run: RunArchive) => void
}

/** A run that cannot be created or trained as asked: its id is taken by another spec
 * (`exists`), or it was recorded outside sgdscope (`not-applicable`). */
export class RunError extends Error {
  override name = 'RunError'
  constructor(
    message: string,
    readonly runId: string,
    readonly reason: 'exists' | 'not-applicable' = 'exists',
  ) {
    super(message)
  }
}

/** Which engine trains a spec, and why (recorded in the run). `auto` gives batch 1 to
 * the fused engine and measures both engines on the run's own data otherwise. The
 * fused engine's kernel (WebAssembly SIMD, or the TypeScript reference) is chosen by
 * the rule the workers apply, so a bad SGDSCOPE_KERNEL fails here, before any worker. */
export async function chooseEngine(
  spec: ExperimentSpec,
  data?: TrainData,
  opts: { workers?: number; onLog?: (l: string) => void } = {},
): Promise<EngineRecord> {
  if (spec.kind === 'stochastic') return { name: 'stochastic-model', reason: 'the stochastic model of the paper’s §3' }
  const k = chooseKernel()
  // Asked for, the tfjs engine trains any depth (engine/tfjs/deep-mlp.ts for 2–4 hidden layers).
  if (spec.engine === 'tfjs' && !spec.spawn && hiddenWidths(spec).length > 1)
    return { name: 'tfjs', reason: 'requested in the spec', chosen: 'requested in the spec' }
  if (hiddenWidths(spec).length > 1)
    return {
      name: 'fused',
      backend: 'typescript',
      reason: `${spec.engine === 'fused' ? 'requested in the spec' : 'auto'}: ${hiddenWidths(spec).length} hidden layers train on the fused engine's TypeScript kernel`,
    }
  const fused = { name: 'fused', backend: k.kernel === 'wasm' ? 'wasm-simd' : 'typescript' }
  if (spec.spawn)
    return { ...fused, reason: `a spawned run: its children replay their parent on the fused engine; ${k.reason}` }
  if (spec.engine === 'fused') return { ...fused, reason: `requested in the spec; ${k.reason}` }
  if (spec.engine === 'tfjs') return { name: 'tfjs', reason: 'requested in the spec', chosen: 'requested in the spec' } // backend recorded when training starts
  if (!data) return { ...fused, reason: `auto: no data to measure on; ${k.reason}` }
  const { chooseMlpEngine } = await import('../engine/tfjs/choose-engine')
  const c = await chooseMlpEngine(spec, data, { workers: opts.workers ?? defaultWorkerCount(), onLog: opts.onLog })
  const fallback = c.fallback ? { fallback: c.fallback } : {}
  return c.engine === 'tfjs'
    ? { name: 'tfjs', backend: c.backend, reason: c.reason, chosen: c.reason, ...fallback }
    : { ...fused, reason: `${c.reason}; ${k.reason}`, ...fallback }
}

/** Creates a run's archive (status `created`) and lists it in the project. */
export async function createRun(
  project: Project,
  input: unknown,
  opts: { cacheDir?: string; id?: string; loadData?: TrainDataLoader } = {},
): Promise<RunArchive> {
  const spec = parseSpec(input)
  const loaded = spec.kind === 'mlp' ? await loadTrainData(spec.dataset, opts.cacheDir, opts.loadData) : null
  const engine = await chooseEngine(spec, loaded?.data)
  const id = opts.id ?? project.newRunId(spec.preset ?? spec.kind)
  const dir = project.runDir(id)
  const common = { id, spec, engine, versions: runtimeVersions() }
  let run: RunArchive
  if (spec.kind === 'mlp') {
    const { data, dataset } = loaded!
    const schedule = mlpSchedule(spec, data.train.count)
    const shape = mlpShape(spec, data)
    run = await RunArchive.create(dir, {
      ...common,
      pointShape: [Math.min(spec.probe, data.test.count), data.classes],
      nets: spec.nets,
      ...schedule,
      metrics: [...MLP_METRICS],
      stateSize: stateSize(spec, shape),
      weights: { snapshots: weightSnapshots(spec.keepWeights, schedule.epochs), paramCount: paramCount(shape) },
      dataset: {
        id: dataset.id,
        trainCount: data.train.count,
        testCount: data.test.count,
        rows: dataset.train.rows,
        cols: dataset.train.cols,
        classes: data.classes,
      },
      probe: datasetProbe(dataset, spec.probe),
    })
  } else {
    run = await RunArchive.create(dir, {
      ...common,
      pointShape: [spec.dim],
      nets: spec.nets,
      ...stochasticSchedule(spec),
      metrics: [...STOCHASTIC_METRICS],
      stateSize: 0,
    })
  }
  await project.addRun(id, spec.name)
  return run
}

/**
 * The run `id` of the project, created from the spec if it does not exist yet. Shard
 * processes started together all call this: one takes the creation lock and creates
 * the run, the others wait for it and check that their spec is the same. A creator
 * killed half-way (its lock is stale) is replaced by the next process.
 */
export async function createOrJoinRun(
  project: Project,
  input: unknown,
  id: string,
  opts: { cacheDir?: string; waitMs?: number } = {},
): Promise<RunArchive> {
  const spec = parseSpec(input)
  const dir = project.runDir(id)
  await fs.mkdir(dir, { recursive: true })
  const deadline = Date.now() + (opts.waitMs ?? 120_000)
  for (;;) {
    try {
      const run = await RunArchive.open(dir)
      if (canonicalSpec(run.attrs.spec) !== canonicalSpec(spec))
        throw new RunError(`run ${id} already exists with a different spec; give another --run-id`, id)
      return run
    } catch (e) {
      if (!(e instanceof MissingArchiveError)) throw e
    }
    let release: () => Promise<void>
    try {
      release = await acquireLock(path.join(dir, 'creating.json'), `the creation of run ${id}`)
    } catch (e) {
      if (!(e instanceof LockedError) || Date.now() > deadline) throw e
      await new Promise((r) => setTimeout(r, 200)) // another process is creating it
      continue
    }
    try {
      // Created by another process between our look and our lock?
      const made = await fs.access(path.join(dir, 'zarr.json')).then(
        () => true,
        () => false,
      )
      if (!made) return await createRun(project, spec, { cacheDir: opts.cacheDir, id })
    } finally {
      await release()
    }
  }
}

const lockName = (shard?: Shard) => (shard ? `lock-shard-${shard.index}-of-${shard.count}.json` : 'lock.json')

/** The networks of a shard: k ≡ index (mod count). */
export function shardNets(nets: number, shard?: Shard): number[] {
  const all = Array.from({ length: nets }, (_, k) => k)
  return shard ? all.filter((k) => k % shard.count === shard.index) : all
}

/** Lock files of a run whose process is alive, e.g. ['lock.json'] or shard locks. */
export async function liveLocks(run: RunArchive): Promise<string[]> {
  const files = await fs.readdir(run.dir).catch(() => [] as string[])
  const live = []
  for (const f of files) if (/^lock.*\.json$/.test(f) && (await isLockHeld(path.join(run.dir, f)))) live.push(f)
  return live
}

/** The status a reader should believe: a `running` run with no live trainer (or recorder) was
 * interrupted; one whose every snapshot is recorded is complete (shards finishing at
 * the same moment may leave a stale `running` or `interrupted` behind). */
export async function liveStatus(run: RunArchive): Promise<RunStatus> {
  const s = run.attrs.status
  if (s === 'complete' || s === 'failed' || s === 'created') return s
  // Trainers' lock.json / lock-shard-*.json and recorders' lock-recorder-*.json alike.
  if ((await liveLocks(run)).length > 0) return 'running'
  // A recorded run's axis grows with its recorder: all recorded so far is not the end.
  if (run.isExternal) return 'interrupted'
  const { done, total } = await run.progress()
  return done === total ? 'complete' : 'interrupted'
}

/**
 * Trains everything of the run (or of its shard) that is not yet recorded, and
 * returns the run's status afterwards: `complete`, `interrupted` (cancelled, or other
 * shards still missing) or `running` (other shards still at work). Throws after
 * marking the run `failed` on an error.
 */
export async function trainRun(project: Project, runId: string, opts: TrainOptions = {}): Promise<RunStatus> {
  let run = await project.openRun(runId)
  if (run.attrs.spec.kind === 'external')
    throw new RunError(
      `run ${runId} was recorded outside sgdscope (${run.attrs.spec.source}); sgdscope cannot train or resume it`,
      runId,
      'not-applicable',
    )
  const release = await acquireLock(
    path.join(run.dir, lockName(opts.shard)),
    `run ${runId}${opts.shard ? ` (shard ${opts.shard.index + 1}/${opts.shard.count})` : ''}`,
  )
  // Resuming a format-1 or format-3 run upgrades it first: format 4 writes its flags and metrics in one chunk
  // each and τ in one shard per network.
  if (!run.consolidated || run.attrs.sgdscope.format !== RUN_FORMAT) {
    try {
      await upgradeRun(run.dir, { trainer: true })
      run = await project.openRun(runId)
    } catch (e) {
      await release()
      throw e
    }
  }
  const started = Date.now()
  opts.onArchive?.(run)
  try {
    await run.update({ status: 'running', error: undefined, ...(opts.shard ? { shardCount: opts.shard.count } : {}) })
    const spec = run.attrs.spec
    if (spec.kind === 'external') throw new Error('unreachable: external runs were refused above')
    const cancelled = spec.kind === 'mlp' ? await trainMlp(run, spec, opts) : await trainStochastic(run, spec, opts)
    const { done, total } = await run.progress()
    let status: RunStatus = done === total ? 'complete' : 'interrupted'
    // Our share is done; other shards may still be training.
    if (status === 'interrupted' && !cancelled && (await liveLocks(run)).some((f) => f !== lockName(opts.shard)))
      status = 'running'
    await run.update({ status, trainSeconds: (run.attrs.trainSeconds ?? 0) + (Date.now() - started) / 1000 })
    return status
  } catch (e) {
    const message = (e as Error).message ?? String(e)
    await run.update({ status: 'failed', error: message }).catch(() => {})
    throw e
  } finally {
    await release()
  }
}

/** Sends progress at most every 200 ms (and at the end). Snapshots are counted over the
 * whole run from its done flags (`done`, [net][snapshot], updated here), a pair once however
 * often it is recomputed, so the count is the summary's (src/shared/progress.ts) and a
 * resume continues from where the run stood. Samples are this process's share, for the speed. */
function progressMeter(
  runId: string,
  totalSamples: number,
  done0: number,
  done: Uint8Array,
  nets: number,
  S: number,
  onProgress?: (p: RunProgress) => void,
  threads = 1,
) {
  const t0 = Date.now()
  let samples = done0
  const counts = countDone(done, nets, S)
  const perNet = Array.from({ length: nets }, (_, k) => done.subarray(k * S, (k + 1) * S).reduce((a, b) => a + b, 0))
  // Snapshots for the ETA: the whole run's (a shard's ETA counts the others' snapshots left too).
  const snaps0 = counts.done
  let evalSeconds: number | undefined
  let last = 0
  const eta = new EtaMeter(totalSamples, counts.total, threads)
  // The speed is measured from the first report on: starting the workers and loading the
  // data are not training speed.
  let first: { at: number; samples: number; snapshots: number; evalSeconds: number } | null = null
  const emit = (force = false) => {
    const now = Date.now()
    if (!onProgress || (!force && now - last < 200)) return
    last = now
    const snapshots = counts.done
    if (!first) {
      if (samples + snapshots > done0 + snaps0) first = { at: now, samples, snapshots, evalSeconds: evalSeconds ?? 0 }
    } else
      eta.observe({
        seconds: (now - first.at) / 1000,
        samples: samples - first.samples,
        snapshots: snapshots - first.snapshots,
        ...(evalSeconds !== undefined ? { evalSeconds: evalSeconds - first.evalSeconds } : {}),
      })
    const elapsed = (now - t0) / 1000
    const rate = elapsed > 0 ? (samples - done0) / elapsed : 0
    onProgress({
      runId,
      samplesDone: samples,
      samplesTotal: totalSamples,
      snapshotsDone: counts.done,
      snapshotsTotal: counts.total,
      netsDone: counts.netsDone!,
      samplesPerSec: rate,
      etaSeconds: eta.secondsLeft(samples, snapshots) ?? (rate > 0 ? (totalSamples - samples) / rate : null),
      elapsedSeconds: elapsed,
    })
  }
  return {
    samples: (n: number) => {
      samples += n
      emit()
    },
    /** A snapshot recorded; `seconds`: the thread-time its evaluation took, if measured. */
    snapshot: (net: number, j: number, seconds?: number) => {
      if (!done[net * S + j]) {
        done[net * S + j] = 1
        counts.done++
        if (++perNet[net]! === S) counts.netsDone!++
      }
      if (seconds !== undefined) evalSeconds = (evalSeconds ?? 0) + seconds
      emit()
    },
    end: () => emit(true),
  }
}

/** Writes arrive from workers faster than one at a time; keep them in order. After a
 * failed write (disk full, permission denied) nothing more is written and `onFailure`
 * stops the training, so the run ends `failed` with the reason. */
function writeQueue(onFailure: () => void) {
  let tail: Promise<void> = Promise.resolve()
  let failure: unknown = null
  return {
    push(job: () => Promise<void>) {
      tail = tail
        .then(() => (failure ? undefined : job()))
        .catch((e) => {
          failure ??= e
          onFailure()
        })
    },
    async drain() {
      await tail
      if (failure) throw failure
    },
  }
}

async function trainMlp(run: RunArchive, spec: MlpSpec, opts: TrainOptions): Promise<boolean> {
  const { data } = await loadTrainData(spec.dataset, opts.cacheDir, opts.loadData)
  const samples = Array.from((await run.readTimes()).samples)
  const S = samples.length
  const doneFlags = await run.readDone()
  // Each network restarts from its saved state; snapshots recorded after it (a crash
  // between writing a snapshot and its state) are recomputed to the same bytes.
  const todo: WorkerInput['nets'] = []
  let samplesDone = 0
  const mine = shardNets(spec.nets, opts.shard)
  for (const net of mine) {
    const saved = await run.readState(net)
    if (saved && saved.snapshot >= S - 1 && doneFlags[net * S + S - 1]) {
      samplesDone += samples[S - 1]
      continue
    }
    todo.push(saved ? { net, snapshot: saved.snapshot, state: saved.state } : { net, snapshot: -1 })
    samplesDone += saved ? samples[saved.snapshot] : 0
  }
  const meter = progressMeter(
    run.id,
    mine.length * samples[S - 1],
    samplesDone,
    Uint8Array.from(doneFlags),
    spec.nets,
    S,
    opts.onProgress,
    Math.max(1, Math.min(opts.workers ?? defaultWorkerCount(), todo.length)),
  )
  if (todo.length === 0) return false
  const cancel = new Int32Array(new SharedArrayBuffer(4))
  const onAbort = () => Atomics.store(cancel, 0, 1)
  opts.signal?.addEventListener('abort', onAbort)
  if (opts.signal?.aborted) onAbort()
  const queue = writeQueue(onAbort)
  const onMessage = (m: WorkerMessage) => {
    if (m.type === 'tick') meter.samples(m.samples)
    else if (m.type === 'snapshot') {
      queue.push(async () => {
        if (run.attrs.paramCount) await run.writeWeights(m.net, m.snapshot, m.state.subarray(0, run.attrs.paramCount))
        await run.writeSnapshot(m.net, m.snapshot, m.tau, m.metrics)
        await run.writeState(m.net, m.snapshot, m.state)
        meter.snapshot(m.net, m.snapshot, m.seconds)
        opts.onSnapshot?.(m.net, m.snapshot, m.metrics)
      })
    }
  }
  const workers = opts.workers ?? defaultWorkerCount()
  const engineName = run.attrs.engine?.name === 'tfjs' ? 'tfjs' : 'fused'
  opts.onLog?.(
    `training ${todo.length} network(s) of run ${run.id} with the ${engineName} engine on ${workers === 0 ? 'this thread' : `${Math.min(workers, todo.length)} worker thread(s)`}`,
  )
  let cancelled: boolean
  try {
    if (engineName === 'tfjs') {
      const { isNativeInstalled, selectBackend } = await import('../engine/tfjs/backend')
      const choice = await selectBackend({ onLog: (l) => opts.onLog?.(l, 'warn') })
      // Why tfjs, then why this backend; on a resume the backend's part is replaced, not repeated.
      const chosen = run.attrs.engine?.chosen ?? run.attrs.engine?.reason ?? 'requested in the spec'
      await run.update({
        engine: {
          name: 'tfjs',
          backend: choice.name,
          reason: `${chosen}; ${choice.reason}`,
          chosen,
          ...(choice.fallbacks.length > 0 ? { fallback: choice.fallbacks.join('; ') } : {}),
        },
      })
      // tfjs-node can be loaded by one thread per process (tensorflow/tfjs#2079, #8388)
      // and is multi-threaded itself: with it (or workers 0) train here.
      if (workers === 0 || choice.name === 'tensorflow' || isNativeInstalled()) {
        const { runTfjs } = await import('../engine/tfjs/engine')
        cancelled = (
          await runTfjs({ spec, data, samples, nets: todo, cancel }, onMessage, {
            backend: choice.name,
            onLog: opts.onLog,
          })
        ).cancelled
      } else {
        // wasm and cpu are single-threaded: one batched group per worker.
        const inputs = shareNets(todo, workers).map((nets) => ({
          spec,
          data,
          samples,
          nets,
          cancel,
          engine: 'tfjs' as const,
          backend: choice.name,
        }))
        cancelled = (await runWorkers(inputs, onMessage)).cancelled
      }
    } else if (workers === 0) {
      cancelled = runNets({ spec, data, samples, nets: todo, cancel }, onMessage)
    } else {
      const inputs = shareNets(todo, workers).map((nets) => ({ spec, data, samples, nets, cancel }))
      cancelled = (await runWorkers(inputs, onMessage)).cancelled
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort)
    try {
      await queue.drain()
    } finally {
      // What the archive still holds back (format 3 writes flags in batches) goes to disk.
      await run.flush()
    }
  }
  meter.end()
  return cancelled
}

async function trainStochastic(run: RunArchive, spec: StochasticSpec, opts: TrainOptions): Promise<boolean> {
  const samples = Array.from((await run.readTimes()).samples)
  const S = samples.length
  const doneFlags = await run.readDone()
  const mine = shardNets(spec.nets, opts.shard)
  const meter = progressMeter(
    run.id,
    mine.length * samples[S - 1],
    0,
    Uint8Array.from(doneFlags),
    spec.nets,
    S,
    opts.onProgress,
  )
  // The model is cheap: a resumed vector is recomputed from the start, writing only
  // what is missing.
  try {
    for (const net of mine) {
      const model = new StochasticModel(spec, net)
      for (let j = 0; j < S; j++) {
        if (opts.signal?.aborted) return true
        if (j > 0) model.step(samples[j] - samples[j - 1])
        meter.samples(j > 0 ? samples[j] - samples[j - 1] : 0)
        if (!doneFlags[net * S + j]) {
          const metrics = Float32Array.of(model.norm())
          await run.writeSnapshot(net, j, Float32Array.from(model.theta), metrics)
          opts.onSnapshot?.(net, j, metrics)
        }
        meter.snapshot(net, j)
      }
      // Let an abort signal (Ctrl-C) be delivered between vectors.
      await new Promise((r) => setImmediate(r))
    }
  } finally {
    await run.flush()
  }
  meter.end()
  return false
}
