/**
 * τ in shards (run format 4, docs/run-format.md): Zarr v3's `sharding_indexed` codec with one
 * shard file per network holding all its snapshots, so reading a block of snapshots is a few
 * reads per network instead of one file open per (network, snapshot), and a 100,000-snapshot
 * run is read at disk speed. Standard readers (zarr-python, zarrita) read it as any sharded
 * array.
 *
 * A shard is laid out so that it can be filled one snapshot at a time without rewriting it:
 * inner chunk j (snapshot j, uncompressed) has a fixed slot at byte j·B (B = the point's bytes),
 * and the index (index_location "end": per snapshot the uint64 pair offset, length; both
 * 2⁶⁴−1 while empty) follows the S slots. The file is created sparse and complete (the index
 * all empty) under a temporary name and hard-linked into place; a snapshot is written into its
 * slot, then its index entry, with positioned writes. The run's `done` flag comes later still,
 * so a reader that trusts `done` (as every reader does) never sees a half-written snapshot; a
 * snapshot not yet done may read as empty. Only one writer records a network at a time (the
 * run's lock or the shard's), so two writers never share a shard file.
 */
import { randomBytes } from 'node:crypto'
import * as path from 'node:path'
import { ArchiveError } from './errors'
import { fs } from './file-pool'
import { TMP_SUFFIX } from './atomic'

const EMPTY = 0xffff_ffff_ffff_ffffn
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** float32 values as little-endian bytes (the values' own memory on a little-endian machine). */
function littleEndian(data: Float32Array): Uint8Array {
  if (LITTLE) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  const v = new DataView(new ArrayBuffer(data.byteLength))
  data.forEach((x, i) => v.setFloat32(4 * i, x, true))
  return new Uint8Array(v.buffer)
}
/** Shards read at once by readBlock (each holds a slot of the file pool while open). */
const READERS = 16

export interface ShardLayout {
  /** Snapshots per shard (the shard's length along the snapshot axis). */
  snapshots: number
  /** The point's shape (each inner chunk is one point). */
  pointShape: number[]
}

/** The `zarr.json` of a sharded τ: one shard per network of `shardSnapshots` snapshots. */
export function shardedTauMeta(
  nets: number,
  snapshots: number,
  pointShape: number[],
  dimensionNames: string[],
  shardSnapshots = Math.max(snapshots, 1),
  attributes: Record<string, unknown> = {},
): Record<string, unknown> {
  const bytes = [{ name: 'bytes', configuration: { endian: 'little' } }]
  return {
    zarr_format: 3,
    node_type: 'array',
    shape: [nets, snapshots, ...pointShape],
    data_type: 'float32',
    chunk_grid: { name: 'regular', configuration: { chunk_shape: [1, shardSnapshots, ...pointShape] } },
    // "." keeps shard files (c.K.0.0.0) apart from format 1–3's chunk files (c/K/J/0/0).
    chunk_key_encoding: { name: 'default', configuration: { separator: '.' } },
    codecs: [
      {
        name: 'sharding_indexed',
        configuration: {
          chunk_shape: [1, 1, ...pointShape],
          codecs: bytes,
          index_codecs: bytes,
          index_location: 'end',
        },
      },
    ],
    fill_value: 0,
    dimension_names: dimensionNames,
    attributes,
  }
}

interface MetaLike {
  data_type?: unknown
  chunk_grid?: { name?: unknown; configuration?: { chunk_shape?: unknown } }
  chunk_key_encoding?: { name?: unknown; configuration?: { separator?: unknown } }
  codecs?: {
    name?: unknown
    configuration?: {
      chunk_shape?: unknown
      codecs?: { name?: unknown; configuration?: { endian?: unknown } }[]
      index_codecs?: { name?: unknown; configuration?: { endian?: unknown } }[]
      index_location?: unknown
    }
  }[]
}

const littleBytes = (c: unknown) =>
  Array.isArray(c) &&
  c.length === 1 &&
  (c[0] as { name?: unknown }).name === 'bytes' &&
  ((c[0] as { configuration?: { endian?: unknown } }).configuration?.endian ?? 'little') === 'little'

/** The shard layout of a τ `zarr.json` written as shardedTauMeta writes it, or null for any
 * other layout (formats 1–3's one file per point, or sharding this reader does not do fast). */
export function shardLayout(meta: unknown, pointShape: number[]): ShardLayout | null {
  const m = meta as MetaLike
  if (m?.data_type !== 'float32' || m.chunk_grid?.name !== 'regular') return null
  const grid = m.chunk_grid.configuration?.chunk_shape
  const key = m.chunk_key_encoding
  const codec = m.codecs?.length === 1 ? m.codecs[0] : undefined
  const conf = codec?.configuration
  const inner = conf?.chunk_shape
  const same = (a: unknown, b: number[]) => JSON.stringify(a) === JSON.stringify(b)
  if (
    codec?.name !== 'sharding_indexed' ||
    !Array.isArray(grid) ||
    grid[0] !== 1 ||
    !Number.isInteger(grid[1]) ||
    (grid[1] as number) < 1 ||
    !same(grid.slice(2), pointShape) ||
    !same(inner, [1, 1, ...pointShape]) ||
    !littleBytes(conf?.codecs) ||
    !littleBytes(conf?.index_codecs) ||
    (conf?.index_location ?? 'end') !== 'end' ||
    key?.name !== 'default' ||
    (key.configuration?.separator ?? '/') !== '.'
  )
    return null
  return { snapshots: grid[1] as number, pointShape }
}

/** The shards of one run's τ (the folder `RUN/tau`). */
export class TauShards {
  /** Bytes of one point. */
  readonly pointBytes: number

  constructor(
    readonly dir: string,
    readonly layout: ShardLayout,
  ) {
    this.pointBytes = 4 * layout.pointShape.reduce((a, b) => a * b, 1)
  }

  /** The shard file holding (net, snapshot), and the snapshot's slot in it. */
  where(net: number, snapshot: number): { file: string; slot: number } {
    const S = this.layout.snapshots
    const s = Math.floor(snapshot / S)
    const file = path.join(this.dir, ['c', net, s, ...this.layout.pointShape.map(() => 0)].join('.'))
    return { file, slot: snapshot - s * S }
  }

  private get indexOffset(): number {
    return this.layout.snapshots * this.pointBytes
  }

  private get fileBytes(): number {
    return this.indexOffset + 16 * this.layout.snapshots
  }

  /** Opens a shard for writing, creating it (sparse, every slot empty) if it is not there. */
  private async openForWrite(file: string) {
    try {
      return await fs.open(file, 'r+')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
    }
    const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}${TMP_SUFFIX}`
    try {
      const fh = await fs.open(tmp, 'w')
      try {
        const index = new Uint8Array(16 * this.layout.snapshots).fill(0xff)
        await fh.write(index, 0, index.length, this.indexOffset)
      } finally {
        await fh.close()
      }
      // A link never replaces a shard another call of this writer has just made.
      await fs.link(tmp, file).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e
      })
    } finally {
      await fs.rm(tmp, { force: true })
    }
    return fs.open(file, 'r+')
  }

  /** Writes one point: its slot, then its index entry. */
  async write(net: number, snapshot: number, data: Float32Array): Promise<void> {
    const B = this.pointBytes
    if (data.length * 4 !== B) throw new Error(`a point of τ holds ${B / 4} values, got ${data.length}`)
    const { file, slot } = this.where(net, snapshot)
    const fh = await this.openForWrite(file)
    try {
      const { size } = await fh.stat()
      if (size !== this.fileBytes)
        throw new ArchiveError(`${file} holds ${size} bytes, a shard of this run holds ${this.fileBytes}`, file)
      await fh.write(littleEndian(data), 0, B, slot * B)
      const entry = new DataView(new ArrayBuffer(16))
      entry.setBigUint64(0, BigInt(slot * B), true)
      entry.setBigUint64(8, BigInt(B), true)
      await fh.write(new Uint8Array(entry.buffer), 0, 16, this.indexOffset + 16 * slot)
    } finally {
      await fh.close()
    }
  }

  /**
   * Points `rows` into `out` (row i at i·d, d = the point's values): per shard one read of its
   * index and one read per run of rows that are consecutive snapshots of the network (in the
   * order asked) and consecutive in the file. Points not written read as 0 (the fill value).
   */
  async readBlock(
    rows: readonly { net: number; snapshot: number }[],
    out: Float32Array,
    onRead?: (done: number) => void,
  ): Promise<void> {
    const B = this.pointBytes
    const d = B / 4
    if (!LITTLE) throw new Error('reading shards straight into memory needs a little-endian machine')
    if (out.length < rows.length * d)
      throw new Error(`readTauBlock: out holds ${out.length} values, ${rows.length} points need ${rows.length * d}`)
    // Runs of rows (i0, count) in one shard at consecutive slots, grouped by shard file.
    const byFile = new Map<string, { row: number; slot: number; count: number }[]>()
    for (let i = 0; i < rows.length;) {
      const { net, snapshot } = rows[i]!
      const { file, slot } = this.where(net, snapshot)
      let n = 1
      while (
        i + n < rows.length &&
        rows[i + n]!.net === net &&
        rows[i + n]!.snapshot === snapshot + n &&
        slot + n < this.layout.snapshots
      )
        n++
      let runs = byFile.get(file)
      if (!runs) byFile.set(file, (runs = []))
      runs.push({ row: i, slot, count: n })
      i += n
    }
    const bytes = new Uint8Array(out.buffer, out.byteOffset, rows.length * B)
    const files = [...byFile]
    let next = 0
    let done = 0
    const one = async ([file, runs]: [string, { row: number; slot: number; count: number }[]]) => {
      let fh: Awaited<ReturnType<typeof fs.open>> | undefined
      try {
        try {
          fh = await fs.open(file, 'r')
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
          for (const r of runs) out.fill(0, r.row * d, (r.row + r.count) * d) // a network not yet recorded
          return
        }
        const { size } = await fh.stat()
        if (size !== this.fileBytes)
          throw new ArchiveError(`${file} holds ${size} bytes, a shard of this run holds ${this.fileBytes}`, file)
        const raw = new Uint8Array(16 * this.layout.snapshots)
        await fh.read(raw, 0, raw.length, this.indexOffset)
        const index = new DataView(raw.buffer)
        const entry = (slot: number): number | null => {
          const off = index.getBigUint64(16 * slot, true)
          const len = index.getBigUint64(16 * slot + 8, true)
          // Empty, or (a snapshot being written, not yet done) not a whole entry yet.
          if (off === EMPTY || len !== BigInt(B) || off + len > BigInt(this.indexOffset)) return null
          return Number(off)
        }
        for (const r of runs) {
          let k = 0
          while (k < r.count) {
            const off = entry(r.slot + k)
            if (off === null) {
              out.fill(0, (r.row + k) * d, (r.row + k + 1) * d)
              k++
              continue
            }
            let n = 1
            while (k + n < r.count && entry(r.slot + k + n) === off + n * B) n++
            const { bytesRead } = await fh.read(bytes, (r.row + k) * B, n * B, off)
            if (bytesRead !== n * B) throw new Error(`read ${bytesRead} of ${n * B} bytes at ${off}`)
            k += n
          }
        }
      } catch (e) {
        if (e instanceof ArchiveError) throw e
        throw new ArchiveError(`${file} cannot be read (${(e as Error).message})`, file)
      } finally {
        await fh?.close()
      }
    }
    await Promise.all(
      Array.from({ length: Math.min(READERS, files.length) }, async () => {
        while (next < files.length) {
          const f = files[next++]!
          await one(f)
          done += f[1].reduce((a, r) => a + r.count, 0)
          onRead?.(done)
        }
      }),
    )
  }
}
