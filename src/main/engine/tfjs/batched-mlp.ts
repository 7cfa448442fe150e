/**
 * The `batched` program (see group.ts): all networks' parameters as [nets, …] tensors,
 * every operation of a step covering all networks.
 *
 *   Z₁ = X·A + a,  H = σ(Z₁),  Z₂ = H·Bᵀ + b,  Y = σ(Z₂) (mse) or softmax(Z₂) (cross-entropy)
 *   mse: dZ₂ = (2/K)(Y − T)·Y(1 − Y)/m     cross-entropy: dZ₂ = (Y − T)/m
 *   ∇B = dZ₂ᵀ·H,  ∇b = Σ dZ₂,  dZ₁ = (dZ₂·B)·H(1 − H),  ∇A = Xᵀ·dZ₁,  ∇a = Σ dZ₁
 *   SGD: θ ← θ − η∇ (η folded into dZ₂);  momentum (PyTorch): v ← μv + ∇, θ ← θ − ηv
 *
 * per network: X [m, inputs], A [inputs, hidden] (input-major, as the fused layout),
 * a [1, hidden], B [outputs, hidden] (as the fused layout), b [1, outputs]; all with a
 * leading [nets] axis.
 */
import * as tf from '@tensorflow/tfjs-core'
import { paramCount, trainOptions, type Loss, type MlpShape, type TrainOptions } from '../mlp'
import type { SparseImages } from '../sparse'
import {
  activate,
  activationGrad,
  checkStates,
  denseChunk,
  evaluationChunk,
  generalSgd,
  generalUpdate,
  type Evaluation,
  type GatheredBatch,
  type MlpGroup,
} from './group'

interface Params {
  A: tf.Tensor3D
  a: tf.Tensor3D
  B: tf.Tensor3D
  b: tf.Tensor3D
}

const KEYS = ['A', 'a', 'B', 'b'] as const

export class BatchedMlp implements MlpGroup {
  readonly strategy = 'batched' as const
  readonly wantsTransposed = false
  readonly nets: number
  private p: Params
  private v: Params | null
  private disposed = false

  private constructor(
    readonly shape: MlpShape,
    readonly loss: Loss,
    readonly momentum: number,
    readonly options: Required<TrainOptions>,
    p: Params,
    v: Params | null,
  ) {
    this.nets = p.A.shape[0]
    this.p = p
    this.v = v
  }

  /** Networks from states in the fused layout (with momentum, a state without velocity starts at zero velocity). */
  static fromStates(
    shape: MlpShape,
    loss: Loss,
    momentum: number,
    states: readonly Float32Array[],
    options?: TrainOptions,
  ): BatchedMlp {
    const D = paramCount(shape)
    checkStates(shape, loss, momentum, states, D)
    const o = trainOptions(options, momentum, 'BatchedMlp')
    const p = upload(
      shape,
      states.map((s) => s.subarray(0, D)),
    )
    let v: Params | null = null
    if (momentum > 0) {
      const zeros = new Float32Array(D)
      v = upload(
        shape,
        states.map((s) => (s.length === 2 * D ? s.subarray(D) : zeros)),
      )
    }
    return new BatchedMlp(shape, loss, momentum, o, p, v)
  }

  concat(other: MlpGroup): MlpGroup {
    if (
      !(other instanceof BatchedMlp) ||
      other.loss !== this.loss ||
      other.momentum !== this.momentum ||
      JSON.stringify(other.options) !== JSON.stringify(this.options) ||
      !sameShape(other.shape, this.shape)
    ) {
      throw new RangeError('BatchedMlp.concat: groups of different specs or programs')
    }
    this.check()
    other.check()
    const cat = (x: Params, y: Params): Params => ({
      A: tf.concat([x.A, y.A], 0),
      a: tf.concat([x.a, y.a], 0),
      B: tf.concat([x.B, y.B], 0),
      b: tf.concat([x.b, y.b], 0),
    })
    const merged = new BatchedMlp(
      this.shape,
      this.loss,
      this.momentum,
      this.options,
      cat(this.p, other.p),
      this.v && other.v ? cat(this.v, other.v) : null,
    )
    this.dispose()
    other.dispose()
    return merged
  }

  states(): Float32Array[] {
    this.check()
    const D = paramCount(this.shape)
    const parts = [this.p, ...(this.v ? [this.v] : [])].map((q) => KEYS.map((key) => q[key].dataSync() as Float32Array))
    const out: Float32Array[] = []
    for (let n = 0; n < this.nets; n++) {
      const s = new Float32Array(D * parts.length)
      parts.forEach((blocks, j) => {
        let off = j * D
        for (const data of blocks) {
          const len = data.length / this.nets
          s.set(data.subarray(n * len, (n + 1) * len), off)
          off += len
        }
      })
      out.push(s)
    }
    return out
  }

  step(batch: GatheredBatch, lr: number): void {
    this.check()
    const { inputs: I, outputs: K } = this.shape
    const N = this.nets
    const { m } = batch
    if (batch.x.length !== N * m * I || batch.t.length !== N * m * K)
      throw new RangeError('BatchedMlp.step: the batch does not fit the group')
    const { A, a, B, b } = this.p
    const mu = this.momentum
    const act = this.options.activation
    const general = generalUpdate(this.options)
    const next = tf.tidy(() => {
      const X = tf.tensor3d(batch.x, [N, m, I])
      const T = tf.tensor3d(batch.t, [N, m, K])
      const Hd = activate(act, tf.add(tf.matMul(X, A), a) as tf.Tensor3D)
      const Z2 = tf.add(tf.matMul(Hd, B, false, true), b) as tf.Tensor3D
      // Plain SGD: η is folded into the output deltas, so the products below are η·∇
      // (as the fused engine's batch-1 kernel does).
      const scale = (mu > 0 || general ? 1 : lr) / m
      let dZ2: tf.Tensor3D
      if (this.loss === 'mse') {
        const Y = tf.sigmoid(Z2)
        dZ2 = tf.mul(tf.mul(tf.sub(Y, T), tf.mul(Y, tf.sub(1, Y))), (2 / K) * scale)
      } else {
        dZ2 = tf.mul(tf.sub(tf.softmax(Z2), T), scale)
      }
      const dZ1 = tf.mul(tf.matMul(dZ2, B), activationGrad(act, Hd)) as tf.Tensor3D
      const g: Params = {
        A: tf.matMul(X, dZ1, true, false),
        a: tf.sum(dZ1, 1, true),
        B: tf.matMul(dZ2, Hd, true, false),
        b: tf.sum(dZ2, 1, true),
      }
      if (general)
        return generalSgd(
          KEYS.map((key) => this.p[key]),
          KEYS.map((key) => g[key]),
          this.v ? KEYS.map((key) => this.v![key]) : null,
          lr,
          mu,
          this.options,
        )
      if (!this.v) return KEYS.map((key) => tf.sub(this.p[key], g[key]) as tf.Tensor3D)
      const v = this.v
      const vNext = KEYS.map((key) => tf.add(tf.mul(v[key], mu), g[key]) as tf.Tensor3D)
      const pNext = KEYS.map((key, j) => tf.sub(this.p[key], tf.mul(vNext[j]!, lr)) as tf.Tensor3D)
      return [...pNext, ...vNext]
    })
    disposeParams(this.p)
    this.p = paramsOf(next, 0)
    if (this.v) {
      disposeParams(this.v)
      this.v = paramsOf(next, 4)
    }
  }

  evaluate(
    images: SparseImages,
    labels: Uint8Array,
    from: number,
    count: number,
    outputs?: readonly Float32Array[],
  ): Evaluation {
    this.check()
    const { inputs: I, hidden: H, outputs: K } = this.shape
    const N = this.nets
    if (images.dim !== I)
      throw new RangeError(`BatchedMlp.evaluate: images have ${images.dim} pixels, the networks ${I} inputs`)
    if (!(from >= 0 && count >= 0 && from + count <= images.count))
      throw new RangeError(`BatchedMlp.evaluate: range outside 0..${images.count}`)
    if (outputs && (outputs.length !== N || outputs.some((o) => o.length !== outputs[0]!.length)))
      throw new RangeError('BatchedMlp.evaluate: need one output array per network, all of one length')
    const rows = outputs ? Math.min(count, Math.floor(outputs[0]!.length / K)) : 0
    const loss = new Float64Array(N)
    const errors = new Int32Array(N)
    const chunk = evaluationChunk(N, this.shape, count)
    const x = new Float32Array(chunk * I)
    const t = new Float32Array(chunk * K)
    // All networks' first layers side by side, [inputs, nets·hidden]: one 2-D product per
    // chunk for all networks, since they all see the same images.
    const Acat = tf.tidy(() => tf.reshape(tf.transpose(this.p.A, [1, 0, 2]), [I, N * H]) as tf.Tensor2D)
    try {
      for (let c0 = 0; c0 < count; c0 += chunk) {
        const c = Math.min(chunk, count - c0)
        denseChunk(images, labels, from + c0, c, x, t, K)
        const [Y, L] = tf.tidy(() => {
          const X = tf.tensor2d(x.subarray(0, c * I), [c, I])
          const T = tf.tensor2d(t.subarray(0, c * K), [c, K])
          const Z1 = tf.transpose(tf.reshape(tf.matMul(X, Acat), [c, N, H]), [1, 0, 2])
          const Hd = activate(this.options.activation, tf.add(Z1, this.p.a) as tf.Tensor3D)
          const Z2 = tf.add(tf.matMul(Hd, this.p.B, false, true), this.p.b)
          if (this.loss === 'mse') {
            const Y = tf.sigmoid(Z2)
            return [Y, tf.mean(tf.squaredDifference(Y, T), 2)]
          }
          return [tf.softmax(Z2), tf.neg(tf.sum(tf.mul(tf.logSoftmax(Z2), T), 2))]
        })
        const y = Y!.dataSync() as Float32Array
        const l = L!.dataSync() as Float32Array
        tf.dispose([Y!, L!])
        for (let n = 0; n < N; n++) {
          let sum = 0
          let wrong = 0
          for (let r = 0; r < c; r++) {
            sum += l[n * c + r]!
            const o = (n * c + r) * K
            let best = 0
            for (let k = 1; k < K; k++) if (y[o + k]! > y[o + best]!) best = k
            if (best !== labels[from + c0 + r]) wrong++
          }
          loss[n]! += sum
          errors[n]! += wrong
          const w = Math.min(c, rows - c0) // rows of this chunk that are wanted
          if (w > 0) outputs![n]!.set(y.subarray(n * c * K, (n * c + w) * K), c0 * K)
        }
      }
    } finally {
      Acat.dispose()
    }
    if (count > 0) for (let n = 0; n < N; n++) loss[n]! /= count
    return { loss, errors }
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    disposeParams(this.p)
    if (this.v) disposeParams(this.v)
  }

  private check(): void {
    if (this.disposed) throw new Error('BatchedMlp: used after dispose')
  }
}

function sameShape(s: MlpShape, t: MlpShape): boolean {
  return s.inputs === t.inputs && s.hidden === t.hidden && s.outputs === t.outputs
}

function paramsOf(list: tf.Tensor3D[], at: number): Params {
  return { A: list[at]!, a: list[at + 1]!, B: list[at + 2]!, b: list[at + 3]! }
}

function disposeParams(p: Params): void {
  tf.dispose([p.A, p.a, p.B, p.b])
}

/** [nets, …] tensors from per-network parameter arrays in the fused layout. */
function upload(shape: MlpShape, params: readonly Float32Array[]): Params {
  const { inputs: I, hidden: H, outputs: K } = shape
  const N = params.length
  const sizes = { A: I * H, a: H, B: K * H, b: K }
  const blocks = {
    A: new Float32Array(N * sizes.A),
    a: new Float32Array(N * sizes.a),
    B: new Float32Array(N * sizes.B),
    b: new Float32Array(N * sizes.b),
  }
  params.forEach((s, n) => {
    let off = 0
    for (const key of KEYS) {
      blocks[key].set(s.subarray(off, off + sizes[key]), n * sizes[key])
      off += sizes[key]
    }
  })
  // Fresh arrays: the cpu backend keeps the array it is given instead of copying it.
  return {
    A: tf.tensor3d(blocks.A, [N, I, H]),
    a: tf.tensor3d(blocks.a, [N, 1, H]),
    B: tf.tensor3d(blocks.B, [N, K, H]),
    b: tf.tensor3d(blocks.b, [N, 1, K]),
  }
}
