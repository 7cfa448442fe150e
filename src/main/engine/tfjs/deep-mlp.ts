/**
 * The tfjs engine's program for 2–4 hidden layers (issue 19): all networks' parameters as
 * [nets, …] tensors, every operation of a step covering all networks, as batched-mlp.ts
 * does for the paper's network, with the deeper layers of engine/deep-mlp.ts in between:
 *
 *   H₁ = act(X·A + a),  H_l = act(H_(l−1)·W_lᵀ + c_l) (l = 2…L),  Z = H_L·Bᵀ + b
 *   Y = σ(Z) (mse) or softmax(Z) (cross-entropy);  dZ as in batched-mlp.ts (mean over the batch)
 *   ∇B = dZᵀ·H_L, ∇b = Σ dZ;  dH_L = dZ·B;  for l = L…2: dZ_l = dH_l ⊙ act′(H_l),
 *   ∇W_l = dZ_lᵀ·H_(l−1), ∇c_l = Σ dZ_l, dH_(l−1) = dZ_l·W_l;  dZ₁ = dH₁ ⊙ act′(H₁), ∇A = Xᵀ·dZ₁
 *
 * then torch.optim.SGD's update (plain, momentum, weight decay, Nesterov: generalSgd) on the
 * plain gradients. Per network, the tensors are the blocks of the fused layout in order
 * (paramOffsets in mlp.ts): A [inputs, H₁] (input-major), a [1, H₁], then each deeper layer's
 * W [H_l, H_(l−1)] (PyTorch's [out][in]) and c [1, H_l], then B [outputs, H_L], b [1, outputs];
 * so a state goes in and out as one copy per block and either engine can resume it.
 *
 * Float32 throughout (the TypeScript kernel accumulates in float64): the two agree to
 * float32 round-off per step (tests/main/engine/tfjs/deep.test.ts).
 */
import * as tf from '@tensorflow/tfjs-core'
import {
  hiddenLayers,
  paramCount,
  paramOffsets,
  trainOptions,
  type Loss,
  type MlpShape,
  type TrainOptions,
} from '../mlp'
import type { SparseImages } from '../sparse'
import {
  activate,
  activationGrad,
  checkStates,
  denseChunk,
  evaluationChunk,
  generalSgd,
  type Evaluation,
  type GatheredBatch,
  type MlpGroup,
} from './group'

/** The blocks of the fused layout, in order: [offset, rows, cols] per network. */
function blocks(shape: MlpShape): [number, number, number][] {
  const o = paramOffsets(shape)
  const H = hiddenLayers(shape)
  const out: [number, number, number][] = [
    [o.A, shape.inputs, shape.hidden],
    [o.a, 1, shape.hidden],
  ]
  for (const l of o.layers) out.push([l.W, l.rows, l.cols], [l.c, 1, l.rows])
  out.push([o.B, shape.outputs, H[H.length - 1]!], [o.b, 1, shape.outputs])
  return out
}

export class DeepBatchedMlp implements MlpGroup {
  readonly strategy = 'batched' as const
  readonly wantsTransposed = false
  readonly nets: number
  /** A, a, (W_l, c_l)…, B, b, each [nets, rows, cols]. */
  private p: tf.Tensor3D[]
  private v: tf.Tensor3D[] | null
  private disposed = false

  private constructor(
    readonly shape: MlpShape,
    readonly loss: Loss,
    readonly momentum: number,
    readonly options: Required<TrainOptions>,
    p: tf.Tensor3D[],
    v: tf.Tensor3D[] | null,
  ) {
    this.nets = p[0]!.shape[0]
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
  ): DeepBatchedMlp {
    const D = paramCount(shape)
    checkStates(shape, loss, momentum, states, D)
    const o = trainOptions(options, momentum, 'DeepBatchedMlp')
    const p = upload(
      shape,
      states.map((s) => s.subarray(0, D)),
    )
    let v: tf.Tensor3D[] | null = null
    if (momentum > 0) {
      const zeros = new Float32Array(D)
      v = upload(
        shape,
        states.map((s) => (s.length === 2 * D ? s.subarray(D) : zeros)),
      )
    }
    return new DeepBatchedMlp(shape, loss, momentum, o, p, v)
  }

  concat(other: MlpGroup): MlpGroup {
    if (
      !(other instanceof DeepBatchedMlp) ||
      other.loss !== this.loss ||
      other.momentum !== this.momentum ||
      JSON.stringify(other.options) !== JSON.stringify(this.options) ||
      JSON.stringify(hiddenLayers(other.shape)) !== JSON.stringify(hiddenLayers(this.shape)) ||
      other.shape.inputs !== this.shape.inputs ||
      other.shape.outputs !== this.shape.outputs
    ) {
      throw new RangeError('DeepBatchedMlp.concat: groups of different specs')
    }
    this.check()
    other.check()
    const cat = (x: tf.Tensor3D[], y: tf.Tensor3D[]) => x.map((t, j) => tf.concat([t, y[j]!], 0))
    const merged = new DeepBatchedMlp(
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
    const layout = blocks(this.shape)
    const parts = [this.p, ...(this.v ? [this.v] : [])].map((q) => q.map((t) => t.dataSync() as Float32Array))
    const out: Float32Array[] = []
    for (let n = 0; n < this.nets; n++) {
      const s = new Float32Array(D * parts.length)
      parts.forEach((data, j) =>
        layout.forEach(([off, rows, cols], k) =>
          s.set(data[k]!.subarray(n * rows * cols, (n + 1) * rows * cols), j * D + off),
        ),
      )
      out.push(s)
    }
    return out
  }

  /** Hidden activations of every layer and the output layer's pre-activation, from the
   * first layer's pre-activation without its bias, Z₁ − a [nets, m, H₁]. */
  private forward(XA: tf.Tensor3D): { H: tf.Tensor3D[]; Z: tf.Tensor3D } {
    const act = this.options.activation
    const p = this.p
    const H: tf.Tensor3D[] = [activate(act, tf.add(XA, p[1]!) as tf.Tensor3D)]
    const L = hiddenLayers(this.shape).length
    for (let l = 1; l < L; l++)
      H.push(activate(act, tf.add(tf.matMul(H[l - 1]!, p[2 * l]!, false, true), p[2 * l + 1]!) as tf.Tensor3D))
    const Z = tf.add(tf.matMul(H[L - 1]!, p[2 * L]!, false, true), p[2 * L + 1]!) as tf.Tensor3D
    return { H, Z }
  }

  step(batch: GatheredBatch, lr: number): void {
    this.check()
    const { inputs: I, outputs: K } = this.shape
    const N = this.nets
    const { m } = batch
    if (batch.x.length !== N * m * I || batch.t.length !== N * m * K)
      throw new RangeError('DeepBatchedMlp.step: the batch does not fit the group')
    const act = this.options.activation
    const L = hiddenLayers(this.shape).length
    const next = tf.tidy(() => {
      const X = tf.tensor3d(batch.x, [N, m, I])
      const T = tf.tensor3d(batch.t, [N, m, K])
      const { H, Z } = this.forward(tf.matMul(X, this.p[0]!))
      let dZ: tf.Tensor3D
      if (this.loss === 'mse') {
        const Y = tf.sigmoid(Z)
        dZ = tf.mul(tf.mul(tf.sub(Y, T), tf.mul(Y, tf.sub(1, Y))), 2 / K / m)
      } else {
        dZ = tf.mul(tf.sub(tf.softmax(Z), T), 1 / m)
      }
      const g: tf.Tensor3D[] = new Array<tf.Tensor3D>(2 * L + 2)
      g[2 * L] = tf.matMul(dZ, H[L - 1]!, true, false)
      g[2 * L + 1] = tf.sum(dZ, 1, true)
      let dH = tf.matMul(dZ, this.p[2 * L]!) as tf.Tensor3D
      for (let l = L - 1; l >= 1; l--) {
        const dZl = tf.mul(dH, activationGrad(act, H[l]!)) as tf.Tensor3D
        g[2 * l] = tf.matMul(dZl, H[l - 1]!, true, false)
        g[2 * l + 1] = tf.sum(dZl, 1, true)
        dH = tf.matMul(dZl, this.p[2 * l]!) as tf.Tensor3D
      }
      const dZ1 = tf.mul(dH, activationGrad(act, H[0]!)) as tf.Tensor3D
      g[0] = tf.matMul(X, dZ1, true, false)
      g[1] = tf.sum(dZ1, 1, true)
      return generalSgd(this.p, g, this.v, lr, this.momentum, this.options)
    })
    const n = this.p.length
    tf.dispose(this.p)
    this.p = next.slice(0, n)
    if (this.v) {
      tf.dispose(this.v)
      this.v = next.slice(n, 2 * n)
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
    const { inputs: I, outputs: K } = this.shape
    const N = this.nets
    if (images.dim !== I)
      throw new RangeError(`DeepBatchedMlp.evaluate: images have ${images.dim} pixels, the networks ${I} inputs`)
    if (!(from >= 0 && count >= 0 && from + count <= images.count))
      throw new RangeError(`DeepBatchedMlp.evaluate: range outside 0..${images.count}`)
    if (outputs && (outputs.length !== N || outputs.some((o) => o.length !== outputs[0]!.length)))
      throw new RangeError('DeepBatchedMlp.evaluate: need one output array per network, all of one length')
    const rows = outputs ? Math.min(count, Math.floor(outputs[0]!.length / K)) : 0
    const loss = new Float64Array(N)
    const errors = new Int32Array(N)
    const widest = { ...this.shape, hidden: Math.max(...hiddenLayers(this.shape)) }
    const chunk = evaluationChunk(N, widest, count)
    const x = new Float32Array(chunk * I)
    const t = new Float32Array(chunk * K)
    const H1 = this.shape.hidden
    // All networks' first layers side by side, [inputs, nets·H₁]: one 2-D product per chunk
    // for all networks, since they all see the same images (as batched-mlp.ts).
    const Acat = tf.tidy(() => tf.reshape(tf.transpose(this.p[0]!, [1, 0, 2]), [I, N * H1]) as tf.Tensor2D)
    try {
      for (let c0 = 0; c0 < count; c0 += chunk) {
        const c = Math.min(chunk, count - c0)
        denseChunk(images, labels, from + c0, c, x, t, K)
        const [Y, Lo] = tf.tidy(() => {
          const X = tf.tensor2d(x.subarray(0, c * I), [c, I])
          const T = tf.tensor3d(t.subarray(0, c * K), [1, c, K])
          const XA = tf.transpose(tf.reshape(tf.matMul(X, Acat), [c, N, H1]), [1, 0, 2]) as tf.Tensor3D
          const { Z } = this.forward(XA)
          if (this.loss === 'mse') {
            const Y = tf.sigmoid(Z)
            return [Y, tf.mean(tf.squaredDifference(Y, T), 2)]
          }
          return [tf.softmax(Z), tf.neg(tf.sum(tf.mul(tf.logSoftmax(Z), T), 2))]
        })
        const y = Y!.dataSync() as Float32Array
        const l = Lo!.dataSync() as Float32Array
        tf.dispose([Y!, Lo!])
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
    tf.dispose(this.p)
    if (this.v) tf.dispose(this.v)
  }

  private check(): void {
    if (this.disposed) throw new Error('DeepBatchedMlp: used after dispose')
  }
}

/** [nets, rows, cols] tensors of each block from per-network parameter arrays in the fused layout. */
function upload(shape: MlpShape, params: readonly Float32Array[]): tf.Tensor3D[] {
  const N = params.length
  return blocks(shape).map(([off, rows, cols]) => {
    const size = rows * cols
    // A fresh array: the cpu backend keeps the array it is given instead of copying it.
    const data = new Float32Array(N * size)
    params.forEach((s, n) => data.set(s.subarray(off, off + size), n * size))
    return tf.tensor3d(data, [N, rows, cols])
  })
}
