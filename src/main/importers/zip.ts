/**
 * Reading .zip archives (what np.savez and np.savez_compressed write): the central
 * directory from the end of the file, then each member on demand, stored or deflated
 * (inflated with fflate in pieces, so a big member shows progress and can be
 * cancelled). Zip64 is read too: NumPy writes its members with zip64 headers.
 */
import type { FileHandle } from 'node:fs/promises'
import { fs } from '../archive/file-pool'
import { crc32 } from 'node:zlib'
import { Inflate } from 'fflate'
import { ImportError, throwIfAborted, yieldToLoop, type ReadOptions } from './source'

export interface ZipMember {
  name: string
  method: number
  crc: number
  compressedSize: number
  size: number
  localHeaderOffset: number
  encrypted: boolean
}

const EOCD = 0x06054b50
const EOCD64 = 0x06064b50
const EOCD64_LOCATOR = 0x07064b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50
const PIECE = 4 << 20

export const isZip = (head: Uint8Array) =>
  head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5) && (head[3] === 4 || head[3] === 6)

async function readAt(fh: FileHandle, offset: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length)
  const { bytesRead } = await fh.read(buf, 0, length, offset)
  return buf.subarray(0, bytesRead)
}

const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength)
const u64 = (v: DataView, at: number) => Number(v.getBigUint64(at, true))

export class ZipReader {
  private constructor(
    readonly file: string,
    private fh: FileHandle,
    readonly members: ZipMember[],
  ) {}

  static async open(file: string): Promise<ZipReader> {
    const fh = await fs.open(file, 'r')
    try {
      return new ZipReader(file, fh, await readDirectory(file, fh))
    } catch (e) {
      await fh.close()
      throw e
    }
  }

  async close(): Promise<void> {
    await this.fh.close()
  }

  private async dataOffset(m: ZipMember): Promise<number> {
    const h = await readAt(this.fh, m.localHeaderOffset, 30)
    if (h.length < 30 || dv(h).getUint32(0, true) !== LOCAL)
      throw new ImportError(`${this.file} is a corrupt zip file: member ${m.name} has no local header`)
    return m.localHeaderOffset + 30 + dv(h).getUint16(26, true) + dv(h).getUint16(28, true)
  }

  /** The first `n` uncompressed bytes of a member (e.g. a .npy header), or fewer if it is shorter. */
  async head(m: ZipMember, n: number): Promise<Uint8Array> {
    return this.read(m, { limit: Math.min(n, m.size) })
  }

  /** A member's bytes, checked against its CRC-32 when read whole. */
  async read(m: ZipMember, opts: ReadOptions & { limit?: number } = {}): Promise<Uint8Array> {
    if (m.encrypted) throw new ImportError(`${this.file}: member ${m.name} is encrypted`)
    if (m.method !== 0 && m.method !== 8)
      throw new ImportError(
        `${this.file}: member ${m.name} uses zip compression method ${m.method} (only stored and deflated are read)`,
      )
    const limit = opts.limit ?? m.size
    const start = await this.dataOffset(m)
    const out = new Uint8Array(limit)
    let filled = 0
    const truncated = () =>
      new ImportError(`${this.file} is truncated: member ${m.name} should have ${m.compressedSize} bytes of data`)
    if (m.method === 0) {
      for (let at = 0; at < limit; at += PIECE) {
        throwIfAborted(opts.signal)
        const piece = await readAt(this.fh, start + at, Math.min(PIECE, limit - at))
        out.set(piece, at)
        filled += piece.length
        if (piece.length === 0) break
        opts.onFraction?.(filled / Math.max(1, limit))
      }
      if (filled < limit) throw truncated()
    } else {
      let failure: Error | null = null
      let done = false
      const inflate = new Inflate((chunk, final) => {
        const take = Math.min(chunk.length, limit - filled)
        if (take < chunk.length && opts.limit === undefined)
          failure = new ImportError(
            `${this.file} is corrupt: member ${m.name} inflates to more than its stated ${m.size} bytes`,
          )
        out.set(chunk.subarray(0, take), filled)
        filled += take
        if (final) done = true
      })
      for (let at = 0; at < m.compressedSize && filled < limit && !done; at += PIECE) {
        throwIfAborted(opts.signal)
        const piece = await readAt(this.fh, start + at, Math.min(PIECE, m.compressedSize - at))
        if (piece.length === 0) throw truncated()
        try {
          inflate.push(piece, at + piece.length >= m.compressedSize)
        } catch (e) {
          throw new ImportError(`${this.file} is corrupt: member ${m.name} does not inflate (${(e as Error).message})`)
        }
        if (failure) throw failure
        opts.onFraction?.(filled / Math.max(1, limit))
        await yieldToLoop()
      }
      if (filled < limit)
        throw new ImportError(
          `${this.file} is corrupt or truncated: member ${m.name} inflates to ${filled} bytes, ${m.size} expected`,
        )
    }
    if (opts.limit === undefined && crc32(out) >>> 0 !== m.crc >>> 0)
      throw new ImportError(`${this.file} is corrupt: member ${m.name} fails its CRC-32 check`)
    return out
  }
}

async function readDirectory(file: string, fh: FileHandle): Promise<ZipMember[]> {
  const size = (await fh.stat()).size
  const corrupt = (why: string) => new ImportError(`${file} is not a readable zip (.npz) file: ${why}`)
  // The end record is within the last 22 + 65535 bytes (its comment can be that long).
  const tailLen = Math.min(size, 22 + 65535 + 20)
  const tail = await readAt(fh, size - tailLen, tailLen)
  const tv = dv(tail)
  let e = -1
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD) {
      e = i
      break
    }
  }
  if (e < 0) throw corrupt('no end-of-central-directory record (the file is truncated or not a zip)')
  let count = tv.getUint16(e + 10, true)
  let cdSize = tv.getUint32(e + 12, true)
  let cdOffset = tv.getUint32(e + 16, true)
  if (e >= 20 && tv.getUint32(e - 20, true) === EOCD64_LOCATOR) {
    const at = u64(tv, e - 20 + 8)
    const rec = await readAt(fh, at, 56)
    if (rec.length < 56 || dv(rec).getUint32(0, true) !== EOCD64) throw corrupt('the zip64 end record is missing')
    count = u64(dv(rec), 32)
    cdSize = u64(dv(rec), 40)
    cdOffset = u64(dv(rec), 48)
  }
  if (cdOffset + cdSize > size) throw corrupt(`the central directory lies beyond the end of the file (truncated?)`)
  const cd = await readAt(fh, cdOffset, cdSize)
  const cv = dv(cd)
  const members: ZipMember[] = []
  let p = 0
  for (let k = 0; k < count; k++) {
    if (p + 46 > cd.length || cv.getUint32(p, true) !== CENTRAL)
      throw corrupt(`central directory entry ${k + 1} of ${count} is damaged`)
    const flags = cv.getUint16(p + 8, true)
    const method = cv.getUint16(p + 10, true)
    const crc = cv.getUint32(p + 16, true)
    let compressedSize = cv.getUint32(p + 20, true)
    let usize = cv.getUint32(p + 24, true)
    const nameLen = cv.getUint16(p + 28, true)
    const extraLen = cv.getUint16(p + 30, true)
    const commentLen = cv.getUint16(p + 32, true)
    let offset = cv.getUint32(p + 42, true)
    const name = new TextDecoder().decode(cd.subarray(p + 46, p + 46 + nameLen))
    // Zip64: the 8-byte values of the fields saturated at 0xFFFFFFFF, in this order.
    let x = p + 46 + nameLen
    const xEnd = x + extraLen
    while (x + 4 <= xEnd) {
      const id = cv.getUint16(x, true)
      const len = cv.getUint16(x + 2, true)
      if (id === 0x0001) {
        let q = x + 4
        if (usize === 0xffffffff) {
          usize = u64(cv, q)
          q += 8
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = u64(cv, q)
          q += 8
        }
        if (offset === 0xffffffff) offset = u64(cv, q)
      }
      x += 4 + len
    }
    members.push({
      name,
      method,
      crc,
      compressedSize,
      size: usize,
      localHeaderOffset: offset,
      encrypted: (flags & 1) === 1,
    })
    p = xEnd + commentLen
  }
  return members
}
