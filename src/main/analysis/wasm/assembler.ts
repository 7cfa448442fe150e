/**
 * A minimal WebAssembly binary encoder: just enough to build the few SIMD kernels in
 * kernels.ts from TypeScript, so no toolchain or prebuilt binary is needed. A module holds
 * functions over one imported memory (`env.memory`); instruction helpers return byte arrays
 * that are concatenated into function bodies.
 */

export const ValType = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b } as const
export type ValType = (typeof ValType)[keyof typeof ValType]

export function uleb(value: number): number[] {
  const out: number[] = []
  let n = value >>> 0
  do {
    let b = n & 0x7f
    n >>>= 7
    if (n) b |= 0x80
    out.push(b)
  } while (n)
  return out
}

export function sleb(value: number): number[] {
  const out: number[] = []
  let n = value | 0
  for (;;) {
    const b = n & 0x7f
    n >>= 7
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
      out.push(b)
      return out
    }
    out.push(b | 0x80)
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()]
const name = (s: string): number[] => {
  const bytes = Array.from(new TextEncoder().encode(s))
  return [...uleb(bytes.length), ...bytes]
}
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body]

export interface FunctionDef {
  name: string
  params: ValType[]
  results: ValType[]
  /** Types of the locals that follow the parameters (indices continue after them). */
  locals: ValType[]
  body: number[]
}

/** Encode a module exporting `functions`, importing its memory as env.memory; `sharedPages`:
 * the memory is a shared one (threads) of at most that many 64 KiB pages. */
export function encodeModule(functions: FunctionDef[], sharedPages?: number): Uint8Array {
  const types = functions.map((f) => [0x60, ...vec(f.params.map((p) => [p])), ...vec(f.results.map((r) => [r]))])
  const limits = sharedPages === undefined ? [0x00, ...uleb(1)] : [0x03, ...uleb(1), ...uleb(sharedPages)]
  const imports = vec([[...name('env'), ...name('memory'), 0x02, ...limits]])
  const funcs = vec(functions.map((_, i) => uleb(i)))
  const exports = vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))
  const codes = vec(
    functions.map((f) => {
      const body = [...vec(f.locals.map((t) => [1, t])), ...f.body, 0x0b]
      return [...uleb(body.length), ...body]
    }),
  )
  return Uint8Array.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec(types)),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exports),
    ...section(10, codes),
  ])
}

const simd = (op: number, ...immediates: number[]): number[] => [0xfd, ...uleb(op), ...immediates]
const f64Bytes = (v: number): number[] => Array.from(new Uint8Array(new Float64Array([v]).buffer))

/** Scalar and control instructions. */
export const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  get: (local: number) => [0x20, ...uleb(local)],
  set: (local: number) => [0x21, ...uleb(local)],
  tee: (local: number) => [0x22, ...uleb(local)],
  i32: (v: number) => [0x41, ...sleb(v)],
  f64: (v: number) => [0x44, ...f64Bytes(v)],
  /** loads/stores with natural alignment and a constant byte offset */
  f32Load: (offset = 0) => [0x2a, 2, ...uleb(offset)],
  f64Load: (offset = 0) => [0x2b, 3, ...uleb(offset)],
  f64Store: (offset = 0) => [0x39, 3, ...uleb(offset)],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32And: [0x71],
  i32Shl: [0x74],
  i32Eq: [0x46],
  i32LtS: [0x48],
  i32GeS: [0x4e],
  f64Add: [0xa0],
  f64ConvertI64S: [0xb9],
}

/** 128-bit SIMD instructions. */
export const v128 = {
  load: (offset = 0) => simd(0x00, 4, ...uleb(offset)),
  store: (offset = 0) => simd(0x0b, 4, ...uleb(offset)),
  const: (bytes: number[]) => simd(0x0c, ...bytes),
  zero: simd(0x0c, ...new Array<number>(16).fill(0)),
  f64x2: (a: number, b: number) => simd(0x0c, ...f64Bytes(a), ...f64Bytes(b)),
  i64x2: (hi: number, lo: number) => {
    // 64-bit lanes given as two 32-bit halves (hi, lo), the same value in both lanes
    const b = new Uint8Array(16)
    const dv = new DataView(b.buffer)
    for (const at of [0, 8]) {
      dv.setUint32(at, lo >>> 0, true)
      dv.setUint32(at + 4, hi >>> 0, true)
    }
    return simd(0x0c, ...b)
  },
  shuffle: (lanes: number[]) => simd(0x0d, ...lanes),
  f32x4Splat: simd(0x13),
  f64x2Splat: simd(0x14),
  i64x2ExtractLane: (lane: number) => simd(0x1d, lane),
  f64x2ExtractLane: (lane: number) => simd(0x21, lane),
  f64x2Lt: simd(0x49),
  f64x2Gt: simd(0x4a),
  and: simd(0x4e),
  or: simd(0x50),
  /** (a & mask) | (b & ~mask) for a, b, mask on the stack */
  bitselect: simd(0x52),
  f64x2PromoteLowF32x4: simd(0x5f),
  i64x2ShrU: simd(0xcd),
  i64x2Add: simd(0xce),
  f32x4Add: simd(0xe4),
  f32x4Sub: simd(0xe5),
  f32x4Mul: simd(0xe6),
  f64x2Sqrt: simd(0xef),
  f64x2Add: simd(0xf0),
  f64x2Sub: simd(0xf1),
  f64x2Mul: simd(0xf2),
  f64x2Div: simd(0xf3),
  f64x2Max: simd(0xf5),
}
