/**
 * The `per-net` program (see group.ts): one 2-D program per network, in column layout
 * (samples are columns), so that both large products of a step reach XNNPACK on
 * tfjs-backend-wasm with the minibatch as the operand it packs:
 *
 *   H = σ(Aᵀ·Xᵀ + a)           [hidden, m]    (Aᵀ [hidden, inputs] times Xᵀ [inputs, m])
 *   Y = σ(B·H + b) or softmax   [outputs, m]
 *   dZ₂ = as in batched-mlp.ts, transposed
 *   ∇B = dZ₂·Hᵀ,  ∇b = Σ dZ₂,  dZ₁ = (Bᵀ·dZ₂)·H(1 − H),  ∇Aᵀ = dZ₁·X  [hidden, inputs],  ∇a = Σ dZ₁
 *
 * The parameters are kept per network (Aᵀ hidden-major, a [hidden, 1], B [outputs,
 * hidden], b [outputs, 1]) and converted to and from the fused layout at the edges.
 * The same update rules as the batched program (η folded into dZ₂ for plain SGD;
 * PyTorch's momentum otherwise).
 */
import * as tf from '@tensorflow/tfjs-core'
import { paramCount, paramOffsets, trainOptions, type Loss, type MlpShape, type TrainOptions } from '../mlp'
import type { SparseImages } from '../sparse'
import {
  activate,
  activationGrad,
  generalSgd,
  generalUpdate,
  checkStates,
  denseChunk,
  evaluationChunk,
  transposeInto,
  type Evaluation,
  type GatheredBatch,
  type MlpGroup,
} from './group'

/** Aᵀ, a, B, b of one network. */
type Net = [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D]

export class PerNetMlp implements MlpGroup {
  readonly strategy = 'per-net' as const
  readonly wantsTransposed = true
  readonly nets: number
  private p: Net[]
  private v: Net[] | null
  private disposed = false

  private constructor(
    readonly shape: MlpShape,
    readonly loss: Loss,
    readonly momentum: number,
    readonly options: Required<TrainOptions>,
    p: Net[],
    v: Net[] | null,
  ) {
    this.nets = p.length
    this.p = p
    this.v = v
  }

  static fromStates(
    shape: MlpShape,
    loss: Loss,
    momentum: number,
    states: readonly Float32Array[],
    options?: TrainOptions,
  ): PerNetMlp {
    const D = paramCount(shape)
    checkStates(shape, loss, momentum, states, D)
    const o = trainOptions(options, momentum, 'PerNetMlp')
    const p = states.map((s) => upload(shape, s.subarray(0, D)))
    const v =
      momentum > 0 ? states.map((s) => upload(shape, s.length === 2 * D ? s.subarray(D) : new Float32Array(D))) : null
    return new PerNetMlp(shape, loss, momentum, o, p, v)
  }

  concat(other: MlpGroup): MlpGroup {
    if (
      !(other instanceof PerNetMlp) ||
      other.loss !== this.loss ||
      other.momentum !== this.momentum ||
      JSON.stringify(other.options) !== JSON.stringify(this.options) ||
      !sameShape(other.shape, this.shape)
    ) {
      throw new RangeError('PerNetMlp.concat: groups of different specs or programs')
    }
    this.check()
    other.check()
    const merged = new PerNetMlp(
      this.shape,
      this.loss,
      this.momentum,
      this.options,
      [...this.p, ...other.p],
      this.v && other.v ? [...this.v, ...other.v] : null,
    )
    // The tensors now belong to `merged`.
    this.disposed = true
    other.disposed = true
    return merged
  }

  states(): Float32Array[] {
    this.check()
    const D = paramCount(this.shape)
    return this.p.map((p, n) => {
      const s = new Float32Array(this.v ? 2 * D : D)
      download(this.shape, p, s, 0)
      if (this.v) download(this.shape, this.v[n]!, s, D)
      return s
    })
  }

  step(batch: GatheredBatch, lr: number): void {
    this.check()
    const { inputs: I, outputs: K } = this.shape
    const { m, x, xt, tt } = batch
    const N = this.nets
    if (!xt || !tt) throw new RangeError('PerNetMlp.step: needs the transposed batch layouts')
    if (x.length !== N * m * I || xt.length !== N * m * I || tt.length !== N * m * K)
      throw new RangeError('PerNetMlp.step: the batch does not fit the group')
    const mu = this.momentum
    const act = this.options.activation
    const general = generalUpdate(this.options)
    const scale = (mu > 0 || general ? 1 : lr) / m
    for (let n = 0; n < N; n++) {
      const [AT, a, B, b] = this.p[n]!
      const next = tf.tidy(() => {
        const XT = tf.tensor2d(xt.subarray(n * I * m, (n + 1) * I * m), [I, m])
        const TT = tf.tensor2d(tt.subarray(n * K * m, (n + 1) * K * m), [K, m])
        const Hd = activate(act, tf.add(tf.matMul(AT, XT), a) as tf.Tensor2D)
        const Z2 = tf.add(tf.matMul(B, Hd), b) as tf.Tensor2D
        let dZ2: tf.Tensor2D
        if (this.loss === 'mse') {
          const Y = tf.sigmoid(Z2)
          dZ2 = tf.mul(tf.mul(tf.sub(Y, TT), tf.mul(Y, tf.sub(1, Y))), (2 / K) * scale)
        } else {
          dZ2 = tf.mul(tf.sub(softmaxColumns(Z2), TT), scale)
        }
        const dZ1 = tf.mul(tf.matMul(B, dZ2, true, false), activationGrad(act, Hd))
        const X = tf.tensor2d(x.subarray(n * m * I, (n + 1) * m * I), [m, I])
        const g = [
          tf.matMul(dZ1, X),
          tf.sum(dZ1, 1, true),
          tf.matMul(dZ2, Hd, false, true),
          tf.sum(dZ2, 1, true),
        ] as Net
        const p = this.p[n]!
        if (general) return generalSgd(p, g, this.v ? this.v[n]! : null, lr, mu, this.options)
        if (!this.v) return p.map((w, j) => tf.sub(w, g[j]!)) as tf.Tensor2D[]
        const vNext = this.v[n]!.map((old, j) => tf.add(tf.mul(old, mu), g[j]!)) as tf.Tensor2D[]
        const pNext = p.map((w, j) => tf.sub(w, tf.mul(vNext[j]!, lr))) as tf.Tensor2D[]
        return [...pNext, ...vNext]
      })
      tf.dispose(this.p[n]!)
      this.p[n] = next.slice(0, 4) as Net
      if (this.v) {
        tf.dispose(this.v[n]!)
        this.v[n] = next.slice(4, 8) as Net
      }
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
      throw new RangeError(`PerNetMlp.evaluate: images have ${images.dim} pixels, the networks ${I} inputs`)
    if (!(from >= 0 && count >= 0 && from + count <= images.count))
      throw new RangeError(`PerNetMlp.evaluate: range outside 0..${images.count}`)
    if (outputs && (outputs.length !== N || outputs.some((o) => o.length !== outputs[0]!.length)))
      throw new RangeError('PerNetMlp.evaluate: need one output array per network, all of one length')
    const rows = outputs ? Math.min(count, Math.floor(outputs[0]!.length / K)) : 0
    const loss = new Float64Array(N)
    const errors = new Int32Array(N)
    const chunk = evaluationChunk(1, this.shape, count)
    const x = new Float32Array(chunk * I)
    const t = new Float32Array(chunk * K)
    const xt = new Float32Array(chunk * I)
    const tt = new Float32Array(chunk * K)
    for (let c0 = 0; c0 < count; c0 += chunk) {
      const c = Math.min(chunk, count - c0)
      denseChunk(images, labels, from + c0, c, x, t, K)
      transposeInto(x, c, I, xt)
      transposeInto(t, c, K, tt)
      // One upload of the chunk for all networks (XNNPACK packs it once, too).
      const XT = tf.tensor2d(xt.subarray(0, c * I), [I, c])
      const TT = tf.tensor2d(tt.subarray(0, c * K), [K, c])
      try {
        for (let n = 0; n < N; n++) {
          const [AT, a, B, b] = this.p[n]!
          const [Y, L] = tf.tidy(() => {
            const Hd = activate(this.options.activation, tf.add(tf.matMul(AT, XT), a) as tf.Tensor2D)
            const Z2 = tf.add(tf.matMul(B, Hd), b)
            if (this.loss === 'mse') {
              const Y = tf.sigmoid(Z2)
              return [Y, tf.mean(tf.squaredDifference(Y, TT), 0)]
            }
            const Z = tf.sub(Z2, tf.max(Z2, 0, true))
            const logSum = tf.log(tf.sum(tf.exp(Z), 0, true))
            return [tf.exp(tf.sub(Z, logSum)), tf.neg(tf.sum(tf.mul(tf.sub(Z, logSum), TT), 0))]
          })
          const y = Y!.dataSync() as Float32Array // [K, c]
          const l = L!.dataSync() as Float32Array
          tf.dispose([Y!, L!])
          let sum = 0
          let wrong = 0
          const out = outputs?.[n]
          for (let r = 0; r < c; r++) {
            sum += l[r]!
            let best = 0
            for (let k = 1; k < K; k++) if (y[k * c + r]! > y[best * c + r]!) best = k
            if (best !== labels[from + c0 + r]) wrong++
            if (out && c0 + r < rows) for (let k = 0; k < K; k++) out[(c0 + r) * K + k] = y[k * c + r]!
          }
          loss[n]! += sum
          errors[n]! += wrong
        }
      } finally {
        tf.dispose([XT, TT])
      }
    }
    if (count > 0) for (let n = 0; n < N; n++) loss[n]! /= count
    return { loss, errors }
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    for (const p of this.p) tf.dispose(p)
    if (this.v) for (const v of this.v) tf.dispose(v)
  }

  private check(): void {
    if (this.disposed) throw new Error('PerNetMlp: used after dispose')
  }
}

/** Softmax down each column (over the outputs). */
function softmaxColumns(z: tf.Tensor2D): tf.Tensor2D {
  const e = tf.exp(tf.sub(z, tf.max(z, 0, true)))
  return tf.div(e, tf.sum(e, 0, true))
}

function sameShape(s: MlpShape, t: MlpShape): boolean {
  return s.inputs === t.inputs && s.hidden === t.hidden && s.outputs === t.outputs
}

/** One network's tensors from its parameters in the fused layout. */
function upload(shape: MlpShape, params: Float32Array): Net {
  const { inputs: I, hidden: H, outputs: K } = shape
  const o = paramOffsets(shape)
  const AT = new Float32Array(I * H)
  transposeInto(params.subarray(o.A, o.a), I, H, AT)
  // Fresh arrays: the cpu backend keeps the array it is given instead of copying it.
  return [
    tf.tensor2d(AT, [H, I]),
    tf.tensor2d(params.slice(o.a, o.B), [H, 1]),
    tf.tensor2d(params.slice(o.B, o.b), [K, H]),
    tf.tensor2d(params.slice(o.b, o.b + K), [K, 1]),
  ]
}

/** One network's tensors into `dst` at `offset`, in the fused layout. */
function download(shape: MlpShape, net: Net, dst: Float32Array, offset: number): void {
  const { inputs: I, hidden: H } = shape
  const o = paramOffsets(shape)
  const [AT, a, B, b] = net.map((t) => t.dataSync() as Float32Array) as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ]
  transposeInto(AT, H, I, dst, offset + o.A)
  dst.set(a, offset + o.a)
  dst.set(B, offset + o.B)
  dst.set(b, offset + o.b)
}
