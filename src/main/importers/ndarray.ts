/**
 * The arrays every importer hands on: numbers in C order in a typed array, with the
 * dtype they had in the file (for messages) and their kind (for validation).
 */

export type DTypeKind = 'float' | 'int' | 'uint' | 'bool' | 'other'

export interface DType {
  kind: DTypeKind
  /** Bytes per element in the file. */
  size: number
  /** How the file names it, NumPy style: float32, int64, bool, … */
  name: string
}

export type Numbers =
  Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array

export interface NdArray {
  dtype: DType
  shape: number[]
  /** Every element in C order (int64 and uint64 are converted to Float64Array, float16 to Float32Array). */
  data: Numbers
}

/** What a file's header says of an array, before its data is read. */
export interface ArrayInfo {
  dtype: DType
  shape: number[]
}

export const shapeText = (shape: readonly (number | string)[]): string => `[${shape.join(', ')}]`

export const elementCount = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)

export function dtypeOf(kind: DTypeKind, size: number, name?: string): DType {
  const n = name ?? (kind === 'bool' ? 'bool' : kind === 'other' ? 'unknown' : `${kind}${8 * size}`)
  return { kind, size, name: n }
}

/** Decodes IEEE 754 half precision (NumPy float16). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1
  const exp = (h >> 10) & 0x1f
  const frac = h & 0x3ff
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024)
  if (exp === 31) return frac ? NaN : sign * Infinity
  return sign * 2 ** (exp - 15) * (1 + frac / 1024)
}

/**
 * Decodes raw element bytes (as stored in a .npy body or an HDF5/Zarr chunk) into a
 * typed array. `order: 'F'` data is transposed to C order.
 */
export function decodeElements(
  bytes: Uint8Array,
  dtype: DType,
  littleEndian: boolean,
  shape: number[],
  order: 'C' | 'F' = 'C',
): Numbers {
  const n = elementCount(shape)
  if (bytes.byteLength < n * dtype.size)
    throw new RangeError(`${n * dtype.size} bytes needed, ${bytes.byteLength} present`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, n * dtype.size)
  const le = littleEndian
  let out: Numbers
  const { kind, size } = dtype
  if (kind === 'float' && size === 8) {
    out = new Float64Array(n)
    for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, le)
  } else if (kind === 'float' && size === 4) {
    out = new Float32Array(n)
    for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, le)
  } else if (kind === 'float' && size === 2) {
    out = new Float32Array(n)
    for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(2 * i, le))
  } else if ((kind === 'int' || kind === 'uint') && size === 8) {
    out = new Float64Array(n)
    for (let i = 0; i < n; i++)
      out[i] = Number(kind === 'int' ? view.getBigInt64(8 * i, le) : view.getBigUint64(8 * i, le))
  } else if (kind === 'int' && size === 4) {
    out = new Int32Array(n)
    for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, le)
  } else if (kind === 'uint' && size === 4) {
    out = new Uint32Array(n)
    for (let i = 0; i < n; i++) out[i] = view.getUint32(4 * i, le)
  } else if (kind === 'int' && size === 2) {
    out = new Int16Array(n)
    for (let i = 0; i < n; i++) out[i] = view.getInt16(2 * i, le)
  } else if (kind === 'uint' && size === 2) {
    out = new Uint16Array(n)
    for (let i = 0; i < n; i++) out[i] = view.getUint16(2 * i, le)
  } else if (kind === 'int' && size === 1) {
    out = new Int8Array(n)
    for (let i = 0; i < n; i++) out[i] = view.getInt8(i)
  } else if ((kind === 'uint' || kind === 'bool') && size === 1) {
    out = Uint8Array.from(bytes.subarray(0, n))
  } else {
    throw new TypeError(`dtype ${dtype.name} cannot be read`)
  }
  return order === 'F' && shape.length > 1 ? fortranToC(out, shape) : out
}

/** Reorders column-major (Fortran) data to row-major (C) order. */
export function fortranToC<T extends Numbers>(data: T, shape: number[]): T {
  const n = data.length
  const out = new (data.constructor as new (n: number) => T)(n)
  const d = shape.length
  // Fortran strides: the first axis varies fastest.
  const fStride = new Array<number>(d)
  let acc = 1
  for (let i = 0; i < d; i++) {
    fStride[i] = acc
    acc *= shape[i]
  }
  const idx = new Array<number>(d).fill(0)
  let src = 0
  for (let c = 0; c < n; c++) {
    out[c] = data[src]
    // Advance the C-order multi-index (last axis fastest) and the Fortran offset with it.
    for (let ax = d - 1; ax >= 0; ax--) {
      idx[ax]++
      src += fStride[ax]
      if (idx[ax] < shape[ax]) break
      src -= fStride[ax] * shape[ax]
      idx[ax] = 0
    }
  }
  return out
}

/** The multi-index of flat C-order position i, for messages ("NaN at [2, 3, 17, 4]"). */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length)
  for (let ax = shape.length - 1; ax >= 0; ax--) {
    idx[ax] = i % shape[ax]
    i = Math.floor(i / shape[ax])
  }
  return idx
}
