/**
 * The fused engine's WebAssembly SIMD kernel: the same network, losses, SGD and momentum
 * as the TypeScript reference (../mlp.ts, FusedMlp) and the same API (MlpKernel), with
 * the parameters living in WebAssembly memory. They are copied in once (constructor)
 * and out only when asked (readParams / readVelocity: snapshots and saved state).
 *
 * Inside WebAssembly memory the hidden dimension is padded to a multiple of four
 * (Hp), so that every row of A and B is a whole number of f32x4 vectors, 16-byte
 * aligned; padding entries are zero and stay zero. Sample pixels are copied from the
 * (shared) CSR arrays into this thread's scratch buffer for each step, a few hundred
 * values, which costs little next to the step itself.
 */
import {
  ACTIVATIONS,
  checkShape,
  evaluateArgs,
  hiddenLayers,
  isDeep,
  paramCount,
  paramOffsets,
  trainOptions,
  type Loss,
  type MlpKernel,
  type MlpShape,
  type TrainOptions,
} from '../mlp'
import type { SparseImages } from '../sparse'
import { kernelRuntime, type KernelRuntime } from './runtime'

// Header fields (i32 index = byte offset / 4); must match assembly/kernel.ts.
const F_I = 0
const F_H = 1
const F_HP = 2
const F_K = 3
const F_MSE = 4
const F_A = 5
const F_a = 6
const F_B = 7
const F_b = 8
const F_V = 9
const F_NP = 10
const F_HID = 11
const F_G = 12
const F_Y = 13
const F_D = 14
const F_LOGIT = 15
const F_GA = 16
const F_REST = 17
const F_TOUCHED = 18
const F_ROWS = 19
const F_NROWS = 20
const F_ACT = 21
const F_NL = 22
const F_LAYERS = 23
const F_LP = 24
const HEADER_BYTES = 112
/** i32 fields of a deeper layer's descriptor: W, c, rows, rowsP, colsP, h, dh (assembly/kernel.ts, L_*). */
const LAYER_FIELDS = 8

/** One matrix of the parameter layout (paramOffsets) and where its rows go in the padded block. */
interface Segment {
  src: number
  dst: number
  rows: number
  cols: number
  stride: number
}

const round4 = (n: number) => (n + 3) & ~3
const round16 = (n: number) => (n + 15) & ~15

/** Frees a network's blocks when its WasmMlp is garbage-collected without dispose(). */
const registry = new FinalizationRegistry<{ rt: KernelRuntime; blocks: number[] }>(({ rt, blocks }) => {
  for (const b of blocks) rt.free(b)
})

export class WasmMlp implements MlpKernel {
  readonly kernel = 'wasm' as const
  readonly shape: MlpShape
  readonly loss: Loss
  readonly momentum: number
  readonly options: Required<TrainOptions>

  private readonly rt: KernelRuntime
  private readonly I: number
  private readonly H: number
  private readonly K: number
  private readonly Hp: number
  /** address of the network's header; the parameter block follows it */
  private readonly net: number
  private readonly pA: number
  private readonly pV: number
  private readonly np: number
  private readonly py: number
  /** the parameter layout's matrices and their places in the padded block */
  private readonly segments: Segment[]
  private readonly owned: { rt: KernelRuntime; blocks: number[] }
  /** Weight decay or Nesterov: every step goes through the accumulators and a dense update. */
  private readonly dense: boolean
  /** 2–4 hidden layers */
  private readonly deep: boolean
  private hasAccumulators = false
  /** the current sample's pixel indices and values (byte addresses; copySample) */
  private xiAt = 0
  private xvAt = 0
  private disposed = false

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
    if (params.length !== n) throw new RangeError(`WasmMlp: expected ${n} parameters, got ${params.length}`)
    if (!(momentum >= 0 && momentum < 1)) throw new RangeError(`WasmMlp: momentum must be in [0, 1) (got ${momentum})`)
    if (velocity !== undefined && velocity.length !== n)
      throw new RangeError(`WasmMlp: expected ${n} velocity entries, got ${velocity.length}`)
    const deep = isDeep(shape)
    // One hidden layer: the paper's shape object, exactly as before.
    this.shape = deep
      ? { inputs: shape.inputs, hidden: shape.hidden, outputs: shape.outputs, deeper: [...shape.deeper!] }
      : { inputs: shape.inputs, hidden: shape.hidden, outputs: shape.outputs }
    this.loss = loss
    this.momentum = momentum
    this.options = trainOptions(options, momentum, 'WasmMlp')
    // Deeper networks always accumulate, then apply (no in-place batch-1 step).
    this.dense = this.options.weightDecay > 0 || this.options.nesterov
    this.deep = deep
    const I = (this.I = shape.inputs)
    const H = (this.H = shape.hidden)
    const K = (this.K = shape.outputs)
    const Hp = (this.Hp = round4(H))
    const Kp = round4(K)
    // The padded block: A [I][Hp], a [Hp], each deeper layer's W [rows][colsP] and c [rowsP], B [K][Lp], b [Kp].
    const off = paramOffsets(shape)
    const segments: Segment[] = [
      { src: off.A, dst: 0, rows: I, cols: H, stride: Hp },
      { src: off.a, dst: I * Hp, rows: 1, cols: H, stride: Hp },
    ]
    let pos = I * Hp + Hp
    let prevP = Hp
    const layerAt: { W: number; c: number; rows: number; rowsP: number; colsP: number }[] = []
    for (const l of off.layers) {
      const rowsP = round4(l.rows)
      layerAt.push({ W: pos, c: pos + l.rows * prevP, rows: l.rows, rowsP, colsP: prevP })
      segments.push({ src: l.W, dst: pos, rows: l.rows, cols: l.cols, stride: prevP })
      pos += l.rows * prevP
      segments.push({ src: l.c, dst: pos, rows: 1, cols: l.rows, stride: rowsP })
      pos += rowsP
      prevP = rowsP
    }
    const Lp = prevP
    const L = hiddenLayers(shape).at(-1)!
    const oB = pos
    segments.push({ src: off.B, dst: oB, rows: K, cols: L, stride: Lp })
    segments.push({ src: off.b, dst: oB + K * Lp, rows: 1, cols: K, stride: Kp })
    this.segments = segments
    const np = (this.np = oB + K * Lp + Kp)

    // One block: header, parameters, velocity, per-sample scratch.
    let at = HEADER_BYTES
    const take = (bytes: number) => {
      const off = at
      at = round16(at + bytes)
      return off
    }
    const oP = take(4 * np)
    const oV = momentum > 0 ? take(4 * np) : -1
    const oHid = take(4 * Hp)
    const oG = take(4 * Hp)
    const oY = take(8 * K)
    const oD = take(8 * K)
    const oLogit = take(8 * K)
    const oLayers = take(4 * LAYER_FIELDS * layerAt.length)
    const oAct = layerAt.map((l) => [take(4 * l.rowsP), take(4 * l.rowsP)] as const)
    const rt = (this.rt = kernelRuntime())
    rt.ensureSample(I)
    const [base, raw] = rt.alloc(at)
    this.owned = { rt, blocks: [raw] }
    registry.register(this, this.owned, this)

    const h = rt.i32
    const hb = base >> 2
    this.net = base
    this.pA = base + oP
    this.pV = oV < 0 ? 0 : base + oV
    this.py = base + oY
    h[hb + F_I] = I
    h[hb + F_H] = H
    h[hb + F_HP] = Hp
    h[hb + F_K] = K
    h[hb + F_MSE] = loss === 'mse' ? 1 : 0
    h[hb + F_A] = this.pA
    h[hb + F_a] = this.pA + 4 * I * Hp
    h[hb + F_B] = this.pA + 4 * oB
    h[hb + F_b] = this.pA + 4 * (oB + K * Lp)
    h[hb + F_V] = this.pV
    h[hb + F_NP] = np
    h[hb + F_HID] = base + oHid
    h[hb + F_G] = base + oG
    h[hb + F_Y] = this.py
    h[hb + F_D] = base + oD
    h[hb + F_LOGIT] = base + oLogit
    h[hb + F_ACT] = ACTIVATIONS.indexOf(this.options.activation)
    h[hb + F_NL] = layerAt.length
    h[hb + F_LAYERS] = layerAt.length > 0 ? base + oLayers : 0
    h[hb + F_LP] = Lp
    layerAt.forEach((l, li) => {
      const d = ((base + oLayers) >> 2) + li * LAYER_FIELDS
      h[d] = this.pA + 4 * l.W
      h[d + 1] = this.pA + 4 * l.c
      h[d + 2] = l.rows
      h[d + 3] = l.rowsP
      h[d + 4] = l.colsP
      h[d + 5] = base + oAct[li]![0]
      h[d + 6] = base + oAct[li]![1]
    })
    this.writeBlock(this.pA, params)
    if (this.pV !== 0 && velocity !== undefined) this.writeBlock(this.pV, velocity)
  }

  /** Frees this network's WebAssembly memory now (it is freed on garbage collection otherwise). */
  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    registry.unregister(this)
    for (const b of this.owned.blocks) this.rt.free(b)
    this.owned.blocks = []
  }

  readParams(): Float32Array {
    this.check()
    return this.readBlock(this.pA)
  }

  readVelocity(): Float32Array | null {
    this.check()
    return this.pV === 0 ? null : this.readBlock(this.pV)
  }

  forward(images: SparseImages, i: number, out: Float32Array): void {
    this.check()
    this.checkImages(images)
    if (!(i >= 0 && i < images.count))
      throw new RangeError(`WasmMlp.forward: sample ${i} outside 0..${images.count - 1}`)
    const nnz = this.copySample(images, i)
    this.rt.ex.forward(this.net, this.xiAt, this.xvAt, nnz)
    const y = this.rt.f64
    const yb = this.py >> 3
    for (let k = 0; k < this.K; k++) out[k] = y[yb + k]
  }

  step(images: SparseImages, labels: Uint8Array, idx: ArrayLike<number>, lr: number): number {
    const m = idx.length
    if (m < 1) throw new RangeError('WasmMlp.step: empty batch')
    if (images.dim !== this.I) this.checkImages(images)
    const rt = this.rt
    if (m === 1 && this.pV === 0 && !this.dense && !this.deep) {
      const i = idx[0]
      if (!(i >= 0 && i < images.count))
        throw new RangeError(`WasmMlp.step: sample ${i} outside 0..${images.count - 1}`)
      if (this.disposed) this.check()
      const nnz = this.copySample(images, i)
      return rt.ex.stepOne(this.net, this.xiAt, this.xvAt, nnz, labels[i], lr)
    }
    this.check()
    this.accumulators()
    const scale = 1 / m
    let loss = 0
    for (let r = 0; r < m; r++) {
      const i = idx[r]
      if (!(i >= 0 && i < images.count)) {
        rt.ex.clearAccumulators(this.net)
        throw new RangeError(`WasmMlp.step: sample ${i} outside 0..${images.count - 1}`)
      }
      const nnz = this.copySample(images, i)
      loss += rt.ex.accumulate(this.net, this.xiAt, this.xvAt, nnz, labels[i], scale)
    }
    rt.ex.apply(this.net, lr, this.momentum, this.options.weightDecay, this.options.nesterov ? 1 : 0)
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
    this.check()
    this.checkImages(images)
    const { idx, from, count, outputs } = evaluateArgs('WasmMlp', images, fromOrIdx, toOrOutputs, maybeOutputs)
    if (idx) {
      for (let r = 0; r < count; r++) {
        const i = idx[r]
        if (!(i >= 0 && i < images.count))
          throw new RangeError(`WasmMlp.evaluate: sample ${i} outside 0..${images.count - 1}`)
      }
    }
    const K = this.K
    if (outputs !== undefined && outputs.length < count * K) {
      throw new RangeError(`WasmMlp.evaluate: outputs holds ${outputs.length} values, needs ${count * K}`)
    }
    const rt = this.rt
    rt.ensureChunk(this.I, K)
    const c = rt.chunk
    const { indptr, indices, values } = images
    let loss = 0
    let errors = 0
    let r = 0
    while (r < count) {
      // Fill a chunk with as many images as fit, then evaluate them in one call.
      rt.refresh()
      const xi = rt.i32
      const xv = rt.f32
      const ptr = rt.i32
      const lab = rt.u8
      const xib = c.xi >> 2
      const xvb = c.xv >> 2
      const pb = c.ptr >> 2
      let n = 0
      let q = 0
      const r0 = r
      while (r < count && n < c.images) {
        const i = idx === null ? from + r : idx[r]
        const s = indptr[i]
        const e = indptr[i + 1]
        if (q + (e - s) > c.nnz) break
        ptr[pb + n] = q
        xi.set(indices.subarray(s, e), xib + q)
        xv.set(values.subarray(s, e), xvb + q)
        lab[c.labels + n] = labels[i]
        q += e - s
        n++
        r++
      }
      ptr[pb + n] = q
      loss += rt.ex.evaluate(this.net, c.xi, c.xv, c.ptr, c.labels, n, outputs === undefined ? 0 : c.out)
      errors += rt.ex.lastErrors()
      if (outputs !== undefined) outputs.set(rt.f32.subarray(c.out >> 2, (c.out >> 2) + n * K), r0 * K)
    }
    return { loss: count > 0 ? loss / count : 0, errors }
  }

  // ---------------------------------------------------------------------------------

  private check(): void {
    if (this.disposed) throw new Error('WasmMlp: used after dispose()')
  }

  private checkImages(images: SparseImages): void {
    if (images.dim !== this.I)
      throw new RangeError(`WasmMlp: images have ${images.dim} pixels, the network ${this.I} inputs`)
  }

  /** Where sample i's pixels are for the kernel (xiAt, xvAt): in place when the images live in
   * this thread's kernel memory, else copied into its sample buffer. Returns their number. */
  private copySample(images: SparseImages, i: number): number {
    const rt = this.rt
    const s = images.indptr[i]
    const e = images.indptr[i + 1]
    if (images.memory === rt.memory) {
      this.xiAt = images.indices.byteOffset + 4 * s
      this.xvAt = images.values.byteOffset + 4 * s
      return e - s
    }
    rt.refresh()
    const xi = rt.i32
    const xv = rt.f32
    this.xiAt = rt.sampleXi
    this.xvAt = rt.sampleXv
    xi.set(images.indices.subarray(s, e), rt.sampleXi >> 2)
    xv.set(images.values.subarray(s, e), rt.sampleXv >> 2)
    return e - s
  }

  /** Minibatch accumulators, allocated on first use (zeroed; the kernel keeps them zero between steps). */
  private accumulators(): void {
    if (this.hasAccumulators) return
    const rt = this.rt
    const I = this.I
    const [gA, r1] = rt.alloc(4 * I * this.Hp)
    const [rest, r2] = rt.alloc(4 * (this.np - I * this.Hp))
    const [touched, r3] = rt.alloc(I)
    const [rows, r4] = rt.alloc(4 * I)
    this.owned.blocks.push(r1, r2, r3, r4)
    const h = rt.i32
    const hb = this.net >> 2
    h[hb + F_GA] = gA
    h[hb + F_REST] = rest
    h[hb + F_TOUCHED] = touched
    h[hb + F_ROWS] = rows
    h[hb + F_NROWS] = 0
    this.hasAccumulators = true
  }

  /** Writes parameters (layout of paramOffsets) into a padded block at `ptr`. */
  private writeBlock(ptr: number, src: Float32Array): void {
    const rt = this.rt
    rt.refresh()
    const f = rt.f32
    const b = ptr >> 2
    f.fill(0, b, b + this.np)
    for (const g of this.segments) {
      if (g.cols === g.stride || g.rows === 1) f.set(src.subarray(g.src, g.src + g.rows * g.cols), b + g.dst)
      else
        for (let r = 0; r < g.rows; r++)
          f.set(src.subarray(g.src + r * g.cols, g.src + r * g.cols + g.cols), b + g.dst + r * g.stride)
    }
  }

  /** Reads a padded block at `ptr` back into the layout of paramOffsets. */
  private readBlock(ptr: number): Float32Array {
    const rt = this.rt
    rt.refresh()
    const f = rt.f32
    const b = ptr >> 2
    const out = new Float32Array(paramCount(this.shape))
    for (const g of this.segments) {
      if (g.cols === g.stride || g.rows === 1) out.set(f.subarray(b + g.dst, b + g.dst + g.rows * g.cols), g.src)
      else
        for (let r = 0; r < g.rows; r++)
          out.set(f.subarray(b + g.dst + r * g.stride, b + g.dst + r * g.stride + g.cols), g.src + r * g.cols)
    }
    return out
  }
}
