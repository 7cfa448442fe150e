/**
 * IDX reader (the format of MNIST, Fashion-MNIST, EMNIST): a 4-byte magic
 * (0, 0, type code, number of dimensions), one big-endian uint32 per dimension, then
 * the data. Only unsigned bytes (type 0x08) are supported, which is what every image
 * dataset of this family uses. Files may be gzipped. Every check names the file and
 * says what is wrong, because a researcher pointing the tool at the wrong file should
 * learn why from the message alone.
 */
import { closeSync, openSync, readFileSync, readSync, statSync, type Stats } from 'node:fs'
import { gunzipSync, constants as zlibConstants } from 'node:zlib'

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

interface IdxHeader {
  dims: number[]
  headerBytes: number
  /** Size of the whole file the header describes. */
  declared: number
}

/** Parses an IDX header (the first bytes of a file, or all of it). Messages never quote
 * the file's bytes: a path given by mistake may be anyone's file. */
function parseHeader(bytes: Uint8Array, what: string): IdxHeader {
  if (bytes.length < 4) {
    throw new DatasetError(`${what}: truncated header: file has ${bytes.length} bytes, an IDX header needs at least 4`)
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DatasetError(`${what}: bad magic: an IDX file starts with two zero bytes (not an IDX file?)`)
  }
  const type = bytes[2]!
  if (type !== 0x08) {
    const name = TYPE_NAMES[type] ?? 'unknown type'
    throw new DatasetError(
      `${what}: unsupported IDX type code ${hex(type)} (${name}); only 0x08 (unsigned byte) is supported`,
    )
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
  if (declared > MAX_IDX_BYTES) {
    throw new DatasetError(`${what}: header declares ${dims.join('×')} values, more than the 4 GiB sgdscope reads`)
  }
  return { dims, headerBytes, declared }
}

function sizeMismatch(what: string, size: number, h: IdxHeader): DatasetError {
  return new DatasetError(
    `${what}: file has ${size} bytes, header declares ${h.declared} (${h.dims.join('×')} values + ${h.headerBytes} header bytes)` +
      (size < h.declared ? ': truncated?' : ''),
  )
}

/** Parses IDX bytes; `what` (usually the path) names the file in error messages. */
export function parseIdx(bytes: Uint8Array, what: string): IdxArray {
  const h = parseHeader(bytes, what)
  if (bytes.length !== h.declared) throw sizeMismatch(what, bytes.length, h)
  return { type: 'u8', dims: h.dims, data: bytes.subarray(h.headerBytes) }
}

/** The largest IDX file read (uncompressed): far above any dataset of this family, so a
 * header declaring more is corrupt or hostile, and a gzip bomb stops there. */
const MAX_IDX_BYTES = 2 ** 32

/** The most header bytes an IDX file can have (255 dimensions). */
const MAX_HEADER = 4 + 4 * 255

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'folder'
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'device'
  if (st.isFIFO()) return 'pipe'
  if (st.isSocket()) return 'socket'
  return 'special file'
}

/** The header of gzipped IDX data, from the start of the compressed bytes alone. */
function gzipHeader(gz: Uint8Array, what: string): IdxHeader {
  const corrupt = (e: unknown) => new DatasetError(`${what}: corrupt gzip data: ${(e as Error).message}`)
  const enough = (h: Uint8Array) => h.length >= MAX_HEADER || (h.length >= 4 && h.length >= 4 + 4 * h[3]!)
  for (const n of [4096, 1 << 16]) {
    const whole = n >= gz.length
    let head: Uint8Array
    try {
      // A truncated stream, flushed, yields what its start decodes to. A stream shorter
      // than the prefix is decoded whole: a small file (a few labels, or images that
      // compress well) inflates to more than a header, and that is no fault.
      head = gunzipSync(whole ? gz : gz.subarray(0, n), { finishFlush: zlibConstants.Z_SYNC_FLUSH })
    } catch (e) {
      throw corrupt(e)
    }
    if (enough(head)) return parseHeader(head, what)
    if (whole) {
      // The whole stream decodes to less than a header: damaged (say so) or a short file.
      try {
        gunzipSync(gz)
      } catch (e) {
        throw corrupt(e)
      }
      return parseHeader(head, what)
    }
  }
  throw new DatasetError(`${what}: corrupt gzip data: its start does not decode to an IDX header`)
}

/** Reads a plain or gzipped IDX file (gzip detected by its magic bytes 1f 8b, not the
 * name). Only regular files; sizes are checked against the header before the data is
 * read or decompressed, so a wrong path (a device, a huge file, a gzip bomb) fails fast. */
export function readIdxFile(path: string): IdxArray {
  try {
    return readIdx(path)
  } catch (e) {
    // Whatever is wrong with the file, the error names it (the header checks know only its name).
    if (e instanceof DatasetError && !e.file) throw new DatasetError(e.message, { path })
    throw e
  }
}

function readIdx(path: string): IdxArray {
  let st: Stats
  try {
    st = statSync(path)
  } catch (e) {
    throw new DatasetError(`${path}: cannot read: ${(e as Error).message}`, {
      path,
      errno: (e as NodeJS.ErrnoException).code,
    })
  }
  if (!st.isFile())
    throw new DatasetError(`${path}: not a regular file (a ${kindOf(st)}); an IDX file is expected`, { path })
  let bytes: Uint8Array
  try {
    const fd = openSync(path, 'r')
    try {
      const head = Buffer.alloc(Math.min(st.size, MAX_HEADER))
      const got = readSync(fd, head, 0, head.length, 0)
      const isGzip = got >= 2 && head[0] === 0x1f && head[1] === 0x8b
      if (!isGzip) {
        const h = parseHeader(head.subarray(0, got), path)
        if (st.size !== h.declared) throw sizeMismatch(path, st.size, h)
      }
      bytes = readFileSync(fd)
      if (bytes.length !== st.size) throw new DatasetError(`${path}: changed while being read`, { path })
    } finally {
      closeSync(fd)
    }
  } catch (e) {
    if (e instanceof DatasetError) throw e
    throw new DatasetError(`${path}: cannot read: ${(e as Error).message}`, {
      path,
      errno: (e as NodeJS.ErrnoException).code,
    })
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const h = gzipHeader(bytes, path)
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: h.declared })
    } catch (e) {
      if (e instanceof RangeError || (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
        throw new DatasetError(
          `${path}: decompresses to more than the ${h.declared} bytes its header declares (${h.dims.join('×')} values)`,
          { path },
        )
      throw new DatasetError(`${path}: corrupt gzip data: ${(e as Error).message}`, { path })
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
      throw new DatasetError(
        `${what}: label ${labels[i]} at index ${i} is out of range: labels must be < ${classes} (the number of classes)`,
      )
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
export function readPair(
  imagesPath: string,
  labelsPath: string,
  classes = 10,
): { images: RawImages; labels: Uint8Array } {
  const images = readImages(imagesPath)
  const labels = readLabels(labelsPath, classes)
  checkPair(imagesPath, images.count, labelsPath, labels.length)
  return { images, labels }
}

/** What an IDX file's header says, read without loading the data. */
export interface IdxInfo {
  dims: number[]
  gzipped: boolean
}

/**
 * Checks an IDX file from its header alone (for a form that checks paths as they are
 * typed): it exists, is a regular file, has an IDX header of unsigned bytes, and its size
 * is what the header declares. A gzipped file's size is checked against the length gzip
 * records in its last four bytes (modulo 2³²), so nothing is inflated beyond the header.
 */
export function inspectIdxFile(path: string): IdxInfo {
  try {
    return inspectIdx(path)
  } catch (e) {
    if (e instanceof DatasetError && !e.file) throw new DatasetError(e.message, { path })
    throw e
  }
}

function inspectIdx(path: string): IdxInfo {
  let st: Stats
  try {
    st = statSync(path)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'no such file' : (e as Error).message
    throw new DatasetError(`${path}: cannot read: ${why}`, { path, errno: code })
  }
  if (!st.isFile())
    throw new DatasetError(`${path}: not a regular file (a ${kindOf(st)}); an IDX file is expected`, { path })
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (e) {
    throw new DatasetError(`${path}: cannot read: ${(e as Error).message}`, {
      path,
      errno: (e as NodeJS.ErrnoException).code,
    })
  }
  try {
    const head = Buffer.alloc(Math.min(st.size, 1 << 16))
    const got = readSync(fd, head, 0, head.length, 0)
    if (!(got >= 2 && head[0] === 0x1f && head[1] === 0x8b)) {
      const h = parseHeader(head.subarray(0, got), path)
      if (st.size !== h.declared) throw sizeMismatch(path, st.size, h)
      return { dims: h.dims, gzipped: false }
    }
    const h = gzipHeader(st.size <= head.length ? head.subarray(0, got) : head, path)
    if (st.size >= 18) {
      const tail = Buffer.alloc(4)
      readSync(fd, tail, 0, 4, st.size - 4)
      const isize = tail.readUInt32LE(0)
      if (isize !== h.declared % 2 ** 32)
        throw new DatasetError(
          `${path}: inflates to ${isize} bytes, header declares ${h.declared} (${h.dims.join('×')} values + ${h.headerBytes} header bytes)` +
            (isize < h.declared ? ': truncated?' : ''),
        )
    }
    return { dims: h.dims, gzipped: true }
  } finally {
    closeSync(fd)
  }
}
