/**
 * `engine: auto` for MLP runs (docs/method.md, Engines): which engine trains a spec faster here.
 *
 * Batch 1 is the fused kernel's home ground: it visits only the non-zero pixels, while
 * a tensor program pays for ~30 dispatched operations per step and dense 784-wide
 * inputs (measured in bench/tfjs.ts: tfjs is far slower at batch 1 on every
 * backend available here), so batch 1 → fused without measuring. For larger batches
 * both engines are timed for a moment on the run's own data and shape, and the faster
 * one (by projected samples/s of the whole run) wins; tfjs must win by 10 % to be
 * chosen, since the fused engine computes in float64 and needs no optional packages.
 *
 * Also the throughput probes that bench/tfjs.ts prints.
 */
import { parseSpec, type MlpSpec } from '../../../shared/spec'
import type { Loss, MlpShape } from '../mlp'
import { epochOrder } from '../rng'
import { CHECK_EVERY, mlpShape, NetTrainer, type TrainData } from '../train'
import { selectBackend, type TfjsBackend, type TfjsBackendPreference } from './backend'
import { createGroup, defaultMaxGroup, initialState } from './engine'
import { BatchGatherer, defaultStrategy, type MatmulStrategy } from './group'

export interface ThroughputOptions {
  data: TrainData
  shape: MlpShape
  loss: Loss
  batch: number
  momentum?: number
  lr?: number
  /** Timed for at least this long (default 1 s) … */
  seconds?: number
  /** … and at least this many steps (default 3). */
  minSteps?: number
  /**
   * `cpu`: this process's CPU time (all its threads), robust against other processes on
   * the machine: for native TensorFlow too, it is what a sample costs a core. `wall`:
   * elapsed time. Default `cpu`; both are returned either way.
   */
  clock?: 'cpu' | 'wall'
}

export interface Throughput {
  /** Samples per second, all networks together. */
  samplesPerSec: number
  /** The same per network. */
  perNet: number
  nets: number
  steps: number
  seconds: number
  /** The timed steps' wall time and this process's CPU time (all its threads: native TensorFlow's too). */
  wallSeconds: number
  cpuSeconds: number
}

const specFor = (loss: Loss, momentum: number) => parseSpec({ seed: 1, loss, momentum }) as MlpSpec

function timer(clock: 'cpu' | 'wall'): () => number {
  if (clock === 'wall') {
    const t0 = performance.now()
    return () => (performance.now() - t0) / 1000
  }
  const c0 = process.cpuUsage()
  return () => {
    const c = process.cpuUsage(c0)
    return (c.user + c.system) / 1e6
  }
}

/** Runs `step` (which trains `perStep` samples) untimed twice, then for the time budget. */
function timeSteps(step: (k: number) => void, perStep: number, nets: number, opts: ThroughputOptions): Throughput {
  step(0)
  step(1)
  const budget = opts.seconds ?? 1
  const minSteps = opts.minSteps ?? 3
  const wall = timer('wall')
  const cpu = timer('cpu')
  const elapsed = opts.clock === 'wall' ? wall : cpu
  let steps = 0
  let seconds = 0
  while (steps < minSteps || seconds < budget) {
    step(2 + steps)
    steps++
    seconds = elapsed()
  }
  const [wallSeconds, cpuSeconds] = [wall(), cpu()]
  const samplesPerSec = (steps * perStep * nets) / seconds
  return { samplesPerSec, perNet: samplesPerSec / nets, nets, steps, seconds, wallSeconds, cpuSeconds }
}

/**
 * The fused engine as the runner uses it (NetTrainer, with whichever kernel it picks):
 * one network in this thread. `kernel` names the kernel where the trainer reports one.
 */
export function fusedThroughput(opts: ThroughputOptions): Throughput & { kernel: string } {
  const { data, shape, batch } = opts
  const spec = parseSpec({
    hidden: shape.hidden,
    loss: opts.loss,
    batch,
    momentum: opts.momentum ?? 0,
    lr: opts.lr ?? 0.1,
    seed: 1,
    trainSubset: 1,
    probe: 1,
  }) as MlpSpec
  const trainer = new NetTrainer(spec, data, 0)
  const kernel = (trainer.mlp as { kernel?: string }).kernel ?? 'ts'
  // Whole batches of about 2 048 samples per timed step (the trainer's own loop).
  const chunk = batch * Math.max(1, Math.round(CHECK_EVERY / batch))
  let at = 0
  let done = 0
  const t = timeSteps(
    () => {
      trainer.advance(at, at + chunk, (n) => {
        done += n
        return true
      })
      at += chunk
    },
    chunk,
    1,
    opts,
  )
  // Count what was trained (an epoch's last batch may be smaller) over the timed steps.
  const perStep = done / (t.steps + 2)
  const samplesPerSec = (t.steps * perStep) / t.seconds
  return { ...t, samplesPerSec, perNet: samplesPerSec, kernel }
}

/** The tfjs engine's training step on the current tfjs backend: `nets` networks batched. */
export function tfjsThroughput(opts: ThroughputOptions & { nets: number; strategy: MatmulStrategy }): Throughput {
  const { data, shape, batch, nets } = opts
  const N = data.train.count
  const momentum = opts.momentum ?? 0
  const spec = specFor(opts.loss, momentum)
  const states = Array.from({ length: nets }, (_, n) => initialState(spec, shape, n))
  const mlp = createGroup(opts.strategy, shape, opts.loss, momentum, states)
  const gatherer = new BatchGatherer(nets, shape, batch, mlp.wantsTransposed)
  const orders = Array.from({ length: nets }, (_, n) => epochOrder(N, 1, n, 0))
  const lr = opts.lr ?? 0.1
  try {
    return timeSteps(
      (k) => {
        const pos = (k * batch) % (N - batch + 1)
        mlp.step(gatherer.gather(data.train, data.trainLabels, orders, pos, batch), lr)
      },
      batch,
      nets,
      opts,
    )
  } finally {
    mlp.dispose()
  }
}

export interface EngineChoice {
  engine: 'fused' | 'tfjs'
  /** One line for the run's attributes and the log. */
  reason: string
  /** The tfjs backend, when tfjs is chosen (force it in the workers so all agree). */
  backend?: TfjsBackend
  /** Installed tfjs backends that were broken and skipped while measuring, with why. */
  fallback?: string
  /** What was measured (absent when the rule needed no measurement). */
  measured?: {
    /** Fused samples/s of one network on one thread. */
    fusedPerThread: number
    /** tfjs samples/s of one batched group (`nets` networks) on `backend`. */
    tfjsPerGroup: number
    nets: number
    backend: TfjsBackend
    /** Projected samples/s of the whole run, both engines. */
    fusedRun: number
    tfjsRun: number
  }
}

export interface ChooseEngineOptions {
  /** Training threads the runner will use (default 1). */
  workers?: number
  /** Seconds of timing per engine (default 0.3). */
  seconds?: number
  backend?: TfjsBackendPreference
  onLog?: (line: string) => void
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US')
const memo = new Map<string, Promise<EngineChoice>>()

/**
 * Chooses the engine for `engine: auto` (memoised per shape, batch, loss, momentum and
 * thread count for the process). Batch 1 → fused without measuring; otherwise both
 * engines are timed on `data` (about 2 × `seconds`).
 *
 * Projection: the fused engine trains one network per worker thread, so a run goes at
 * fused × min(workers, nets). tfjs on wasm/cpu is single-threaded and is meant to run
 * one group per worker too (tfjs × min(workers, nets)). Native TensorFlow runs in one
 * worker on its own threads, which spread each operation over the cores: it is timed in
 * CPU time too (all its threads; CPU time per sample is what a sample costs a core, and
 * unlike wall time it does not count other processes on a busy machine against it) and
 * projected over the workers' cores (tfjs × workers). bench/engines.ts measured both here.
 */
export function chooseMlpEngine(spec: MlpSpec, data: TrainData, opts: ChooseEngineOptions = {}): Promise<EngineChoice> {
  const workers = Math.max(1, opts.workers ?? 1)
  const key = JSON.stringify([
    data.train.count,
    data.train.dim,
    spec.hidden,
    data.classes,
    spec.batch,
    spec.loss,
    spec.momentum,
    spec.nets,
    workers,
    opts.backend ?? null,
  ])
  let p = memo.get(key)
  if (!p) {
    p = measure(spec, data, workers, opts)
    memo.set(key, p)
    p.catch(() => memo.delete(key))
  }
  return p
}

async function measure(
  spec: MlpSpec,
  data: TrainData,
  workers: number,
  opts: ChooseEngineOptions,
): Promise<EngineChoice> {
  if (spec.batch === 1) {
    return {
      engine: 'fused',
      reason:
        'auto: batch 1 is the fused sparse kernel’s home ground (a tensor program spends a batch-1 step dispatching operations)',
    }
  }
  let backend: TfjsBackend
  let fallback: { fallback: string } | Record<string, never> = {}
  try {
    const choice = await selectBackend({ backend: opts.backend, onLog: opts.onLog })
    backend = choice.name
    if (choice.fallbacks.length > 0) fallback = { fallback: choice.fallbacks.join('; ') }
  } catch (e) {
    return { engine: 'fused', reason: `auto: no tfjs backend available (${(e as Error).message})` }
  }
  const shape = mlpShape(spec, data)
  const batch = Math.min(spec.batch, data.train.count)
  const seconds = opts.seconds ?? 0.3
  const base = { data, shape, loss: spec.loss, batch, momentum: spec.momentum, lr: spec.lr, seconds, minSteps: 2 }
  const fused = fusedThroughput(base)
  const threads = Math.min(workers, spec.nets)
  const perWorker = backend === 'tensorflow' ? spec.nets : Math.ceil(spec.nets / threads)
  const nets = Math.max(1, Math.min(perWorker, defaultMaxGroup(shape, batch, spec.momentum), 16))
  const tfjs = tfjsThroughput({
    ...base,
    nets,
    strategy: defaultStrategy(backend),
    clock: 'cpu',
  })
  const fusedRun = fused.samplesPerSec * threads
  const tfjsRun = tfjs.samplesPerSec * (backend === 'tensorflow' ? workers : threads)
  const measured = {
    fusedPerThread: fused.samplesPerSec,
    tfjsPerGroup: tfjs.samplesPerSec,
    nets,
    backend,
    fusedRun,
    tfjsRun,
  }
  const numbers = `tfjs/${backend} ${fmt(tfjsRun)} vs fused ${fmt(fusedRun)} samples/s measured at batch ${spec.batch} on ${threads} thread(s)${backend === 'tensorflow' ? ` (native TensorFlow: its CPU time per sample over ${workers} core(s))` : ''}`
  // A broken native backend changes what was measured: say so in the reason too.
  const skipped = 'fallback' in fallback ? ` (tfjs measured on ${backend}: ${fallback.fallback})` : ''
  if (tfjsRun > 1.1 * fusedRun)
    return { engine: 'tfjs', backend, reason: `auto: ${numbers}${skipped}`, measured, ...fallback }
  return { engine: 'fused', reason: `auto: ${numbers}${skipped}`, measured, ...fallback }
}
