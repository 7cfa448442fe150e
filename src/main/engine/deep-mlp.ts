/**
 * The fused engine's TypeScript kernel for 2–4 hidden layers (issue 19), used where WebAssembly
 * SIMD is not (or SGDSCOPE_KERNEL=ts; wasm/wasm-mlp.ts trains them otherwise): the same losses, outputs,
 * activations and optimiser as FusedMlp (mlp.ts), and the same sparse first layer — its
 * forward pass and gradient visit only a sample's non-zero pixels, its weights are
 * input-major — followed by dense layers h_l = act(c_l + W_l·h_(l−1)) (W_l [out][in],
 * PyTorch's layout) and the output layer. Layout: paramOffsets in mlp.ts.
 *
 * TypeScript, float64 arithmetic, parameters stored in float32 (the reference kernel's
 * conventions). Every step accumulates the batch's mean gradient, then applies
 * torch.optim.SGD's update (plain SGD changes only the touched rows of the first layer;
 * momentum, weight decay and Nesterov change every parameter).
 */
import {
  checkShape,
  evaluateArgs,
  gatherRows,
  hiddenLayers,
  paramCount,
  paramOffsets,
  sigmoid,
  trainOptions,
  ACTIVATIONS,
  type Loss,
  type MlpKernel,
  type MlpShape,
  type TrainOptions,
} from './mlp'
import type { SparseImages } from './sparse'

export class DeepMlp implements MlpKernel {
  readonly kernel = 'ts' as const
  readonly shape: MlpShape
  readonly loss: Loss
  readonly momentum: number
  readonly options: Required<TrainOptions>
  readonly params: Float32Array
  readonly velocity: Float32Array | null

  private readonly widths: number[]
  private readonly off: ReturnType<typeof paramOffsets>
  private readonly act: number
  private readonly mse: boolean
  /** activations of each hidden layer */
  private readonly h: Float64Array[]
  /** back-propagated dL/dh of each hidden layer, then dL/dz */
  private readonly dh: Float64Array[]
  private readonly y: Float64Array
  private readonly d: Float64Array
  private readonly out32: Float32Array
  private readonly logit: Float64Array
  private logSum = 0
  /** gradient accumulator, parameter layout; the first layer only on touched rows */
  private readonly grad: Float64Array
  private readonly touched: Uint8Array
  private readonly rows: Int32Array

  constructor(
    shape: MlpShape,
    loss: Loss,
    params: Float32Array,
    momentum = 0,
    velocity?: Float32Array,
    options?: TrainOptions,
  ) {
    checkShape(shape)
    if (loss !== 'mse' && loss !== 'cross-entropy') throw new RangeError(`unknown loss ${String(loss)}`)
    const n = paramCount(shape)
    if (params.length !== n) throw new RangeError(`DeepMlp: expected ${n} parameters, got ${params.length}`)
    if (!(momentum >= 0 && momentum < 1)) throw new RangeError(`DeepMlp: momentum must be in [0, 1) (got ${momentum})`)
    if (velocity !== undefined && velocity.length !== n)
      throw new RangeError(`DeepMlp: expected ${n} velocity entries, got ${velocity.length}`)
    this.shape = {
      inputs: shape.inputs,
      hidden: shape.hidden,
      outputs: shape.outputs,
      deeper: [...(shape.deeper ?? [])],
    }
    this.loss = loss
    this.momentum = momentum
    this.options = trainOptions(options, momentum, 'DeepMlp')
    this.params = params
    this.velocity = momentum > 0 ? (velocity ?? new Float32Array(n)) : null
    this.widths = hiddenLayers(shape)
    this.off = paramOffsets(shape)
    this.act = ACTIVATIONS.indexOf(this.options.activation)
    this.mse = loss === 'mse'
    this.h = this.widths.map((w) => new Float64Array(w))
    this.dh = this.widths.map((w) => new Float64Array(w))
    const K = shape.outputs
    this.y = new Float64Array(K)
    this.d = new Float64Array(K)
    this.out32 = new Float32Array(K)
    this.logit = new Float64Array(K)
    this.grad = new Float64Array(n)
    this.touched = new Uint8Array(shape.inputs)
    this.rows = new Int32Array(shape.inputs)
  }

  readParams(): Float32Array {
    return this.params.slice()
  }

  readVelocity(): Float32Array | null {
    return this.velocity === null ? null : this.velocity.slice()
  }

  forward(images: SparseImages, i: number, out: Float32Array): void {
    this.checkImages(images)
    if (!(i >= 0 && i < images.count))
      throw new RangeError(`DeepMlp.forward: sample ${i} outside 0..${images.count - 1}`)
    this.fwd(images, i)
    for (let k = 0; k < this.shape.outputs; k++) out[k] = this.y[k]!
  }

  step(images: SparseImages, labels: Uint8Array, idx: ArrayLike<number>, lr: number): number {
    const m = idx.length
    if (m < 1) throw new RangeError('DeepMlp.step: empty batch')
    this.checkImages(images)
    for (let r = 0; r < m; r++) {
      const i = idx[r]!
      if (!(i >= 0 && i < images.count))
        throw new RangeError(`DeepMlp.step: sample ${i} outside 0..${images.count - 1}`)
    }
    let loss = 0
    let nRows = 0
    const H1 = this.shape.hidden
    for (let r = 0; r < m; r++) {
      const i = idx[r]!
      this.fwd(images, i)
      loss += this.sampleLoss(labels[i]!)
      this.backward(labels[i]!, 1 / m)
      const start = images.indptr[i]!
      const end = images.indptr[i + 1]!
      for (let q = start; q < end; q++) {
        const px = images.indices[q]!
        if (this.touched[px] === 0) {
          this.touched[px] = 1
          this.rows[nRows++] = px
        }
      }
      // dA[pixel] += x · dz₁ (into the float64 accumulator)
      const dz1 = this.dh[0]!
      for (let q = start; q < end; q++) {
        const row = images.indices[q]! * H1
        const x = images.values[q]!
        for (let j = 0; j < H1; j++) this.grad[row + j] += x * dz1[j]!
      }
    }
    this.update(lr, nRows)
    return loss / m
  }

  evaluate(
    images: SparseImages,
    labels: Uint8Array,
    from: number,
    to: number,
    outputs?: Float32Array,
  ): { loss: number; errors: number }
  evaluate(
    images: SparseImages,
    labels: Uint8Array,
    idx: ArrayLike<number>,
    outputs?: Float32Array,
  ): { loss: number; errors: number }
  evaluate(
    images: SparseImages,
    labels: Uint8Array,
    fromOrIdx: number | ArrayLike<number>,
    toOrOutputs?: number | Float32Array,
    maybeOutputs?: Float32Array,
  ): { loss: number; errors: number } {
    this.checkImages(images)
    const { idx, from, count, outputs } = evaluateArgs('DeepMlp', images, fromOrIdx, toOrOutputs, maybeOutputs)
    const K = this.shape.outputs
    if (outputs !== undefined && outputs.length < count * K)
      throw new RangeError(`DeepMlp.evaluate: outputs holds ${outputs.length} values, needs ${count * K}`)
    let loss = 0
    let errors = 0
    const o = this.out32
    for (let r = 0; r < count; r++) {
      const i = idx === null ? from + r : idx[r]!
      if (!(i >= 0 && i < images.count))
        throw new RangeError(`DeepMlp.evaluate: sample ${i} outside 0..${images.count - 1}`)
      this.fwd(images, i)
      const t = labels[i]!
      loss += this.sampleLoss(t)
      let best = 0
      for (let k = 0; k < K; k++) {
        o[k] = this.y[k]!
        if (o[k]! > o[best]!) best = k
      }
      if (best !== t) errors++
      if (outputs !== undefined) outputs.set(o, r * K)
    }
    return { loss: count > 0 ? loss / count : 0, errors }
  }

  // ---------------------------------------------------------------------------------

  private checkImages(images: SparseImages): void {
    if (images.dim !== this.shape.inputs)
      throw new RangeError(`DeepMlp: images have ${images.dim} pixels, the network ${this.shape.inputs} inputs`)
  }

  private activate(h: Float64Array): void {
    const n = h.length
    if (this.act === 0) for (let j = 0; j < n; j++) h[j] = sigmoid(h[j]!)
    else if (this.act === 1) for (let j = 0; j < n; j++) h[j] = Math.tanh(h[j]!)
    else for (let j = 0; j < n; j++) h[j] = h[j]! > 0 ? h[j]! : 0
  }

  /** g ← g ⊙ act′, act′ from the activations h. */
  private throughActivation(g: Float64Array, h: Float64Array): void {
    const n = g.length
    if (this.act === 0) for (let j = 0; j < n; j++) g[j] = g[j]! * h[j]! * (1 - h[j]!)
    else if (this.act === 1) for (let j = 0; j < n; j++) g[j] = g[j]! * (1 - h[j]! * h[j]!)
    else for (let j = 0; j < n; j++) if (!(h[j]! > 0)) g[j] = 0
  }

  private fwd(images: SparseImages, i: number): void {
    const p = this.params
    const off = this.off
    const h1 = this.h[0]!
    const H1 = this.shape.hidden
    for (let j = 0; j < H1; j++) h1[j] = p[off.a + j]!
    gatherRows(h1, H1, p, images.indices, images.values, images.indptr[i]!, images.indptr[i + 1]!)
    this.activate(h1)
    off.layers.forEach((l, li) => {
      const prev = this.h[li]!
      const h = this.h[li + 1]!
      for (let r = 0; r < l.rows; r++) {
        let z = p[l.c + r]!
        const row = l.W + r * l.cols
        for (let c = 0; c < l.cols; c++) z += p[row + c]! * prev[c]!
        h[r] = z
      }
      this.activate(h)
    })
    const last = this.h[this.h.length - 1]!
    const L = last.length
    const K = this.shape.outputs
    const y = this.y
    for (let k = 0; k < K; k++) {
      let z = p[off.b + k]!
      const row = off.B + k * L
      for (let j = 0; j < L; j++) z += p[row + j]! * last[j]!
      y[k] = z
    }
    if (this.mse) {
      for (let k = 0; k < K; k++) y[k] = sigmoid(y[k]!)
    } else {
      let max = -Infinity
      for (let k = 0; k < K; k++) if (y[k]! > max) max = y[k]!
      let sum = 0
      for (let k = 0; k < K; k++) {
        const e = y[k]! - max
        this.logit[k] = e
        y[k] = Math.exp(e)
        sum += y[k]!
      }
      this.logSum = Math.log(sum)
      for (let k = 0; k < K; k++) y[k] = y[k]! / sum
    }
  }

  private sampleLoss(t: number): number {
    const K = this.shape.outputs
    if (this.mse) {
      let s = 0
      for (let k = 0; k < K; k++) {
        const e = this.y[k]! - (k === t ? 1 : 0)
        s += e * e
      }
      return s / K
    }
    return this.logSum - this.logit[t]!
  }

  /** Adds `scale` × this sample's gradient to the accumulator, except the first layer's
   * weights (the caller adds those from dz₁, left in dh[0]). */
  private backward(t: number, scale: number): void {
    const p = this.params
    const g = this.grad
    const off = this.off
    const K = this.shape.outputs
    const y = this.y
    const d = this.d
    if (this.mse) {
      const c = (2 / K) * scale
      for (let k = 0; k < K; k++) d[k] = c * (y[k]! - (k === t ? 1 : 0)) * y[k]! * (1 - y[k]!)
    } else {
      for (let k = 0; k < K; k++) d[k] = scale * (y[k]! - (k === t ? 1 : 0))
    }
    const Lh = this.h.length - 1
    let h = this.h[Lh]!
    let dh = this.dh[Lh]!
    dh.fill(0)
    const L = h.length
    for (let k = 0; k < K; k++) {
      const dk = d[k]!
      const row = off.B + k * L
      for (let j = 0; j < L; j++) {
        dh[j] += dk * p[row + j]!
        g[row + j] += dk * h[j]!
      }
      g[off.b + k] += dk
    }
    for (let li = off.layers.length - 1; li >= 0; li--) {
      const l = off.layers[li]!
      this.throughActivation(dh, h) // dh = dL/dz of layer li + 2 (1-based)
      const prev = this.h[li]!
      const dprev = this.dh[li]!
      dprev.fill(0)
      for (let r = 0; r < l.rows; r++) {
        const dz = dh[r]!
        const row = l.W + r * l.cols
        for (let c = 0; c < l.cols; c++) {
          dprev[c] += dz * p[row + c]!
          g[row + c] += dz * prev[c]!
        }
        g[l.c + r] += dz
      }
      h = prev
      dh = dprev
    }
    this.throughActivation(dh, h) // dz₁
    for (let j = 0; j < dh.length; j++) g[off.a + j] += dh[j]!
  }

  /** torch.optim.SGD's update from the accumulated gradient; clears the accumulator. */
  private update(lr: number, nRows: number): void {
    const p = this.params
    const g = this.grad
    const v = this.velocity
    const { weightDecay: wd, nesterov } = this.options
    const mu = this.momentum
    const H1 = this.shape.hidden
    const nA = this.off.a
    const n = p.length
    if (v === null && wd === 0) {
      // Plain SGD: the first layer's untouched rows have no gradient.
      for (let r = 0; r < nRows; r++) {
        const row = this.rows[r]! * H1
        for (let j = 0; j < H1; j++) {
          p[row + j] -= lr * g[row + j]!
          g[row + j] = 0
        }
      }
      for (let j = nA; j < n; j++) {
        p[j] -= lr * g[j]!
        g[j] = 0
      }
    } else {
      for (let j = 0; j < n; j++) {
        const grad = Math.fround(g[j]! + wd * p[j]!)
        g[j] = 0
        if (v === null) {
          p[j] -= lr * grad
          continue
        }
        const vj = Math.fround(mu * v[j]! + grad)
        v[j] = vj
        p[j] -= lr * (nesterov ? Math.fround(grad + mu * vj) : vj)
      }
    }
    for (let r = 0; r < nRows; r++) this.touched[this.rows[r]!] = 0
  }
}
