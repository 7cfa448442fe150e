/**
 * On-disk cache of deskewed pixels. Deskewing is deterministic, so its output is
 * keyed by the source file's content (SHA-256 of its bytes as stored, gzipped or not)
 * and DESKEW_VERSION: every project and install location that uses the same data shares
 * one entry, and changed data never reads a stale one. A cache file is a
 * 24-byte header (magic, version, count, rows, cols) followed by count*rows*cols
 * float32s in native byte order (the cache is local to one machine). It is written to
 * a temporary name and renamed, so readers never see a torn file; a file whose header
 * or length does not match is ignored and rewritten. The cache is only an
 * optimisation: failing to write it is not an error.
 */
import { createHash } from 'node:crypto'
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { DESKEW_VERSION } from './deskew'

const MAGIC = 'SGDSDESK'
const HEADER_BYTES = 24 // 8 magic + 4 × uint32; a multiple of 4 keeps the floats aligned

/** Counts of cache hits and misses in this process (read by tests and benchmarks). */
export const deskewCacheStats = { hits: 0, misses: 0 }

export function defaultCacheDir(): string {
  return process.env.SGDSCOPE_CACHE || join(homedir(), '.cache', 'sgdscope')
}

/** Content hashes already computed in this process, by path, size and mtime (hashing
 * MNIST's 47 MB takes a tenth of a second; a changed file has a new size or mtime). */
const contentHashes = new Map<string, string>()

/** SHA-256 of a file's bytes, remembered while the file is unchanged. */
export function fileContentHash(file: string): string {
  const abs = resolve(file)
  const st = statSync(abs)
  const memo = `${abs}\0${st.size}\0${st.mtimeMs}`
  let hash = contentHashes.get(memo)
  if (!hash) {
    hash = createHash('sha256').update(readFileSync(abs)).digest('hex')
    contentHashes.set(memo, hash)
  }
  return hash
}

/** Cache file for the deskewed images of `sourcePath` (an IDX image file); null when
 * the source is not a regular file (the reader then says what is wrong with it). */
export function deskewCachePath(cacheDir: string, sourcePath: string): string | null {
  if (!statSync(sourcePath, { throwIfNoEntry: false })?.isFile()) return null
  const key = createHash('sha256')
    .update(`${fileContentHash(sourcePath)}\0deskew\0${DESKEW_VERSION}`)
    .digest('hex')
    .slice(0, 24)
  return join(cacheDir, `deskew-v${DESKEW_VERSION}-${key}.f32`)
}

export interface CachedImages {
  count: number
  rows: number
  cols: number
  pixels: Float32Array
}

/** Reads a cache file straight into a (shared) buffer; null if absent, short or corrupt. */
export function readDeskewCache(path: string, shared: boolean): CachedImages | null {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch {
    return null
  }
  try {
    const header = Buffer.alloc(HEADER_BYTES)
    if (readSync(fd, header, 0, HEADER_BYTES, 0) !== HEADER_BYTES) return null
    if (header.toString('latin1', 0, 8) !== MAGIC || header.readUInt32LE(8) !== DESKEW_VERSION) return null
    const count = header.readUInt32LE(12)
    const rows = header.readUInt32LE(16)
    const cols = header.readUInt32LE(20)
    const n = count * rows * cols
    if (n === 0 || fstatSync(fd).size !== HEADER_BYTES + 4 * n) return null
    const buffer = shared ? new SharedArrayBuffer(4 * n) : new ArrayBuffer(4 * n)
    const bytes = new Uint8Array(buffer)
    // readSync reads at most 2 GiB at a time; loop until the buffer is full.
    for (let done = 0; done < bytes.length;) {
      const got = readSync(fd, bytes, done, bytes.length - done, HEADER_BYTES + done)
      if (got <= 0) return null
      done += got
    }
    return { count, rows, cols, pixels: new Float32Array(buffer) }
  } catch {
    return null
  } finally {
    closeSync(fd)
  }
}

/** Writes a cache file atomically. Returns false (and warns) if it could not. */
export function writeDeskewCache(path: string, images: CachedImages): boolean {
  const header = Buffer.alloc(HEADER_BYTES)
  header.write(MAGIC, 0, 'latin1')
  header.writeUInt32LE(DESKEW_VERSION, 8)
  header.writeUInt32LE(images.count, 12)
  header.writeUInt32LE(images.rows, 16)
  header.writeUInt32LE(images.cols, 20)
  const { pixels } = images
  const body = new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength)
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  try {
    mkdirSync(join(path, '..'), { recursive: true })
    const fd = openSync(tmp, 'w')
    try {
      writeFileSync(fd, header)
      writeFileSync(fd, body)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, path)
    return true
  } catch (e) {
    try {
      unlinkSync(tmp)
    } catch {
      // nothing to clean up
    }
    process.emitWarning(`sgdscope: could not write the deskew cache ${path}: ${(e as Error).message}`)
    return false
  }
}
