/**
 * A group of one-hidden-layer MLPs of the same spec that the `tfjs` engine trains
 * together, and the minibatches it feeds them.
 *
 * Two programs compute the same math (mlp.ts, in float32 tensors):
 *
 * - `batched` (batched-mlp.ts): the parameters of all networks are [nets, …] tensors
 *   and every operation of a step covers all networks: one batched matMul per product.
 *   What native TensorFlow (and the pure-JS cpu backend) does best.
 * - `per-net` (per-net-mlp.ts): one 2-D program per network, arranged so that every
 *   large product goes to XNNPACK. tfjs-backend-wasm runs batched (3-D) products in a
 *   scalar loop, sends a 2-D product to XNNPACK only without transposes, packs the
 *   right operand anew whenever it is a new tensor (the weights change every step),
 *   and copies a whole tensor to slice it; the per-network program keeps the batch data
 *   as the packed operand and never slices. ≈2.5× faster on wasm at batch 100
 *   (bench/tfjs.ts).
 *
 * States go in and out in the fused engine's layout (parameters, then the velocity with
 * momentum), so a run can be resumed by either engine.
 */
import * as tf from '@tensorflow/tfjs-core'
import type { Activation, Loss, MlpShape, TrainOptions } from '../mlp'
import type { SparseImages } from '../sparse'

/** The hidden non-linearity. */
export function activate<T extends tf.Tensor>(a: Activation, z: T): T {
  return a === 'tanh' ? tf.tanh(z) : a === 'relu' ? tf.relu(z) : tf.sigmoid(z)
}

/** Its derivative in terms of the activation h: h(1 − h), 1 − h², [h > 0] (ReLU's gradient at 0 is 0, as PyTorch's). */
export function activationGrad<T extends tf.Tensor>(a: Activation, h: T): T {
  return a === 'tanh' ? tf.sub(1, tf.mul(h, h)) : a === 'relu' ? tf.step(h) : tf.mul(h, tf.sub(1, h))
}

/**
 * Whether a step needs the general update (weight decay or Nesterov); otherwise the
 * programs keep their original operations, so today's runs give the same bits.
 */
export const generalUpdate = (o: Required<TrainOptions>) => o.weightDecay > 0 || o.nesterov

/**
 * torch.optim.SGD's update with weight decay and/or Nesterov, from the plain gradients g
 * (not scaled by η): g′ = g + wd·θ; with momentum v ← μv + g′, d = g′ + μv (Nesterov)
 * or v; else d = g′; θ ← θ − η·d. Returns the new parameters, then the new velocities.
 */
export function generalSgd<T extends tf.Tensor>(
  p: readonly T[],
  g: readonly T[],
  v: readonly T[] | null,
  lr: number,
  mu: number,
  o: Required<TrainOptions>,
): T[] {
  const gd = g.map((x, j) => (o.weightDecay > 0 ? tf.add(x, tf.mul(p[j]!, o.weightDecay)) : x) as T)
  if (!v) return p.map((w, j) => tf.sub(w, tf.mul(gd[j]!, lr)) as T)
  const vNext = v.map((old, j) => tf.add(tf.mul(old, mu), gd[j]!) as T)
  const d = o.nesterov ? vNext.map((x, j) => tf.add(gd[j]!, tf.mul(x, mu)) as T) : vNext
  return [...p.map((w, j) => tf.sub(w, tf.mul(d[j]!, lr)) as T), ...vNext]
}

export type MatmulStrategy = 'batched' | 'per-net'
export const MATMUL_STRATEGIES: readonly MatmulStrategy[] = ['batched', 'per-net']

/** The default program for a backend. */
export function defaultStrategy(backend: string): MatmulStrategy {
  return backend === 'wasm' ? 'per-net' : 'batched'
}

/** One minibatch of every network, in the layouts a step uploads. */
export interface GatheredBatch {
  /** Samples per network. */
  m: number
  /** [nets, m, inputs] dense inputs. */
  x: Float32Array
  /** [nets, m, outputs] one-hot targets. */
  t: Float32Array
  /** [nets, inputs, m]: x transposed (when the gatherer was asked for it). */
  xt: Float32Array | null
  /** [nets, outputs, m]: t transposed (likewise). */
  tt: Float32Array | null
}

/**
 * Dense minibatches from sparse images into buffers allocated once: network n's batch
 * is samples `orders[n][pos … pos + m)`.
 */
export class BatchGatherer {
  private readonly x: Float32Array
  private readonly t: Float32Array
  private readonly xt: Float32Array | null
  private readonly tt: Float32Array | null

  constructor(
    readonly nets: number,
    readonly shape: MlpShape,
    readonly maxBatch: number,
    transposed: boolean,
  ) {
    const n = nets * maxBatch
    this.x = new Float32Array(n * shape.inputs)
    this.t = new Float32Array(n * shape.outputs)
    this.xt = transposed ? new Float32Array(n * shape.inputs) : null
    this.tt = transposed ? new Float32Array(n * shape.outputs) : null
  }

  gather(
    images: SparseImages,
    labels: Uint8Array,
    orders: readonly Uint32Array[],
    pos: number,
    m: number,
  ): GatheredBatch {
    const { inputs: I, outputs: K } = this.shape
    const N = this.nets
    if (orders.length !== N) throw new RangeError(`BatchGatherer: ${orders.length} orders for ${N} networks`)
    if (!(m >= 1 && m <= this.maxBatch)) throw new RangeError(`BatchGatherer: batch ${m} outside 1..${this.maxBatch}`)
    if (images.dim !== I)
      throw new RangeError(`BatchGatherer: images have ${images.dim} pixels, the networks ${I} inputs`)
    const x = this.x.subarray(0, N * m * I)
    const t = this.t.subarray(0, N * m * K)
    const xt = this.xt ? this.xt.subarray(0, N * m * I) : null
    const tt = this.tt ? this.tt.subarray(0, N * m * K) : null
    x.fill(0)
    t.fill(0)
    xt?.fill(0)
    tt?.fill(0)
    const { indptr, indices, values } = images
    for (let n = 0; n < N; n++) {
      const order = orders[n]!
      for (let r = 0; r < m; r++) {
        const i = order[pos + r]!
        if (!(i < images.count)) throw new RangeError(`BatchGatherer: sample ${i} outside 0..${images.count - 1}`)
        const q0 = indptr[i]!
        const q1 = indptr[i + 1]!
        const row = (n * m + r) * I
        for (let q = q0; q < q1; q++) x[row + indices[q]!] = values[q]!
        t[(n * m + r) * K + labels[i]!] = 1
        if (xt && tt) {
          const col = n * I * m + r
          for (let q = q0; q < q1; q++) xt[col + indices[q]! * m] = values[q]!
          tt[n * K * m + labels[i]! * m + r] = 1
        }
      }
    }
    return { m, x, t, xt, tt }
  }
}

/** Per-network mean loss and error count of an evaluation. */
export interface Evaluation {
  loss: Float64Array
  errors: Int32Array
}

/** Networks of one spec trained together (see the two implementations). */
export interface MlpGroup {
  readonly nets: number
  readonly shape: MlpShape
  readonly loss: Loss
  readonly momentum: number
  readonly options: Required<TrainOptions>
  readonly strategy: MatmulStrategy
  /** Whether `step` wants the transposed layouts of the batch. */
  readonly wantsTransposed: boolean
  /** One SGD step of every network on its own minibatch, learning rate `lr`. */
  step(batch: GatheredBatch, lr: number): void
  /**
   * Outputs, mean loss and error count (argmax of the float32 outputs, first maximum on
   * ties, ≠ label) of every network on images [from, from + count). With `outputs` (one
   * array per network, all of one length) the outputs of the first length / outputs
   * images are written there, row by row.
   */
  evaluate(
    images: SparseImages,
    labels: Uint8Array,
    from: number,
    count: number,
    outputs?: readonly Float32Array[],
  ): Evaluation
  /** States in the fused layout, one fresh array per network. */
  states(): Float32Array[]
  /** The networks of this group, then those of `other`, as one group (both are consumed). */
  concat(other: MlpGroup): MlpGroup
  dispose(): void
}

/** Checks a group's spec and states (D = paramCount(shape)); throws RangeError. */
export function checkStates(
  shape: MlpShape,
  loss: Loss,
  momentum: number,
  states: readonly Float32Array[],
  D: number,
): void {
  if (loss !== 'mse' && loss !== 'cross-entropy') throw new RangeError(`unknown loss ${String(loss)}`)
  if (!(momentum >= 0 && momentum < 1)) throw new RangeError(`momentum must be in [0, 1) (got ${momentum})`)
  if (states.length < 1) throw new RangeError('an MLP group needs at least one network')
  for (const key of ['inputs', 'hidden', 'outputs'] as const) {
    if (!(Number.isInteger(shape[key]) && shape[key] >= 1))
      throw new RangeError(`MLP shape: ${key} must be a positive integer (got ${shape[key]})`)
  }
  for (const s of states) {
    if (s.length !== D && !(momentum > 0 && s.length === 2 * D)) {
      throw new RangeError(`a state holds ${s.length} values, expected ${momentum > 0 ? `${D} or ${2 * D}` : D}`)
    }
  }
}

/** Row-major r×c → c×r. */
export function transposeInto(src: Float32Array, r: number, c: number, dst: Float32Array, dstOffset = 0): void {
  for (let i = 0; i < r; i++) {
    const row = i * c
    for (let j = 0; j < c; j++) dst[dstOffset + j * r + i] = src[row + j]!
  }
}

/** Chunk of images per evaluation pass: keeps the activations near 2²² floats. */
export function evaluationChunk(nets: number, shape: MlpShape, count: number): number {
  return Math.max(1, Math.min(count, 4096, Math.floor(2 ** 22 / (nets * Math.max(shape.hidden, shape.outputs)))))
}

/** Dense inputs and one-hot targets of images [from, from + c) into x (c×inputs) and t (c×outputs). */
export function denseChunk(
  images: SparseImages,
  labels: Uint8Array,
  from: number,
  c: number,
  x: Float32Array,
  t: Float32Array,
  K: number,
): void {
  const I = images.dim
  x.fill(0, 0, c * I)
  t.fill(0, 0, c * K)
  const { indptr, indices, values } = images
  for (let r = 0; r < c; r++) {
    const i = from + r
    for (let q = indptr[i]!; q < indptr[i + 1]!; q++) x[r * I + indices[q]!] = values[q]!
    t[r * K + labels[i]!] = 1
  }
}
