/**
 * The fused SGD engine's math (docs/method.md): a one-hidden-layer MLP
 *
 *   h = σ(a + Aᵀx),  mse: y = σ(b + B h), L = (1/K)·Σ_k (y_k − t_k)²  (K = outputs)
 *                    cross-entropy: y = softmax(b + B h), L = −log y_t
 *
 * trained by SGD on the mean gradient of a minibatch, optionally with momentum in
 * PyTorch's convention (v ← μ v + g, θ ← θ − η v; v starts at 0).
 *
 * All parameters live in one Float32Array (see `paramOffsets`); the first-layer weights
 * are stored input-major so that one pixel's H weights are contiguous, and the forward
 * pass and first-layer update of a sample visit only its non-zero pixels. Arithmetic is
 * float64 (V8's native number), parameters are rounded to float32 when stored.
 */
import type { Rng } from './rng'
import type { SparseImages } from './sparse'

export type Loss = 'mse' | 'cross-entropy'
export type Init = 'torch7' | 'xavier' | 'normal'
export type Activation = 'sigmoid' | 'tanh' | 'relu'
export const ACTIVATIONS: readonly Activation[] = ['sigmoid', 'tanh', 'relu']

/**
 * Beyond the paper's network and plain SGD/momentum (all off by default, which is the
 * paper's setting): the hidden activation, L2 weight decay and Nesterov momentum, in
 * PyTorch's torch.optim.SGD convention: g ← ∇ + wd·θ (weights and biases); with momentum
 * v ← μv + g and d = g + μv (Nesterov) or v; θ ← θ − η·d (η·g without momentum).
 */
export interface TrainOptions {
  activation?: Activation
  weightDecay?: number
  nesterov?: boolean
}

/** Checked options with their defaults. */
export function trainOptions(o: TrainOptions | undefined, momentum: number, who: string): Required<TrainOptions> {
  const activation = o?.activation ?? 'sigmoid'
  const weightDecay = o?.weightDecay ?? 0
  const nesterov = o?.nesterov ?? false
  if (!ACTIVATIONS.includes(activation)) throw new RangeError(`${who}: unknown activation ${String(activation)}`)
  if (!(weightDecay >= 0 && Number.isFinite(weightDecay)))
    throw new RangeError(`${who}: weight decay must be a finite number ≥ 0 (got ${weightDecay})`)
  if (nesterov && !(momentum > 0)) throw new RangeError(`${who}: Nesterov momentum needs a momentum > 0`)
  return { activation, weightDecay, nesterov }
}

/** The hidden activation and its derivative written in terms of its value h = act(z). */
export function activationOf(a: Activation): { f: (z: number) => number; df: (h: number) => number } {
  switch (a) {
    case 'sigmoid':
      return { f: sigmoid, df: (h) => h * (1 - h) }
    case 'tanh':
      return { f: Math.tanh, df: (h) => 1 - h * h }
    case 'relu':
      // PyTorch's ReLU has gradient 0 at 0
      return { f: (z) => (z > 0 ? z : 0), df: (h) => (h > 0 ? 1 : 0) }
  }
}

export interface MlpShape {
  inputs: number
  /** Width of the first hidden layer (the sparse one). */
  hidden: number
  outputs: number
  /** Widths of hidden layers 2, 3, 4 (none: the paper's one-hidden-layer network). */
  deeper?: readonly number[]
}

/** Widths of all hidden layers, first to last. */
export const hiddenLayers = (s: MlpShape): number[] => [s.hidden, ...(s.deeper ?? [])]

/**
 * Number of parameters: A (inputs×hidden), a (hidden), each deeper layer's weights and
 * biases, B (outputs×last hidden), b (outputs).
 */
export function paramCount(s: MlpShape): number {
  const o = paramOffsets(s)
  return o.b + s.outputs
}

/**
 * Parameter layout in ONE Float32Array: A input-major [inputs][hidden] (a pixel's H
 * weights contiguous, A[i][h] at A + i·hidden + h), then a [hidden]; then for each deeper
 * layer l its weights W [H_l][H_(l−1)] (PyTorch's [out][in]) and biases c [H_l]; then B
 * [outputs][H_last] (B[k][h] at B + k·H_last + h), then b [outputs]. With one hidden
 * layer (no `deeper`) this is the paper's network's layout, unchanged.
 */
export function paramOffsets(s: MlpShape): {
  A: number
  a: number
  layers: { W: number; c: number; rows: number; cols: number }[]
  B: number
  b: number
} {
  const a = s.inputs * s.hidden
  let at = a + s.hidden
  let prev = s.hidden
  const layers: { W: number; c: number; rows: number; cols: number }[] = []
  for (const H of s.deeper ?? []) {
    layers.push({ W: at, c: at + H * prev, rows: H, cols: prev })
    at += H * prev + H
    prev = H
  }
  const B = at
  const b = B + s.outputs * prev
  return { A: 0, a, layers, B, b }
}

/** The most hidden layers a network may have. */
export const MAX_HIDDEN_LAYERS = 4

export function checkShape(s: MlpShape): void {
  for (const key of ['inputs', 'hidden', 'outputs'] as const) {
    const v = s[key]
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`MLP shape: ${key} must be a positive integer (got ${v})`)
  }
  const deeper = s.deeper ?? []
  if (deeper.length > MAX_HIDDEN_LAYERS - 1)
    throw new RangeError(`MLP shape: at most ${MAX_HIDDEN_LAYERS} hidden layers (got ${deeper.length + 1})`)
  for (const v of deeper)
    if (!Number.isInteger(v) || v < 1)
      throw new RangeError(`MLP shape: hidden layer widths must be positive integers (got ${v})`)
}

/** Whether a shape has more than one hidden layer (the one-layer kernels refuse it). */
export const isDeep = (s: MlpShape): boolean => (s.deeper?.length ?? 0) > 0

/**
 * Initial parameters.
 *
 * - `torch7`: every weight and bias of a layer with fan-in f ~ U(−1/√f, 1/√f)
 *   (layer 1: f = inputs, layer 2: f = hidden).
 * - `xavier`: Glorot uniform weights U(±√(6/(fan_in + fan_out))), zero biases (no draws).
 * - `normal`: N(0, sigma²) weights and biases.
 *
 * Draw order (fixed, so other engines can reproduce it from the same `Rng`): layer-1
 * weights in PyTorch's [hidden][inputs] order (for h, for i; stored transposed, i.e. at
 * A[i][h]), then a[h] for h, then B[k][h] (for k, for h), then b[k] for k. Uniform draws
 * are `rng.uniform(−bound, bound)`, normal draws `sigma · rng.normal()`; each value is
 * rounded to float32 when stored.
 */
export function initParams(s: MlpShape, init: Init, sigma: number, rng: Rng): Float32Array {
  checkShape(s)
  const { inputs: I, hidden: H, outputs: K } = s
  const off = paramOffsets(s)
  const p = new Float32Array(paramCount(s))
  // One draw of a layer with the given fan-in and fan-out (layers in order, deeper ones
  // between the first and the output layer, each weights then biases).
  let draw: (fanIn: number, fanOut: number, bias: boolean) => number
  switch (init) {
    case 'torch7':
      draw = (fanIn) => {
        const bound = 1 / Math.sqrt(fanIn)
        return rng.uniform(-bound, bound)
      }
      break
    case 'xavier':
      draw = (fanIn, fanOut, bias) => {
        if (bias) return 0
        const bound = Math.sqrt(6 / (fanIn + fanOut))
        return rng.uniform(-bound, bound)
      }
      break
    case 'normal': {
      if (!(sigma >= 0) || !Number.isFinite(sigma))
        throw new RangeError(`normal init: sigma must be a finite number ≥ 0 (got ${sigma})`)
      draw = () => sigma * rng.normal()
      break
    }
    default:
      throw new RangeError(`unknown initialisation ${String(init)}`)
  }
  const widths = hiddenLayers(s)
  for (let h = 0; h < H; h++) for (let i = 0; i < I; i++) p[off.A + i * H + h] = draw(I, H, false)
  for (let h = 0; h < H; h++) p[off.a + h] = draw(I, H, true)
  for (const l of off.layers) {
    for (let r = 0; r < l.rows * l.cols; r++) p[l.W + r] = draw(l.cols, l.rows, false)
    for (let r = 0; r < l.rows; r++) p[l.c + r] = draw(l.cols, l.rows, true)
  }
  const L = widths[widths.length - 1]!
  for (let k = 0; k < K; k++) for (let h = 0; h < L; h++) p[off.B + k * L + h] = draw(L, K, false)
  for (let k = 0; k < K; k++) p[off.b + k] = draw(L, K, true)
  return p
}

/**
 * dst[indices[q]·H + j] += c · values[q] · g[j] for q in [q0, q1), j < H: a scaled
 * outer-product update of the rows of the given pixels. Eight rows at a time (then four,
 * then one), so that g[j] is loaded once per group: V8 does not vectorise, and this is
 * about 2× faster than row by row.
 */
export function addRows(
  dst: Float32Array,
  H: number,
  indices: Int32Array,
  values: Float32Array,
  q0: number,
  q1: number,
  g: Float64Array,
  c: number,
): void {
  let q = q0
  for (; q + 7 < q1; q += 8) {
    const x0 = c * values[q]
    const x1 = c * values[q + 1]
    const x2 = c * values[q + 2]
    const x3 = c * values[q + 3]
    const x4 = c * values[q + 4]
    const x5 = c * values[q + 5]
    const x6 = c * values[q + 6]
    const x7 = c * values[q + 7]
    const r0 = indices[q] * H
    const r1 = indices[q + 1] * H
    const r2 = indices[q + 2] * H
    const r3 = indices[q + 3] * H
    const r4 = indices[q + 4] * H
    const r5 = indices[q + 5] * H
    const r6 = indices[q + 6] * H
    const r7 = indices[q + 7] * H
    for (let j = 0; j < H; j++) {
      const gj = g[j]
      dst[r0 + j] += x0 * gj
      dst[r1 + j] += x1 * gj
      dst[r2 + j] += x2 * gj
      dst[r3 + j] += x3 * gj
      dst[r4 + j] += x4 * gj
      dst[r5 + j] += x5 * gj
      dst[r6 + j] += x6 * gj
      dst[r7 + j] += x7 * gj
    }
  }
  for (; q + 3 < q1; q += 4) {
    const x0 = c * values[q]
    const x1 = c * values[q + 1]
    const x2 = c * values[q + 2]
    const x3 = c * values[q + 3]
    const r0 = indices[q] * H
    const r1 = indices[q + 1] * H
    const r2 = indices[q + 2] * H
    const r3 = indices[q + 3] * H
    for (let j = 0; j < H; j++) {
      const gj = g[j]
      dst[r0 + j] += x0 * gj
      dst[r1 + j] += x1 * gj
      dst[r2 + j] += x2 * gj
      dst[r3 + j] += x3 * gj
    }
  }
  for (; q < q1; q++) {
    const x = c * values[q]
    const row = indices[q] * H
    for (let j = 0; j < H; j++) dst[row + j] += x * g[j]
  }
}

/**
 * z[j] += Σ_q values[q] · w[indices[q]·H + j] for q in [q0, q1), j < H: the first layer's
 * pre-activations from the non-zero pixels. Eight rows at a time (then four, then one),
 * so that z is loaded and stored once per group.
 */
export function gatherRows(
  z: Float64Array,
  H: number,
  w: Float32Array,
  indices: Int32Array,
  values: Float32Array,
  q0: number,
  q1: number,
): void {
  let q = q0
  for (; q + 7 < q1; q += 8) {
    const x0 = values[q]
    const x1 = values[q + 1]
    const x2 = values[q + 2]
    const x3 = values[q + 3]
    const x4 = values[q + 4]
    const x5 = values[q + 5]
    const x6 = values[q + 6]
    const x7 = values[q + 7]
    const r0 = indices[q] * H
    const r1 = indices[q + 1] * H
    const r2 = indices[q + 2] * H
    const r3 = indices[q + 3] * H
    const r4 = indices[q + 4] * H
    const r5 = indices[q + 5] * H
    const r6 = indices[q + 6] * H
    const r7 = indices[q + 7] * H
    for (let j = 0; j < H; j++) {
      z[j] +=
        x0 * w[r0 + j] +
        x1 * w[r1 + j] +
        x2 * w[r2 + j] +
        x3 * w[r3 + j] +
        x4 * w[r4 + j] +
        x5 * w[r5 + j] +
        x6 * w[r6 + j] +
        x7 * w[r7 + j]
    }
  }
  for (; q + 3 < q1; q += 4) {
    const x0 = values[q]
    const x1 = values[q + 1]
    const x2 = values[q + 2]
    const x3 = values[q + 3]
    const r0 = indices[q] * H
    const r1 = indices[q + 1] * H
    const r2 = indices[q + 2] * H
    const r3 = indices[q + 3] * H
    for (let j = 0; j < H; j++) z[j] += x0 * w[r0 + j] + x1 * w[r1 + j] + x2 * w[r2 + j] + x3 * w[r3 + j]
  }
  for (; q < q1; q++) {
    const x = values[q]
    const row = indices[q] * H
    for (let j = 0; j < H; j++) z[j] += x * w[row + j]
  }
}

/**
 * Momentum step on the first n entries: v ← μ v + g, p ← p − η v, with the velocity
 * rounded to float32 before it is applied (as PyTorch does with its float32 buffer).
 * Unrolled by four: V8 does not vectorise, and this halves the loop overhead.
 */
function momentumUpdate(p: Float32Array, v: Float32Array, g: Float32Array, n: number, mu: number, lr: number): void {
  let j = 0
  for (; j + 3 < n; j += 4) {
    const v0 = Math.fround(mu * v[j] + g[j])
    const v1 = Math.fround(mu * v[j + 1] + g[j + 1])
    const v2 = Math.fround(mu * v[j + 2] + g[j + 2])
    const v3 = Math.fround(mu * v[j + 3] + g[j + 3])
    v[j] = v0
    v[j + 1] = v1
    v[j + 2] = v2
    v[j + 3] = v3
    p[j] -= lr * v0
    p[j + 1] -= lr * v1
    p[j + 2] -= lr * v2
    p[j + 3] -= lr * v3
  }
  for (; j < n; j++) {
    const vj = Math.fround(mu * v[j] + g[j])
    v[j] = vj
    p[j] -= lr * vj
  }
}

/** Logistic sigmoid, float64; robust for any |z| (exp overflow gives exactly 0, never NaN). */
export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z))
}

/**
 * What the trainer needs of a kernel: the TypeScript reference (FusedMlp, below) and
 * the WebAssembly SIMD kernel (wasm/wasm-mlp.ts) implement it with the same semantics.
 */
export interface MlpKernel {
  /** Which implementation this is. */
  readonly kernel: 'ts' | 'wasm'
  readonly shape: MlpShape
  readonly loss: Loss
  readonly momentum: number
  /** Outputs for one sparse image into `out` (length outputs). */
  forward(images: SparseImages, i: number, out: Float32Array): void
  /** One SGD step on the mean gradient of the samples `idx`; returns the batch's mean loss (before the step). */
  step(images: SparseImages, labels: Uint8Array, idx: ArrayLike<number>, lr: number): number
  /** Mean loss and error count over samples [from, to) or an index list; optionally the outputs (count×outputs). */
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
  /** A copy of the parameters, in the layout of `paramOffsets`. */
  readParams(): Float32Array
  /** A copy of the momentum buffer (same layout), or null without momentum. */
  readVelocity(): Float32Array | null
}

/**
 * One network and its SGD state, with scratch buffers allocated once. `params` (and
 * `velocity`) are used in place, not copied: the caller may read them at any time
 * between calls (snapshots, resume) and may share their buffers. Without momentum
 * (μ = 0) there is no velocity, even if one is passed.
 */
/** The two call forms of evaluate — (from, to, outputs?) or (indices, outputs?) — as
 * one: a range [from, from + count) when idx is null, else the listed samples. */
export function evaluateArgs(
  kernel: string,
  images: SparseImages,
  fromOrIdx: number | ArrayLike<number>,
  toOrOutputs?: number | Float32Array,
  maybeOutputs?: Float32Array,
): { idx: ArrayLike<number> | null; from: number; count: number; outputs: Float32Array | undefined } {
  if (typeof fromOrIdx !== 'number') {
    return {
      idx: fromOrIdx,
      from: 0,
      count: fromOrIdx.length,
      outputs: toOrOutputs instanceof Float32Array ? toOrOutputs : undefined,
    }
  }
  if (typeof toOrOutputs !== 'number') throw new TypeError(`${kernel}.evaluate: expected (from, to)`)
  const count = toOrOutputs - fromOrIdx
  if (fromOrIdx < 0 || toOrOutputs > images.count || count < 0) {
    throw new RangeError(`${kernel}.evaluate: range [${fromOrIdx}, ${toOrOutputs}) outside 0..${images.count}`)
  }
  return { idx: null, from: fromOrIdx, count, outputs: maybeOutputs }
}

export class FusedMlp implements MlpKernel {
  readonly kernel = 'ts' as const
  readonly shape: MlpShape
  readonly loss: Loss
  readonly momentum: number
  readonly options: Required<TrainOptions>
  readonly params: Float32Array
  readonly velocity: Float32Array | null

  private readonly I: number
  private readonly H: number
  private readonly K: number
  private readonly oa: number
  private readonly oB: number
  private readonly ob: number
  private readonly mse: boolean
  /** 0 sigmoid, 1 tanh, 2 relu */
  private readonly act: number
  /** Whether a step must use the general path (weight decay or Nesterov change every parameter). */
  private readonly dense: boolean

  // per-sample scratch (float64: V8 computes in float64 anyway, and stores need no rounding)
  private readonly hid: Float64Array // hidden pre-activations, then activations
  private readonly g: Float64Array // hidden deltas (times lr on the hot path)
  private readonly y: Float64Array // output pre-activations, then outputs
  private readonly d: Float64Array // output deltas
  private readonly out32: Float32Array // outputs rounded to float32 (evaluate's argmax)
  private readonly logit: Float64Array // cross-entropy: output pre-activations minus their max
  private logSum = 0 // cross-entropy: log Σ_k exp(logit_k)

  // minibatch / momentum accumulators, allocated on first use
  private acc: {
    gA: Float32Array // [inputs][hidden], zero outside the touched rows
    rest: Float64Array // a, B, b gradients (same layout as params from offset a)
    touched: Uint8Array
    rows: Int32Array
  } | null = null

  constructor(
    shape: MlpShape,
    loss: Loss,
    params: Float32Array,
    momentum = 0,
    velocity?: Float32Array,
    options?: TrainOptions,
  ) {
    checkShape(shape)
    if (isDeep(shape)) throw new RangeError('FusedMlp: one hidden layer only (DeepMlp trains deeper networks)')
    if (loss !== 'mse' && loss !== 'cross-entropy') throw new RangeError(`unknown loss ${String(loss)}`)
    const n = paramCount(shape)
    if (params.length !== n) throw new RangeError(`FusedMlp: expected ${n} parameters, got ${params.length}`)
    if (!(momentum >= 0 && momentum < 1)) throw new RangeError(`FusedMlp: momentum must be in [0, 1) (got ${momentum})`)
    if (velocity !== undefined && velocity.length !== n) {
      throw new RangeError(`FusedMlp: expected ${n} velocity entries, got ${velocity.length}`)
    }
    this.shape = { inputs: shape.inputs, hidden: shape.hidden, outputs: shape.outputs }
    this.loss = loss
    this.momentum = momentum
    this.params = params
    this.velocity = momentum > 0 ? (velocity ?? new Float32Array(n)) : null
    this.options = trainOptions(options, momentum, 'FusedMlp')
    this.act = ACTIVATIONS.indexOf(this.options.activation)
    this.dense = this.options.weightDecay > 0 || this.options.nesterov
    this.I = shape.inputs
    this.H = shape.hidden
    this.K = shape.outputs
    const off = paramOffsets(shape)
    this.oa = off.a
    this.oB = off.B
    this.ob = off.b
    this.mse = loss === 'mse'
    this.hid = new Float64Array(this.H)
    this.g = new Float64Array(this.H)
    this.y = new Float64Array(this.K)
    this.d = new Float64Array(this.K)
    this.out32 = new Float32Array(this.K)
    this.logit = new Float64Array(this.K)
  }

  readParams(): Float32Array {
    return this.params.slice()
  }

  readVelocity(): Float32Array | null {
    return this.velocity === null ? null : this.velocity.slice()
  }

  /** Outputs for one sparse image into `out` (length outputs): sigmoid for mse, softmax for cross-entropy. */
  forward(images: SparseImages, i: number, out: Float32Array): void {
    this.checkImages(images)
    if (!(i >= 0 && i < images.count))
      throw new RangeError(`FusedMlp.forward: sample ${i} outside 0..${images.count - 1}`)
    this.fwd(images.indptr, images.indices, images.values, i)
    const y = this.y
    for (let k = 0; k < this.K; k++) out[k] = y[k]
  }

  /**
   * One SGD step on the mean gradient of the samples `idx` (batch = idx.length ≥ 1).
   * Returns the batch's mean loss (before the step). Batch 1 without momentum is the hot
   * path: forward and first-layer update only over the non-zero pixels, no allocation.
   */
  step(images: SparseImages, labels: Uint8Array, idx: ArrayLike<number>, lr: number): number {
    const m = idx.length
    if (m < 1) throw new RangeError('FusedMlp.step: empty batch')
    if (images.dim !== this.I) this.checkImages(images)
    if (m === 1 && this.velocity === null && !this.dense) {
      const i = idx[0]
      if (!(i >= 0 && i < images.count))
        throw new RangeError(`FusedMlp.step: sample ${i} outside 0..${images.count - 1}`)
      return this.stepOne(images, labels, i, lr)
    }
    return this.stepBatch(images, labels, idx, lr)
  }

  /**
   * Mean loss and error count (argmax of the float32 outputs, first maximum on ties,
   * ≠ label) over samples [from, to), or over an index list. Optionally writes the
   * outputs (count×outputs, in evaluation order) into `outputs`. No allocation per sample.
   */
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
    const { idx, from, count, outputs } = evaluateArgs('FusedMlp', images, fromOrIdx, toOrOutputs, maybeOutputs)
    const K = this.K
    if (outputs !== undefined && outputs.length < count * K) {
      throw new RangeError(`FusedMlp.evaluate: outputs holds ${outputs.length} values, needs ${count * K}`)
    }
    const { indptr, indices, values } = images
    const y = this.y
    const o = this.out32
    let loss = 0
    let errors = 0
    for (let r = 0; r < count; r++) {
      const i = idx === null ? from + r : idx[r]
      if (idx !== null && !(i >= 0 && i < images.count))
        throw new RangeError(`FusedMlp.evaluate: sample ${i} outside 0..${images.count - 1}`)
      this.fwd(indptr, indices, values, i)
      const t = labels[i]
      loss += this.sampleLoss(t)
      let best = 0
      for (let k = 0; k < K; k++) {
        o[k] = y[k]
        if (o[k] > o[best]) best = k
      }
      if (best !== t) errors++
      if (outputs !== undefined) outputs.set(o, r * K)
    }
    return { loss: count > 0 ? loss / count : 0, errors }
  }

  /**
   * Analytic gradient of the mean loss over n dense inputs (x is n×inputs, row-major),
   * in the parameter layout; plain dense float64 code, independent of the sparse
   * kernels — for tests (finite differences) and other engines' cross-checks.
   */
  gradient(x: Float32Array, labels: Uint8Array, n: number): { loss: number; grad: Float32Array } {
    const { I, H, K, oa, oB, ob } = this
    if (n < 1) throw new RangeError('FusedMlp.gradient: n must be ≥ 1')
    if (x.length < n * I) throw new RangeError(`FusedMlp.gradient: x holds ${x.length} values, needs ${n * I}`)
    const p = this.params
    const g = new Float64Array(p.length)
    const h = new Float64Array(H)
    const dh = new Float64Array(H)
    const y = new Float64Array(K)
    const dy = new Float64Array(K)
    const act = activationOf(this.options.activation)
    let loss = 0
    for (let s = 0; s < n; s++) {
      const xo = s * I
      const t = labels[s]
      for (let j = 0; j < H; j++) {
        let z = p[oa + j]
        for (let i = 0; i < I; i++) z += p[i * H + j] * x[xo + i]
        h[j] = act.f(z)
      }
      for (let k = 0; k < K; k++) {
        let z = p[ob + k]
        for (let j = 0; j < H; j++) z += p[oB + k * H + j] * h[j]
        y[k] = z
      }
      if (this.mse) {
        for (let k = 0; k < K; k++) {
          const yk = 1 / (1 + Math.exp(-y[k]))
          const e = yk - (k === t ? 1 : 0)
          loss += (e * e) / K
          dy[k] = ((2 / K) * e * yk * (1 - yk)) / n
        }
      } else {
        let max = -Infinity
        for (let k = 0; k < K; k++) if (y[k] > max) max = y[k]
        let sum = 0
        for (let k = 0; k < K; k++) sum += Math.exp(y[k] - max)
        loss += Math.log(sum) - (y[t] - max)
        for (let k = 0; k < K; k++) dy[k] = (Math.exp(y[k] - max) / sum - (k === t ? 1 : 0)) / n
      }
      dh.fill(0)
      for (let k = 0; k < K; k++) {
        g[ob + k] += dy[k]
        for (let j = 0; j < H; j++) {
          g[oB + k * H + j] += dy[k] * h[j]
          dh[j] += dy[k] * p[oB + k * H + j]
        }
      }
      for (let j = 0; j < H; j++) {
        const dz = dh[j] * act.df(h[j])
        g[oa + j] += dz
        for (let i = 0; i < I; i++) g[i * H + j] += dz * x[xo + i]
      }
    }
    return { loss: loss / n, grad: Float32Array.from(g) }
  }

  // ---------------------------------------------------------------------------------

  private checkImages(images: SparseImages): void {
    if (images.dim !== this.I)
      throw new RangeError(`FusedMlp: images have ${images.dim} pixels, the network ${this.I} inputs`)
  }

  /** Forward pass of sparse image i: this.hid ← h, this.y ← outputs (float64). */
  private fwd(indptr: Int32Array, indices: Int32Array, values: Float32Array, i: number): void {
    const H = this.H
    const K = this.K
    const p = this.params
    const hid = this.hid
    const y = this.y
    const oa = this.oa
    for (let j = 0; j < H; j++) hid[j] = p[oa + j]
    gatherRows(hid, H, p, indices, values, indptr[i], indptr[i + 1]) // z = a + Σ x_q A[pixel_q]
    if (this.act === 0) for (let j = 0; j < H; j++) hid[j] = sigmoid(hid[j])
    else if (this.act === 1) for (let j = 0; j < H; j++) hid[j] = Math.tanh(hid[j])
    else for (let j = 0; j < H; j++) hid[j] = hid[j] > 0 ? hid[j] : 0
    const oB = this.oB
    const ob = this.ob
    for (let k = 0; k < K; k++) {
      const row = oB + k * H
      let z = p[ob + k]
      for (let j = 0; j < H; j++) z += p[row + j] * hid[j]
      y[k] = z
    }
    if (this.mse) {
      for (let k = 0; k < K; k++) y[k] = sigmoid(y[k])
    } else {
      let max = -Infinity
      for (let k = 0; k < K; k++) if (y[k] > max) max = y[k]
      let sum = 0
      for (let k = 0; k < K; k++) {
        const e = y[k] - max
        this.logit[k] = e
        const ex = Math.exp(e)
        y[k] = ex
        sum += ex
      }
      this.logSum = Math.log(sum)
      const inv = 1 / sum
      for (let k = 0; k < K; k++) y[k] *= inv
    }
  }

  /** Loss of the sample whose outputs are in this.y, target class t. */
  private sampleLoss(t: number): number {
    const y = this.y
    const K = this.K
    if (this.mse) {
      let s = 0
      for (let k = 0; k < K; k++) {
        const e = y[k] - (k === t ? 1 : 0)
        s += e * e
      }
      return s / K
    }
    // −log y_t = log Σ exp(z_k − max) − (z_t − max): finite even where y_t underflows
    return this.logSum - this.logit[t]
  }

  /** Output deltas dL/dz_out (times `scale`) of the sample whose outputs are in this.y. */
  private outputDeltas(t: number, scale: number): void {
    const y = this.y
    const d = this.d
    const K = this.K
    if (this.mse) {
      const c = (2 / K) * scale
      for (let k = 0; k < K; k++) {
        const yk = y[k]
        d[k] = c * (yk - (k === t ? 1 : 0)) * yk * (1 - yk)
      }
    } else {
      for (let k = 0; k < K; k++) d[k] = scale * (y[k] - (k === t ? 1 : 0))
    }
  }

  /** g ← g ⊙ act′(z), from the activations in this.hid: back through the hidden non-linearity. */
  private hiddenDeltas(): void {
    const H = this.H
    const hid = this.hid
    const g = this.g
    if (this.act === 0) {
      for (let j = 0; j < H; j++) {
        const hj = hid[j]
        g[j] = g[j] * hj * (1 - hj)
      }
    } else if (this.act === 1) {
      for (let j = 0; j < H; j++) g[j] = g[j] * (1 - hid[j] * hid[j])
    } else {
      for (let j = 0; j < H; j++) if (!(hid[j] > 0)) g[j] = 0
    }
  }

  /** Batch 1, no momentum: update in place, first layer only over the non-zero pixels. */
  private stepOne(images: SparseImages, labels: Uint8Array, i: number, lr: number): number {
    const { indptr, indices, values } = images
    this.fwd(indptr, indices, values, i)
    const t = labels[i]
    const loss = this.sampleLoss(t)
    this.outputDeltas(t, lr) // d = lr · dL/dz_out
    const H = this.H
    const K = this.K
    const p = this.params
    const hid = this.hid
    const g = this.g
    const d = this.d
    const oB = this.oB
    const ob = this.ob
    const oa = this.oa
    for (let j = 0; j < H; j++) g[j] = 0
    for (let k = 0; k < K; k++) {
      const dk = d[k]
      const row = oB + k * H
      for (let j = 0; j < H; j++) {
        const w = p[row + j]
        g[j] += dk * w // back-propagate through the old weights
        p[row + j] = w - dk * hid[j]
      }
      p[ob + k] -= dk
    }
    this.hiddenDeltas()
    for (let j = 0; j < H; j++) p[oa + j] -= g[j] // g = lr · dL/dz_hidden
    addRows(p, H, indices, values, indptr[i], indptr[i + 1], g, -1) // A[pixel] −= x · g
    return loss
  }

  private accumulators(): NonNullable<FusedMlp['acc']> {
    if (this.acc === null) {
      this.acc = {
        gA: new Float32Array(this.I * this.H),
        rest: new Float64Array(this.params.length - this.oa),
        touched: new Uint8Array(this.I),
        rows: new Int32Array(this.I),
      }
    }
    return this.acc
  }

  /**
   * Weight decay and/or Nesterov (torch.optim.SGD's update, every parameter, the
   * gradient in the accumulators, gA zero outside the touched rows): g ← ∇ + wd·θ
   * (rounded to float32 as PyTorch's buffer); with momentum v ← μv + g, d = g + μv
   * (Nesterov) or v; θ ← θ − η·d.
   */
  private denseUpdate(lr: number): void {
    const { gA, rest } = this.accumulators()
    const p = this.params
    const v = this.velocity
    const { weightDecay: wd, nesterov } = this.options
    const mu = this.momentum
    const oa = this.oa
    const n = p.length
    for (let j = 0; j < n; j++) {
      const grad = Math.fround((j < oa ? gA[j] : rest[j - oa]) + wd * p[j])
      if (v === null) {
        p[j] -= lr * grad
        continue
      }
      const vj = Math.fround(mu * v[j] + grad)
      v[j] = vj
      p[j] -= lr * (nesterov ? Math.fround(grad + mu * vj) : vj)
    }
  }

  /** Zeroes the accumulators after an aborted batch (the first nRows touched rows). */
  private clearAccumulators(nRows: number): void {
    const { gA, rest, touched, rows } = this.accumulators()
    const H = this.H
    rest.fill(0)
    for (let r = 0; r < nRows; r++) {
      gA.fill(0, rows[r] * H, rows[r] * H + H)
      touched[rows[r]] = 0
    }
  }

  /** General step: accumulate the mean gradient (first layer only on touched rows), then update once. */
  private stepBatch(images: SparseImages, labels: Uint8Array, idx: ArrayLike<number>, lr: number): number {
    const { indptr, indices, values } = images
    const acc = this.accumulators()
    const { gA, rest, touched, rows } = acc
    const m = idx.length
    const scale = 1 / m
    const H = this.H
    const K = this.K
    const p = this.params
    const hid = this.hid
    const g = this.g
    const d = this.d
    const oa = this.oa
    const oB = this.oB
    const ob = this.ob
    const rB = oB - oa // offsets into `rest`
    const rb = ob - oa
    let nRows = 0
    let loss = 0
    for (let r = 0; r < m; r++) {
      const i = idx[r]
      if (!(i >= 0 && i < images.count)) {
        this.clearAccumulators(nRows)
        throw new RangeError(`FusedMlp.step: sample ${i} outside 0..${images.count - 1}`)
      }
      this.fwd(indptr, indices, values, i)
      const t = labels[i]
      loss += this.sampleLoss(t)
      this.outputDeltas(t, scale)
      for (let j = 0; j < H; j++) g[j] = 0
      for (let k = 0; k < K; k++) {
        const dk = d[k]
        const row = oB + k * H
        const grow = rB + k * H
        for (let j = 0; j < H; j++) {
          g[j] += dk * p[row + j]
          rest[grow + j] += dk * hid[j]
        }
        rest[rb + k] += dk
      }
      this.hiddenDeltas()
      for (let j = 0; j < H; j++) rest[j] += g[j]
      const start = indptr[i]
      const end = indptr[i + 1]
      for (let q = start; q < end; q++) {
        const px = indices[q]
        if (touched[px] === 0) {
          touched[px] = 1
          rows[nRows++] = px
        }
      }
      addRows(gA, H, indices, values, start, end, g, 1) // gA[pixel] += x · g
    }

    const v = this.velocity
    const nRest = rest.length
    if (this.dense) {
      this.denseUpdate(lr)
      for (let r = 0; r < nRows; r++) gA.fill(0, rows[r] * H, rows[r] * H + H)
      rest.fill(0)
    } else if (v === null) {
      for (let j = 0; j < nRest; j++) {
        p[oa + j] -= lr * rest[j]
        rest[j] = 0
      }
      for (let r = 0; r < nRows; r++) {
        const row = rows[r] * H
        for (let j = 0; j < H; j++) {
          p[row + j] -= lr * gA[row + j]
          gA[row + j] = 0
        }
      }
    } else {
      const mu = this.momentum
      for (let j = 0; j < nRest; j++) {
        v[oa + j] = mu * v[oa + j] + rest[j]
        p[oa + j] -= lr * v[oa + j] // the stored (float32) velocity, as PyTorch
        rest[j] = 0
      }
      // dense first-layer update (gA is zero outside the touched rows)
      const nA = oa
      momentumUpdate(p, v, gA, nA, mu, lr)
      for (let r = 0; r < nRows; r++) gA.fill(0, rows[r] * H, rows[r] * H + H)
    }
    for (let r = 0; r < nRows; r++) touched[rows[r]] = 0
    return loss / m
  }
}
