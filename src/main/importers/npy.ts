/**
 * NumPy's .npy format (versions 1.0, 2.0 and 3.0): a magic string, a header that is a
 * Python dict literal ({'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }),
 * then the elements. A bare .npy file holds one array: `outputs`.
 */
import { fs } from '../archive/file-pool'
import { decodeElements, dtypeOf, elementCount, shapeText, type ArrayInfo, type DType, type NdArray } from './ndarray'
import { ImportError, throwIfAborted, type ArraySource, type ReadOptions } from './source'

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59] // \x93NUMPY

export interface NpyHeader extends ArrayInfo {
  littleEndian: boolean
  order: 'C' | 'F'
  /** Where the elements start. */
  dataOffset: number
}

export const isNpy = (head: Uint8Array) => MAGIC.every((b, i) => head[i] === b)

/** Bytes enough to hold any header we accept (NumPy itself caps version 1 headers at 64 KiB). */
export const MAX_HEADER = 1 << 20

/** The dtype of a NumPy type string such as '<f4', '>i8', '|b1'. */
export function parseDescr(descr: string): { dtype: DType; littleEndian: boolean } {
  const m = /^([<>|=]?)([a-zA-Z])(\d*)$/.exec(descr)
  const littleEndian = !m || m[1] !== '>'
  if (!m) return { dtype: dtypeOf('other', 0, descr), littleEndian }
  const size = Number(m[3] || 0)
  const code = m[2]
  const kind = code === 'f' ? 'float' : code === 'i' ? 'int' : code === 'u' ? 'uint' : code === 'b' ? 'bool' : 'other'
  const known =
    (kind === 'float' && [2, 4, 8].includes(size)) ||
    ((kind === 'int' || kind === 'uint') && [1, 2, 4, 8].includes(size)) ||
    (kind === 'bool' && size === 1)
  const names: Record<string, string> = {
    c: 'complex',
    U: 'unicode string',
    S: 'byte string',
    O: 'Python object',
    V: 'void',
    M: 'datetime',
    m: 'timedelta',
  }
  if (!known) return { dtype: dtypeOf('other', size, names[code] ? `${names[code]} (${descr})` : descr), littleEndian }
  return { dtype: dtypeOf(kind, size), littleEndian }
}

/** Reads a .npy header; `where` names the file (and member) in messages. */
export function parseNpyHeader(bytes: Uint8Array, where: string): NpyHeader {
  if (bytes.length < 10 || !isNpy(bytes))
    throw new ImportError(`${where} is not a NumPy .npy file (it does not start with \\x93NUMPY)`)
  const major = bytes[6]
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let len: number
  let start: number
  if (major === 1) {
    len = view.getUint16(8, true)
    start = 10
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new ImportError(`${where}: the .npy header is truncated`)
    len = view.getUint32(8, true)
    start = 12
  } else {
    throw new ImportError(`${where}: .npy format version ${major}.${bytes[7]} is not supported (1.0, 2.0 and 3.0 are)`)
  }
  if (start + len > bytes.length)
    throw new ImportError(
      `${where}: the .npy header is truncated (it says ${len} bytes, ${bytes.length - start} present)`,
    )
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + len))
  const descrM = /['"]descr['"]\s*:\s*(['"])([^'"]*)\1/.exec(text)
  const orderM = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)
  const shapeM = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)
  if (/['"]descr['"]\s*:\s*\[/.test(text))
    throw new ImportError(`${where} holds a structured array (record dtype); save a plain numeric array instead`)
  if (!descrM || !orderM || !shapeM)
    throw new ImportError(`${where}: the .npy header is corrupt (${JSON.stringify(text.trim().slice(0, 120))})`)
  const dims = shapeM[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  if (dims.some((d) => !/^\d+$/.test(d)))
    throw new ImportError(`${where}: the .npy header has a malformed shape (${shapeM[1]})`)
  const { dtype, littleEndian } = parseDescr(descrM[2])
  return {
    dtype,
    littleEndian,
    shape: dims.map(Number),
    order: orderM[1] === 'True' ? 'F' : 'C',
    dataOffset: start + len,
  }
}

/** Decodes the elements that follow a header. */
export function decodeNpyBody(body: Uint8Array, h: NpyHeader, where: string): NdArray {
  if (h.dtype.kind === 'other')
    throw new ImportError(
      `${where} has dtype ${h.dtype.name}, which is not a real number type (expected float32, float64, float16 or an integer type)`,
    )
  const need = elementCount(h.shape) * h.dtype.size
  if (body.byteLength < need)
    throw new ImportError(
      `${where} is truncated: shape ${shapeText(h.shape)} of ${h.dtype.name} needs ${need} bytes of data, the file has ${body.byteLength}`,
    )
  return { dtype: h.dtype, shape: h.shape, data: decodeElements(body, h.dtype, h.littleEndian, h.shape, h.order) }
}

/** Parses a whole .npy file held in memory. */
export function parseNpy(bytes: Uint8Array, where: string): NdArray {
  const h = parseNpyHeader(bytes, where)
  return decodeNpyBody(bytes.subarray(h.dataOffset), h, where)
}

/** Reads a .npy file's header from disk without reading its data. */
async function readHeader(file: string): Promise<NpyHeader> {
  const fh = await fs.open(file, 'r')
  try {
    const buf = new Uint8Array(Math.min(MAX_HEADER, (await fh.stat()).size))
    await fh.read(buf, 0, buf.length, 0)
    return parseNpyHeader(buf, file)
  } finally {
    await fh.close()
  }
}

/** Reads a .npy file from disk in pieces, so that a big one shows progress and can be cancelled. */
export async function readNpyFile(file: string, opts: ReadOptions = {}): Promise<NdArray> {
  const h = await readHeader(file)
  const fh = await fs.open(file, 'r')
  try {
    const size = (await fh.stat()).size
    const body = new Uint8Array(Math.max(0, size - h.dataOffset))
    const piece = 8 << 20
    for (let at = 0; at < body.length; at += piece) {
      throwIfAborted(opts.signal)
      const { bytesRead } = await fh.read(body, at, Math.min(piece, body.length - at), h.dataOffset + at)
      if (bytesRead === 0) break
      opts.onFraction?.(Math.min(1, (at + bytesRead) / Math.max(1, body.length)))
    }
    return decodeNpyBody(body, h, file)
  } finally {
    await fh.close()
  }
}

/** A bare .npy file: one array, `outputs` (labels and epochs come from options). */
export async function openNpy(file: string): Promise<ArraySource> {
  const h = await readHeader(file)
  return {
    file,
    format: 'NumPy .npy',
    names: () => ['outputs'],
    info: () => ({ dtype: h.dtype, shape: h.shape }),
    read: (_name, opts) => readNpyFile(file, opts),
    close: async () => {},
  }
}
