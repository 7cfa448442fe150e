/**
 * WebAssembly SIMD kernels for the two loops that dominate the analysis once the Gram matrices
 * are on XNNPACK: the SMACOF pass (stress + Guttman transform) and the Bhattacharyya tile.
 * They are ~2× (SMACOF) and ~4× (Bhattacharyya) faster than the same loops in JS
 * (bench/analysis.ts, CPU time). They are assembled at
 * run time by assembler.ts and checked against the JS loops in the tests; if WebAssembly SIMD
 * is unavailable the callers fall back to JS.
 */
import { Worker } from 'node:worker_threads'
import { encodeModule, op, v128, ValType, type FunctionDef } from './assembler'

const { i32, f64, v128: V } = ValType

// The project compiles without the DOM lib, where the WebAssembly JS API is declared; this is
// the part of it used here.
interface WasmMemory {
  readonly buffer: ArrayBuffer
  grow(pages: number): number
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> }
}
const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly

/** A memory with a bump allocator of 16-byte aligned regions. */
export class KernelMemory {
  readonly memory: WasmMemory
  private top = 0
  /** `sharedPages`: a shared memory (threads) of at most that many pages, all reserved now. */
  constructor(bytes: number, sharedPages?: number) {
    if (!wasm) throw new Error('WebAssembly is not available')
    const initial = Math.max(1, Math.ceil(bytes / 65536))
    this.memory =
      sharedPages === undefined
        ? new wasm.Memory({ initial })
        : new wasm.Memory({ initial: Math.max(initial, sharedPages), maximum: sharedPages, shared: true })
  }
  /** Reserve `bytes` (plus 16 bytes of slack for SIMD reads past the end); returns the offset. */
  alloc(bytes: number): number {
    const at = this.top
    this.top = (at + bytes + 16 + 15) & ~15
    const need = this.top - this.memory.buffer.byteLength
    if (need > 0) this.memory.grow(Math.ceil(need / 65536))
    return at
  }
  f64(offset: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, offset, length)
  }
  f32(offset: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, offset, length)
  }
}

/** Total bytes that alloc() calls of these sizes will take. */
export function bytesFor(...sizes: number[]): number {
  return sizes.reduce((a, s) => a + ((s + 16 + 15) & ~15), 0)
}

let simdSupport: boolean | undefined
export function wasmSimdAvailable(): boolean {
  if (simdSupport === undefined) {
    try {
      simdSupport = !!wasm && wasm.validate(encodeModule([smacofPassDef(), bhattacharyyaDef(10, 1e-30)]))
    } catch {
      simdSupport = false
    }
  }
  return simdSupport === true
}

function instantiate(def: FunctionDef, memory: WasmMemory, sharedPages?: number): unknown {
  if (!wasm) throw new Error('WebAssembly is not available')
  const module = new wasm.Module(encodeModule([def], sharedPages))
  return new wasm.Instance(module, { env: { memory } }).exports[def.name]
}

// ---------------------------------------------------------------------------------------------
// SMACOF pass

/**
 * pass(n, xs, ys, bx, by, D, i0, i1) → raw stress Σ_{i0≤i<i1, j>i}(Dᵢⱼ − ‖xᵢ − xⱼ‖)², adding
 * Σ_{j≠i} (Dᵢⱼ/d̂ᵢⱼ)(xᵢ − xⱼ) into (bx, by) (terms with d̂ = 0 dropped). xs, ys, bx, by are
 * f64[n] (bx, by zeroed by the caller), D is f64[n·n] row-major; only j > i is read. Two j per
 * step (f64x2); an odd last j is done with the second lane masked off.
 */
function smacofPassDef(): FunctionDef {
  const [n, xs, ys, bx, by, D, i0, i1] = [0, 1, 2, 3, 4, 5, 6, 7]
  let next = 8
  const [i, j, stress, row, off] = [next++, next++, next++, next++, next++]
  const [xi, yi, ax, ay, st, dx, dy, dh, dij, r, rx, ry, e] = Array.from({ length: 13 }, () => next++) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const firstLane = v128.const([...new Array<number>(8).fill(0xff), ...new Array<number>(8).fill(0)])
  const ptr = (base: number, index: number) => [...op.get(base), ...op.get(index), ...op.i32Add]
  const pair = (masked: boolean): number[] => [
    ...op.get(j),
    ...op.i32(3),
    ...op.i32Shl,
    ...op.set(off),
    ...op.get(xi),
    ...ptr(xs, off),
    ...v128.load(),
    ...v128.f64x2Sub,
    ...op.set(dx),
    ...op.get(yi),
    ...ptr(ys, off),
    ...v128.load(),
    ...v128.f64x2Sub,
    ...op.set(dy),
    ...op.get(dx),
    ...op.get(dx),
    ...v128.f64x2Mul,
    ...op.get(dy),
    ...op.get(dy),
    ...v128.f64x2Mul,
    ...v128.f64x2Add,
    ...v128.f64x2Sqrt,
    ...op.set(dh),
    ...ptr(row, off),
    ...v128.load(),
    ...op.set(dij),
    ...op.get(dij),
    ...op.get(dh),
    ...v128.f64x2Sub,
    ...(masked ? [...firstLane, ...v128.and] : []),
    ...op.set(e),
    ...op.get(st),
    ...op.get(e),
    ...op.get(e),
    ...v128.f64x2Mul,
    ...v128.f64x2Add,
    ...op.set(st),
    // r = d̂ > 0 ? D / d̂ : 0  (the comparison mask zeroes the inf/NaN lanes)
    ...op.get(dij),
    ...op.get(dh),
    ...v128.f64x2Div,
    ...op.get(dh),
    ...v128.zero,
    ...v128.f64x2Gt,
    ...v128.and,
    ...(masked ? [...firstLane, ...v128.and] : []),
    ...op.set(r),
    ...op.get(r),
    ...op.get(dx),
    ...v128.f64x2Mul,
    ...op.set(rx),
    ...op.get(r),
    ...op.get(dy),
    ...v128.f64x2Mul,
    ...op.set(ry),
    ...op.get(ax),
    ...op.get(rx),
    ...v128.f64x2Add,
    ...op.set(ax),
    ...op.get(ay),
    ...op.get(ry),
    ...v128.f64x2Add,
    ...op.set(ay),
    ...ptr(bx, off),
    ...ptr(bx, off),
    ...v128.load(),
    ...op.get(rx),
    ...v128.f64x2Sub,
    ...v128.store(),
    ...ptr(by, off),
    ...ptr(by, off),
    ...v128.load(),
    ...op.get(ry),
    ...v128.f64x2Sub,
    ...v128.store(),
  ]
  const lanesSum = (v: number) => [
    ...op.get(v),
    ...v128.f64x2ExtractLane(0),
    ...op.get(v),
    ...v128.f64x2ExtractLane(1),
    ...op.f64Add,
  ]
  const at8 = (base: number) => [...op.get(base), ...op.get(i), ...op.i32(3), ...op.i32Shl, ...op.i32Add]
  const body = [
    ...op.get(i0),
    ...op.set(i),
    ...op.block,
    ...op.loop,
    ...op.get(i),
    ...op.get(i1),
    ...op.i32GeS,
    ...op.brIf(1),
    ...at8(xs),
    ...op.f64Load(),
    ...v128.f64x2Splat,
    ...op.set(xi),
    ...at8(ys),
    ...op.f64Load(),
    ...v128.f64x2Splat,
    ...op.set(yi),
    ...v128.zero,
    ...op.set(ax),
    ...v128.zero,
    ...op.set(ay),
    ...v128.zero,
    ...op.set(st),
    ...op.get(D),
    ...op.get(i),
    ...op.get(n),
    ...op.i32Mul,
    ...op.i32(3),
    ...op.i32Shl,
    ...op.i32Add,
    ...op.set(row),
    ...op.get(i),
    ...op.i32(1),
    ...op.i32Add,
    ...op.set(j),
    ...op.block,
    ...op.loop,
    ...op.get(j),
    ...op.i32(1),
    ...op.i32Add,
    ...op.get(n),
    ...op.i32GeS,
    ...op.brIf(1),
    ...pair(false),
    ...op.get(j),
    ...op.i32(2),
    ...op.i32Add,
    ...op.set(j),
    ...op.br(0),
    ...op.end,
    ...op.end,
    ...op.get(j),
    ...op.get(n),
    ...op.i32LtS,
    ...op.if,
    ...pair(true),
    ...op.end,
    ...at8(bx),
    ...at8(bx),
    ...op.f64Load(),
    ...lanesSum(ax),
    ...op.f64Add,
    ...op.f64Store(),
    ...at8(by),
    ...at8(by),
    ...op.f64Load(),
    ...lanesSum(ay),
    ...op.f64Add,
    ...op.f64Store(),
    ...op.get(stress),
    ...lanesSum(st),
    ...op.f64Add,
    ...op.set(stress),
    ...op.get(i),
    ...op.i32(1),
    ...op.i32Add,
    ...op.set(i),
    ...op.br(0),
    ...op.end,
    ...op.end,
    ...op.get(stress),
  ]
  return {
    name: 'pass',
    params: [i32, i32, i32, i32, i32, i32, i32, i32],
    results: [f64],
    locals: [i32, i32, f64, i32, i32, ...new Array<ValType>(13).fill(V)],
    body,
  }
}

/** SMACOF passes over one distance matrix: D is copied into wasm memory once. */
export interface SmacofKernel {
  /** Raw stress of X (n×2 interleaved); writes B(X)·X (not yet divided by n) into BX. */
  pass(X: Float64Array, BX: Float64Array): number
  /** Passes whose second half the helper thread did (for benchmarks). */
  readonly helped: number
  /** Stops the helper thread, if any. */
  dispose(): void
}

/** From this many points the pass is split in two halves of the triangle (see smacofKernel). */
export const SMACOF_SPLIT_MIN = 1000

/**
 * The pass over rows [0, r) of the upper triangle and the one over [r, n) are about equal work
 * for r = n(1 − 1/√2).
 */
function splitRow(n: number): number {
  return Math.round(n * (1 - Math.SQRT1_2))
}

/**
 * The helper thread: waits for a new pass (ctl[0], the pass number; −1 ends it), claims the
 * second half of the triangle (ctl[2] from pass − 1 to pass) unless the caller already has, and
 * reports it done in ctl[1]. Plain JS evaluated as a worker: nothing to bundle.
 */
const HELPER = `
const { workerData } = require('node:worker_threads')
const { memory, bytes, n, xs, ys, bx, by, dp, r, ctl, out } = workerData
const pass = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports.pass
const c = new Int32Array(memory.buffer, ctl, 4)
const o = new Float64Array(memory.buffer, out, 1)
let seen = 0
for (;;) {
  Atomics.wait(c, 0, seen)
  const g = Atomics.load(c, 0)
  if (g < 0) break
  seen = g
  if (Atomics.compareExchange(c, 2, g - 1, g) !== g - 1) continue
  new Float64Array(memory.buffer, bx, n).fill(0)
  new Float64Array(memory.buffer, by, n).fill(0)
  o[0] = pass(n, xs, ys, bx, by, dp, r, n)
  Atomics.store(c, 1, g)
  Atomics.notify(c, 1)
}
`

/**
 * From SMACOF_SPLIT_MIN points the triangle is done in two halves with their own accumulators,
 * summed in a fixed order, so the result is the same whether a second thread helps or not: with
 * `threads` ≥ 2 a helper thread (sharing the wasm memory) takes the second half of each pass
 * when it is free, else the caller does it too (a busy or dead helper never stalls a pass).
 */
export function smacofKernel(D: Float64Array, n: number, opts: { threads?: number } = {}): SmacofKernel {
  const split = n >= SMACOF_SPLIT_MIN
  const halves = split ? 2 : 1
  const bytes = bytesFor(8 * n, 8 * n, ...new Array<number>(2 * halves).fill(8 * n), 8 * n * n, 16, 8)
  const helped = split && (opts.threads ?? 1) >= 2 && typeof SharedArrayBuffer !== 'undefined'
  let mem: KernelMemory
  let sharedPages: number | undefined
  if (helped) {
    sharedPages = Math.ceil(bytes / 65536) + 1
    mem = new KernelMemory(bytes, sharedPages)
  } else mem = new KernelMemory(bytes)
  const xs = mem.alloc(8 * n)
  const ys = mem.alloc(8 * n)
  const acc = Array.from({ length: halves }, () => [mem.alloc(8 * n), mem.alloc(8 * n)] as const)
  const dp = mem.alloc(8 * n * n)
  const ctl = mem.alloc(16)
  const out = mem.alloc(8)
  mem.f64(dp, n * n).set(D)
  const def = smacofPassDef()
  const pass = instantiate(def, mem.memory, sharedPages) as (...args: number[]) => number
  const r = split ? splitRow(n) : n
  const c = new Int32Array(mem.memory.buffer, ctl, 4)
  let helper: Worker | undefined
  if (helped) {
    const [bx, by] = acc[1]!
    const w = new Worker(HELPER, {
      eval: true,
      workerData: { memory: mem.memory, bytes: encodeModule([def], sharedPages), n, xs, ys, bx, by, dp, r, ctl, out },
    })
    w.unref()
    w.on('error', () => undefined) // the caller does the second half itself
    helper = w
  }
  let generation = 0
  let helpedPasses = 0
  const half = (h: number, i0: number, i1: number) => {
    const [bx, by] = acc[h]!
    mem.f64(bx, n).fill(0)
    mem.f64(by, n).fill(0)
    return pass(n, xs, ys, bx, by, dp, i0, i1)
  }
  return {
    get helped() {
      return helpedPasses
    },
    pass(X, BX) {
      const vx = mem.f64(xs, n)
      const vy = mem.f64(ys, n)
      for (let i = 0; i < n; i++) {
        vx[i] = X[2 * i]!
        vy[i] = X[2 * i + 1]!
      }
      let stress: number
      if (!split) stress = half(0, 0, n)
      else {
        const g = ++generation
        if (helper) {
          Atomics.store(c, 0, g)
          Atomics.notify(c, 0)
        }
        const first = half(0, 0, r)
        let second: number
        if (Atomics.compareExchange(c, 2, g - 1, g) === g - 1) second = half(1, r, n)
        else {
          for (let v = Atomics.load(c, 1); v !== g; v = Atomics.load(c, 1)) Atomics.wait(c, 1, v)
          second = mem.f64(out, 1)[0]!
          helpedPasses++
        }
        stress = first + second
      }
      const [bx0, by0] = acc[0]!
      const ox = mem.f64(bx0, n)
      const oy = mem.f64(by0, n)
      if (!split) {
        for (let i = 0; i < n; i++) {
          BX[2 * i] = ox[i]!
          BX[2 * i + 1] = oy[i]!
        }
      } else {
        const px = mem.f64(acc[1]![0], n)
        const py = mem.f64(acc[1]![1], n)
        for (let i = 0; i < n; i++) {
          BX[2 * i] = ox[i]! + px[i]!
          BX[2 * i + 1] = oy[i]! + py[i]!
        }
      }
      return stress
    },
    dispose() {
      if (!helper) return
      Atomics.store(c, 0, -1)
      Atomics.notify(c, 0)
      void helper.terminate()
      helper = undefined
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Bhattacharyya tile

/**
 * bhat(i0, i1, plain, panelA, panelB, P, out): for each point i in [i0, i1) and the 8 points of
 * two 4-point panels, the running products Πₚ max(BCₚ, floor) with the exponents taken out
 * every 8 images so that nothing underflows. `plain` holds the points' square-root
 * probabilities row-major (point, image, class), f32; a panel holds 4 points interleaved
 * (image, class, lane). Per i, out receives 8 mantissa products and 8 sums of raw exponent
 * fields (f64); log Π = log(mantissa) + (Σ fields − 1023·⌊P/8⌋)·ln 2.
 * BC is formed in two ways, both summed in f32 and finished in f64: 1 − ½Σ(sᵢ − sⱼ)² keeps its
 * relative accuracy for close distributions (BC ≈ 1), the dot product Σ sᵢsⱼ (non-negative
 * terms) for distant ones; the first is used where Σ(sᵢ − sⱼ)² < 1 (BC > ½), else the second.
 */
function bhattacharyyaDef(C: number, floor: number): FunctionDef {
  const [i0, i1, plain, panelA, panelB, P, out] = [0, 1, 2, 3, 4, 5, 6]
  let next = 7
  const [i, p, ip, jp, jq, o, stride] = Array.from({ length: 7 }, () => next++) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const [si, hA, hB, gA, gB, d, u, h64, g64] = Array.from({ length: 9 }, () => next++) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const prods = [next++, next++, next++, next++]
  const exps = [next++, next++, next++, next++]
  const one = v128.f64x2(1, 1)
  const half = v128.f64x2(0.5, 0.5)
  const floorV = v128.f64x2(floor, floor)
  const mantissa = v128.i64x2(0x000fffff, 0xffffffff)
  const oneBits = v128.i64x2(0x3ff00000, 0)
  const highHalf = v128.shuffle([8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15])
  const classes: number[] = []
  for (let c = 0; c < C; c++) {
    for (const [panel, h, g] of [
      [jp, hA, gA],
      [jq, hB, gB],
    ] as const) {
      classes.push(
        ...op.get(panel),
        ...v128.load(16 * c),
        ...op.set(u),
        ...op.get(si),
        ...op.get(u),
        ...v128.f32x4Sub,
        ...op.tee(d),
        ...op.get(d),
        ...v128.f32x4Mul,
        ...op.get(h),
        ...v128.f32x4Add,
        ...op.set(h),
        ...op.get(si),
        ...op.get(u),
        ...v128.f32x4Mul,
        ...op.get(g),
        ...v128.f32x4Add,
        ...op.set(g),
      )
    }
    if (c + 1 < C) classes.push(...op.get(ip), ...op.f32Load(4 * (c + 1)), ...v128.f32x4Splat, ...op.set(si))
  }
  const first = [...op.get(ip), ...op.f32Load(0), ...v128.f32x4Splat, ...op.set(si)]
  // lanes of (h, g) as f32x4 → two f64 lanes (low or high half) → prod ← prod · max(BC, floor)
  const multiply = (h: number, g: number, high: boolean, prod: number) => [
    ...op.get(h),
    ...(high ? [...op.get(h), ...highHalf] : []),
    ...v128.f64x2PromoteLowF32x4,
    ...op.set(h64),
    ...op.get(g),
    ...(high ? [...op.get(g), ...highHalf] : []),
    ...v128.f64x2PromoteLowF32x4,
    ...op.set(g64),
    ...one,
    ...half,
    ...op.get(h64),
    ...v128.f64x2Mul,
    ...v128.f64x2Sub,
    ...op.get(g64),
    ...op.get(h64),
    ...one,
    ...v128.f64x2Lt,
    ...v128.bitselect,
    ...floorV,
    ...v128.f64x2Max,
    ...op.get(prod),
    ...v128.f64x2Mul,
    ...op.set(prod),
  ]
  const renormalise = (k: number) => [
    ...op.get(exps[k]!),
    ...op.get(prods[k]!),
    ...op.i32(52),
    ...v128.i64x2ShrU,
    ...v128.i64x2Add,
    ...op.set(exps[k]!),
    ...op.get(prods[k]!),
    ...mantissa,
    ...v128.and,
    ...oneBits,
    ...v128.or,
    ...op.set(prods[k]!),
  ]
  const storeLanes = (k: number) => [
    ...op.get(o),
    ...op.get(prods[k]!),
    ...v128.store(16 * k),
    ...op.get(o),
    ...op.get(exps[k]!),
    ...v128.i64x2ExtractLane(0),
    ...op.f64ConvertI64S,
    ...op.f64Store(64 + 16 * k),
    ...op.get(o),
    ...op.get(exps[k]!),
    ...v128.i64x2ExtractLane(1),
    ...op.f64ConvertI64S,
    ...op.f64Store(72 + 16 * k),
  ]
  const body = [
    ...op.get(P),
    ...op.i32(4 * C),
    ...op.i32Mul,
    ...op.set(stride),
    ...op.get(i0),
    ...op.set(i),
    ...op.block,
    ...op.loop,
    ...op.get(i),
    ...op.get(i1),
    ...op.i32GeS,
    ...op.brIf(1),
    ...op.get(plain),
    ...op.get(i),
    ...op.get(stride),
    ...op.i32Mul,
    ...op.i32Add,
    ...op.set(ip),
    ...op.get(panelA),
    ...op.set(jp),
    ...op.get(panelB),
    ...op.set(jq),
    ...prods.flatMap((k) => [...one, ...op.set(k)]),
    ...exps.flatMap((k) => [...v128.zero, ...op.set(k)]),
    ...op.i32(0),
    ...op.set(p),
    ...op.block,
    ...op.loop,
    ...op.get(p),
    ...op.get(P),
    ...op.i32GeS,
    ...op.brIf(1),
    ...[hA, hB, gA, gB].flatMap((k) => [...v128.zero, ...op.set(k)]),
    ...first,
    ...classes,
    ...op.get(ip),
    ...op.i32(4 * C),
    ...op.i32Add,
    ...op.set(ip),
    ...op.get(jp),
    ...op.i32(16 * C),
    ...op.i32Add,
    ...op.set(jp),
    ...op.get(jq),
    ...op.i32(16 * C),
    ...op.i32Add,
    ...op.set(jq),
    ...multiply(hA, gA, false, prods[0]!),
    ...multiply(hA, gA, true, prods[1]!),
    ...multiply(hB, gB, false, prods[2]!),
    ...multiply(hB, gB, true, prods[3]!),
    ...op.get(p),
    ...op.i32(1),
    ...op.i32Add,
    ...op.tee(p),
    ...op.i32(7),
    ...op.i32And,
    ...op.i32(0),
    ...op.i32Eq,
    ...op.if,
    ...[0, 1, 2, 3].flatMap(renormalise),
    ...op.end,
    ...op.br(0),
    ...op.end,
    ...op.end,
    ...op.get(out),
    ...op.get(i),
    ...op.get(i0),
    ...op.i32Sub,
    ...op.i32(128),
    ...op.i32Mul,
    ...op.i32Add,
    ...op.set(o),
    ...[0, 1, 2, 3].flatMap(storeLanes),
    ...op.get(i),
    ...op.i32(1),
    ...op.i32Add,
    ...op.set(i),
    ...op.br(0),
    ...op.end,
    ...op.end,
  ]
  return {
    name: 'bhat',
    params: [i32, i32, i32, i32, i32, i32, i32],
    results: [],
    locals: [i32, i32, i32, i32, i32, i32, i32, ...new Array<ValType>(17).fill(V)],
    body,
  }
}

/**
 * −Σₚ log BCₚ between points, from square-root probabilities S (n×P×C, f32): points are laid
 * out in wasm memory once, plain and in 4-point panels.
 */
export interface BhattacharyyaKernel {
  /**
   * For each point i in [i0, i1) and the 8 points 8·g … 8·g+7: −Σₚ log BCₚ written to
   * out[(i − i0)·8 + lane] (points beyond n give garbage lanes).
   */
  tile(i0: number, i1: number, g: number, out: Float64Array): void
}

/**
 * `fill` writes the square-root probabilities (n×P×C, f32) straight into the kernel's memory,
 * which spares a copy of the largest array.
 */
export function bhattacharyyaKernel(
  fill: (S: Float32Array) => void,
  n: number,
  P: number,
  C: number,
  floor: number,
): BhattacharyyaKernel {
  const groups = Math.ceil(n / 8)
  const padded = groups * 8
  const point = P * C
  const mem = new KernelMemory(bytesFor(4 * n * point, 4 * padded * point, 128 * n))
  const plain = mem.alloc(4 * n * point)
  const panels = mem.alloc(4 * padded * point)
  const outPtr = mem.alloc(128 * n)
  const S = mem.f32(plain, n * point)
  fill(S)
  const pv = mem.f32(panels, padded * point)
  const uniform = Math.sqrt(1 / C)
  for (let q = 0; q < padded / 4; q++) {
    const base = q * 4 * point
    for (let lane = 0; lane < 4; lane++) {
      const pt = q * 4 + lane
      for (let t = 0; t < point; t++) pv[base + 4 * t + lane] = pt < n ? S[pt * point + t]! : uniform
    }
  }
  const bhat = instantiate(bhattacharyyaDef(C, floor), mem.memory) as (...args: number[]) => void
  const renorms = Math.floor(P / 8)
  return {
    tile(i0, i1, g, out) {
      const panelBytes = 4 * 4 * point
      bhat(i0, i1, plain, panels + 2 * g * panelBytes, panels + (2 * g + 1) * panelBytes, P, outPtr)
      const raw = mem.f64(outPtr, 16 * (i1 - i0))
      for (let r = 0; r < i1 - i0; r++) {
        for (let lane = 0; lane < 8; lane++) {
          const m = raw[16 * r + lane]!
          const e = raw[16 * r + 8 + lane]! - 1023 * renorms
          out[8 * r + lane] = -(Math.log(m) + e * Math.LN2)
        }
      }
    },
  }
}
