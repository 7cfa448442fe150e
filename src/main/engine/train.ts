/**
 * Training one network of an MLP run between snapshots, and observing it at a
 * snapshot. Used by the worker threads; everything here is deterministic given
 * (spec, network index), whichever thread or process runs it.
 */
import { hiddenWidths, type MlpSpec } from '../../shared/spec'
import { initParams, paramCount, type MlpKernel, type MlpShape, type TrainOptions } from './mlp'
import { Rng, epochOrder, hashKeys, initRng } from './rng'
import type { SparseImages } from './sparse'
import { createMlp } from './wasm'

/** The dataset as the engine sees it: sparse images in shared memory. */
export interface TrainData {
  train: SparseImages
  trainLabels: Uint8Array
  test: SparseImages
  testLabels: Uint8Array
  classes: number
}

/** Metric columns of an MLP run, in archive order. Errors are fractions. */
export const MLP_METRICS = ['train_loss', 'train_error', 'test_loss', 'test_error'] as const

export function mlpShape(spec: MlpSpec, data: TrainData): MlpShape {
  const [hidden, ...deeper] = hiddenWidths(spec)
  // One hidden layer: the paper's shape object, exactly as before.
  return deeper.length === 0
    ? { inputs: data.train.dim, hidden: hidden!, outputs: data.classes }
    : { inputs: data.train.dim, hidden: hidden!, outputs: data.classes, deeper }
}

/** The kernel options of a spec (fields that older specs lack take the paper's settings). */
export function trainOptionsOf(spec: MlpSpec): TrainOptions {
  return {
    activation: spec.activation ?? 'sigmoid',
    weightDecay: spec.weightDecay ?? 0,
    nesterov: spec.nesterov ?? false,
  }
}

/** Length of a network's saved state: parameters, then the momentum buffer if any. */
export function stateSize(spec: MlpSpec, shape: MlpShape): number {
  return paramCount(shape) * (spec.momentum > 0 ? 2 : 1)
}

/**
 * Learning rate for the batch that starts after `samples` samples: the schedule times the
 * warm-up factor, both functions of the epoch reached (samples / trainCount). When the
 * batch size divides the training set, this is PyTorch's schedulers stepped once per
 * batch (StepLR, CosineAnnealingLR with T_max = all steps, LinearLR with total_iters =
 * the warm-up's steps; warm-up and schedule multiplied as ChainedScheduler does).
 */
export function lrAt(spec: MlpSpec, samples: number, trainCount: number): number {
  const s = spec.lrSchedule
  const epoch = samples / trainCount
  let lr: number
  switch (s.kind) {
    case 'constant':
      lr = spec.lr
      break
    case 'step':
      lr = spec.lr * Math.pow(s.gamma, Math.floor(epoch / s.every + 1e-9))
      break
    case 'linear':
      lr = spec.lr * (1 + (s.to - 1) * Math.min(1, epoch / spec.epochs))
      break
    case 'cosine': {
      const min = spec.lr * s.to
      lr = min + ((spec.lr - min) * (1 + Math.cos(Math.PI * Math.min(1, epoch / spec.epochs)))) / 2
      break
    }
  }
  // Old specs (and parseSpec's defaults) have no warm-up: the schedule's value unchanged.
  const w = spec.lrWarmup
  if (w && w.epochs > 0 && epoch < w.epochs) lr *= w.startFactor + (1 - w.startFactor) * (epoch / w.epochs)
  return lr
}

/** How often (in samples) a training loop looks at the cancel flag and reports. */
export const CHECK_EVERY = 2048

/**
 * Who a network of a spawned run is (spec.spawn): its parent network, the sample count of
 * its spawn point, and whether it leaves the parent's sample order or perturbs the weights
 * there. Null for an ordinary run's network.
 */
export interface SpawnOrigin {
  parent: number
  /** Samples seen at the spawn point (a parent snapshot, so a step boundary). */
  from: number
  /** Sample orders from `from` on: the child's own stream, or the parent's. */
  ownOrder: boolean
  /** σ of the Gaussian perturbation applied at `from`, or 0. */
  sigma: number
  /** Seed of the child's order and perturbation. */
  seed: number
}

export function spawnOrigin(spec: MlpSpec, net: number, trainCount: number): SpawnOrigin | null {
  const s = spec.spawn
  if (!s) return null
  const A = s.at.length
  const per = A * s.children
  const parent = s.parentNets[Math.floor(net / per)]
  if (parent === undefined)
    throw new Error(`network ${net} is not a child of this spawned run (${s.parentNets.length * per} children)`)
  const at = s.at[Math.floor(net / s.children) % A]!
  return {
    parent,
    // `at` is a parent snapshot's epoch, samples / trainCount: rounding recovers the samples.
    from: Math.round(at * trainCount),
    ownOrder: s.noise.kind === 'order',
    sigma: s.noise.kind === 'perturb' ? s.noise.sigma : 0,
    seed: hashKeys(spec.seed, s.seed, 7),
  }
}

export class NetTrainer {
  /** The WebAssembly SIMD kernel where available, else the TypeScript one (see wasm/index.ts). */
  mlp: MlpKernel
  readonly shape: MlpShape
  private order: Uint32Array | null = null
  private orderKey = ''
  /** Set for a network of a spawned run: it is its parent until the spawn point. */
  readonly origin: SpawnOrigin | null
  private outputs: Float32Array
  private readonly batchIdx: Uint32Array

  constructor(
    readonly spec: MlpSpec,
    readonly data: TrainData,
    readonly net: number,
    state?: Float32Array,
  ) {
    this.shape = mlpShape(spec, data)
    this.origin = spawnOrigin(spec, net, data.train.count)
    const n = paramCount(this.shape)
    const params = state
      ? state.slice(0, n)
      : initParams(this.shape, spec.init, spec.initSigma, initRng(spec.seed, this.origin?.parent ?? net))
    const velocity = spec.momentum > 0 ? (state ? state.slice(n, 2 * n) : new Float32Array(n)) : undefined
    this.mlp = createMlp(this.shape, spec.loss, params, spec.momentum, velocity, undefined, trainOptionsOf(spec))
    this.outputs = new Float32Array(data.test.count * data.classes)
    this.batchIdx = new Uint32Array(spec.batch)
  }

  /** Parameters then momentum buffer: everything needed to continue bit-identically. */
  state(): Float32Array {
    const params = this.mlp.readParams()
    const velocity = this.mlp.readVelocity()
    if (!velocity) return params
    const s = new Float32Array(params.length + velocity.length)
    s.set(params)
    s.set(velocity, params.length)
    return s
  }

  /** The sample order of an epoch for the batch starting at sample `s`: a spawned child
   * with its own order uses it from the spawn point on (in the epoch of the spawn point,
   * for the positions after it), and its parent's before. */
  private orderFor(epoch: number, s: number): Uint32Array {
    const o = this.origin
    const own = o !== null && o.ownOrder && s >= o.from
    const key = `${own ? 'own' : 'parent'}:${epoch}`
    if (key !== this.orderKey) {
      const N = this.data.train.count
      this.order = own
        ? epochOrder(N, o.seed, this.net, epoch)
        : epochOrder(N, this.spec.seed, this.spec.order === 'shared' ? 'shared' : (o?.parent ?? this.net), epoch)
      this.orderKey = key
    }
    return this.order!
  }

  /** A child spawned with a perturbation gets it when it reaches its spawn point, before
   * that snapshot is observed: params += σ·N(0,1) from its own stream (the momentum
   * buffer is kept). Returns whether it perturbed. */
  perturbAt(samples: number): boolean {
    const o = this.origin
    if (!o || o.sigma === 0 || samples !== o.from) return false
    const params = this.mlp.readParams()
    const rng = new Rng(hashKeys(o.seed, this.net, 3))
    for (let i = 0; i < params.length; i++) params[i] = Math.fround(params[i]! + o.sigma * rng.normal())
    // Kernels take their state at construction: a new one from the perturbed weights.
    const velocity = this.mlp.readVelocity() ?? undefined
    ;(this.mlp as { dispose?: () => void }).dispose?.()
    this.mlp = createMlp(
      this.shape,
      this.spec.loss,
      params,
      this.spec.momentum,
      velocity,
      undefined,
      trainOptionsOf(this.spec),
    )
    return true
  }

  /**
   * Trains on samples [from, to) of this network's sample stream. `tick(n)` is called
   * every CHECK_EVERY samples or so with the samples done since the last call; if it
   * returns false, training stops and `advance` returns false (the state is then
   * mid-segment and must be discarded).
   */
  advance(from: number, to: number, tick?: (samples: number) => boolean): boolean {
    const N = this.data.train.count
    const m = this.spec.batch
    let s = from
    let sinceTick = 0
    while (s < to) {
      const epoch = Math.floor(s / N)
      const pos = s - epoch * N
      const end = Math.min(pos + m, N)
      const order = this.orderFor(epoch, s)
      const lr = lrAt(this.spec, s, N)
      if (end - pos === m) {
        for (let i = 0; i < m; i++) this.batchIdx[i] = order[pos + i]
        this.mlp.step(this.data.train, this.data.trainLabels, this.batchIdx, lr)
      } else {
        this.mlp.step(this.data.train, this.data.trainLabels, order.subarray(pos, end), lr)
      }
      s += end - pos
      sinceTick += end - pos
      if (sinceTick >= CHECK_EVERY && tick) {
        if (!tick(sinceTick)) return false
        sinceTick = 0
      }
    }
    if (tick && sinceTick > 0) tick(sinceTick)
    return true
  }

  /** τ on the probe set (the first `probe` test images) and the metrics. */
  observe(): { tau: Float32Array; metrics: Float32Array } {
    const { spec, data } = this
    const C = data.classes
    const T = Math.min(spec.trainSubset, data.train.count)
    const train = this.mlp.evaluate(data.train, data.trainLabels, 0, T)
    const test = this.mlp.evaluate(data.test, data.testLabels, 0, data.test.count, this.outputs)
    const P = Math.min(spec.probe, data.test.count)
    const tau = this.outputs.slice(0, P * C)
    const metrics = Float32Array.of(train.loss, train.errors / T, test.loss, test.errors / data.test.count)
    return { tau, metrics }
  }
}
