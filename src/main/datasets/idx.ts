/**
 * IDX reader (the format of MNIST, Fashion-MNIST, EMNIST): a 4-byte magic
 * (0, 0, type code, number of dimensions), one big-endian uint32 per dimension, then
 * the data. Only unsigned bytes (type 0x08) are supported, which is what every image
 * dataset of this family uses. Files may be gzipped. Every check names the file and
 * says what is wrong, because a researcher pointing the tool at the wrong file should
 * learn why from the message alone.
 */
import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'

/** A dataset that cannot be read, or whose files are not what they should be. */
export class DatasetError extends Error {
  override name = 'DatasetError'
  constructor(
    message: string,
    /** The file at fault and the system's error code, when reading it failed. */
    readonly file?: { path: string; errno?: string },
  ) {
    super(message)
  }
}

export interface IdxArray {
  type: 'u8'
  dims: number[]
  data: Uint8Array
}

const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
}

const hex = (n: number) => '0x' + n.toString(16).padStart(2, '0')

/** Parses IDX bytes; `what` (usually the path) names the file in error messages. */
export function parseIdx(bytes: Uint8Array, what: string): IdxArray {
  if (bytes.length < 4) {
    throw new DatasetError(`${what}: truncated header: file has ${bytes.length} bytes, an IDX header needs at least 4`)
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DatasetError(
      `${what}: bad magic ${[...bytes.subarray(0, 4)].map(hex).join(' ')}: an IDX file starts with two zero bytes (not an IDX file?)`,
    )
  }
  const type = bytes[2]!
  if (type !== 0x08) {
    const name = TYPE_NAMES[type] ?? 'unknown type'
    throw new DatasetError(`${what}: unsupported IDX type code ${hex(type)} (${name}); only 0x08 (unsigned byte) is supported`)
  }
  const ndims = bytes[3]!
  if (ndims === 0) throw new DatasetError(`${what}: header declares 0 dimensions`)
  const headerBytes = 4 + 4 * ndims
  if (bytes.length < headerBytes) {
    throw new DatasetError(
      `${what}: truncated header: ${ndims} dimensions need ${headerBytes} header bytes, file has ${bytes.length}`,
    )
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const dims: number[] = []
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false))
  const zero = dims.indexOf(0)
  if (zero >= 0) throw new DatasetError(`${what}: dimension ${zero} is 0 (dims ${dims.join('×')})`)
  const declared = headerBytes + dims.reduce((a, b) => a * b, 1)
  if (bytes.length !== declared) {
    throw new DatasetError(
      `${what}: file has ${bytes.length} bytes, header declares ${declared} (${dims.join('×')} values + ${headerBytes} header bytes)` +
        (bytes.length < declared ? ': truncated?' : ''),
    )
  }
  return { type: 'u8', dims, data: bytes.subarray(headerBytes) }
}

/** Reads a plain or gzipped IDX file (gzip detected by its magic bytes 1f 8b, not the name). */
export function readIdxFile(path: string): IdxArray {
  let bytes: Uint8Array
  try {
    bytes = readFileSync(path)
  } catch (e) {
    throw new DatasetError(`${path}: cannot read: ${(e as Error).message}`, { path, errno: (e as NodeJS.ErrnoException).code })
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes)
    } catch (e) {
      throw new DatasetError(`${path}: corrupt gzip data: ${(e as Error).message}`)
    }
  }
  return parseIdx(bytes, path)
}

export interface RawImages {
  count: number
  rows: number
  cols: number
  /** count*rows*cols bytes, row-major. */
  pixels: Uint8Array
}

/** Checks that parsed IDX data holds images (idx3: count, rows, cols). */
export function asImages(a: IdxArray, what: string): RawImages {
  if (a.dims.length !== 3) {
    throw new DatasetError(
      `${what}: expected an image file with 3 dimensions (count, rows, cols), found ${a.dims.length} (${a.dims.join('×')})` +
        (a.dims.length === 1 ? ': is this a label file?' : ''),
    )
  }
  const [count, rows, cols] = a.dims as [number, number, number]
  return { count, rows, cols, pixels: a.data }
}

/** Checks that parsed IDX data holds labels (idx1), each < `classes`. */
export function asLabels(a: IdxArray, what: string, classes = 10): Uint8Array {
  if (a.dims.length !== 1) {
    throw new DatasetError(
      `${what}: expected a label file with 1 dimension, found ${a.dims.length} (${a.dims.join('×')})` +
        (a.dims.length === 3 ? ': is this an image file?' : ''),
    )
  }
  const labels = a.data
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]! >= classes) {
      throw new DatasetError(`${what}: label ${labels[i]} at index ${i} is out of range: labels must be < ${classes} (the number of classes)`)
    }
  }
  return labels
}

export function readImages(path: string): RawImages {
  return asImages(readIdxFile(path), path)
}

export function readLabels(path: string, classes = 10): Uint8Array {
  return asLabels(readIdxFile(path), path, classes)
}

/** Throws unless an image file and its label file describe the same number of examples. */
export function checkPair(imagesPath: string, imageCount: number, labelsPath: string, labelCount: number): void {
  if (imageCount !== labelCount) {
    throw new DatasetError(
      `image count ≠ label count: ${imagesPath} has ${imageCount} images but ${labelsPath} has ${labelCount} labels`,
    )
  }
}

/** Reads an image file and its label file and checks that they match. */
export function readPair(imagesPath: string, labelsPath: string, classes = 10): { images: RawImages; labels: Uint8Array } {
  const images = readImages(imagesPath)
  const labels = readLabels(labelsPath, classes)
  checkPair(imagesPath, images.count, labelsPath, labels.length)
  return { images, labels }
}
