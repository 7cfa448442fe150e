/**
 * τ in shards (run format 4): what the engine writes reads back exactly through readTauBlock,
 * readTau and a standard Zarr reader (zarrita on a plain file-system store); a block of a
 * network's snapshots is one read; a reader following a writer sees every snapshot the writer
 * has finished; damage is named; format 1's one-file-per-point τ (the checked-in fixture)
 * still reads the same through readTauBlock.
 */
import { cpSync, promises as fs } from 'node:fs'
import * as path from 'node:path'
import FileSystemStore from '@zarrita/storage/fs'
import * as zarr from 'zarrita'
import { describe, expect, it } from 'vitest'
import { RunArchive } from '../../../src/main/archive/run'
import { shardLayout, TauShards } from '../../../src/main/archive/tau-shards'
import { parseSpec } from '../../../src/shared/spec'
import { ROOT } from '../../helpers/cli-process'
import { tempDir } from '../../helpers/tmp'

const P = [3, 4] // 12 values per point
const D = 12

async function run(dir: string, nets = 3, S = 5) {
  return RunArchive.create(dir, {
    id: path.basename(dir),
    spec: parseSpec({ nets }),
    pointShape: P,
    nets,
    samples: Array.from({ length: S }, (_, j) => 10 * j),
    epochs: Array.from({ length: S }, (_, j) => j),
    metrics: ['train_loss'],
    stateSize: 2,
    versions: { sgdscope: 'test' },
  })
}

const point = (net: number, j: number) => Float32Array.from({ length: D }, (_, i) => net * 1000 + j * 10 + i / 8)

describe('τ in shards (format 4)', () => {
  it('reads back what was written, in any order, through readTauBlock, readTau and zarrita', async () => {
    const dir = path.join(tempDir(), 'r')
    const w = await run(dir)
    // Out of order, with gaps: (1, *) never written, (2, 3) missing.
    const written = [
      [0, 4],
      [0, 0],
      [2, 1],
      [0, 1],
      [0, 2],
      [2, 0],
      [0, 3],
      [2, 2],
      [2, 4],
    ]
    for (const [k, j] of written) await w.writeSnapshot(k!, j!, point(k!, j!), [j!])
    await w.flush()
    const has = new Set(written.map(([k, j]) => `${k},${j}`))
    const want = (k: number, j: number) => (has.has(`${k},${j}`) ? point(k, j) : new Float32Array(D))
    const r = await RunArchive.open(dir)
    const rows = [
      { net: 2, snapshot: 4 },
      { net: 0, snapshot: 0 },
      { net: 0, snapshot: 1 },
      { net: 0, snapshot: 2 },
      { net: 1, snapshot: 3 },
      { net: 2, snapshot: 2 },
      { net: 2, snapshot: 3 },
      { net: 2, snapshot: 4 },
      { net: 0, snapshot: 4 },
    ]
    const out = new Float32Array(rows.length * D + 2).fill(-1)
    await r.readTauBlock(rows, out.subarray(0, rows.length * D))
    expect(Array.from(out.subarray(0, rows.length * D))).toEqual(
      rows.flatMap((p) => Array.from(want(p.net, p.snapshot))),
    )
    expect(Array.from(out.subarray(rows.length * D))).toEqual([-1, -1])
    for (let k = 0; k < 3; k++)
      for (let j = 0; j < 5; j++) expect(Array.from(await r.readTau(k, j))).toEqual(Array.from(want(k, j)))
    // A standard reader: zarrita on a plain store reads the same array (fill 0 where empty).
    const a = await zarr.open(zarr.root(new FileSystemStore(dir)).resolve('tau'), { kind: 'array' })
    const all = (await zarr.get(a)).data as Float32Array
    for (let k = 0; k < 3; k++)
      for (let j = 0; j < 5; j++)
        expect(Array.from(all.subarray((k * 5 + j) * D, (k * 5 + j + 1) * D))).toEqual(Array.from(want(k, j)))
    // One shard file per network recorded (network 1 has none), nothing else left behind.
    expect((await fs.readdir(path.join(dir, 'tau'))).sort()).toEqual(['c.0.0.0.0', 'c.2.0.0.0', 'zarr.json'])
  })

  it('a block of consecutive snapshots of a network is one read of its shard', async () => {
    const dir = path.join(tempDir(), 'r')
    const w = await run(dir, 2, 6)
    for (let k = 0; k < 2; k++) for (let j = 0; j < 6; j++) await w.writeSnapshot(k, j, point(k, j), [0])
    const meta = JSON.parse(await fs.readFile(path.join(dir, 'tau', 'zarr.json'), 'utf8'))
    const shards = new TauShards(path.join(dir, 'tau'), shardLayout(meta, P)!)
    const rows = [0, 1].flatMap((net) => Array.from({ length: 6 }, (_, snapshot) => ({ net, snapshot })))
    const reads: number[] = []
    const original = fs.open
    // Count the positioned reads on each opened shard (the index, then the data).
    const spy = async (...args: Parameters<typeof fs.open>) => {
      const fh = await original(...args)
      const read = fh.read.bind(fh) as (...a: unknown[]) => Promise<{ bytesRead: number }>
      ;(fh as unknown as { read: typeof read }).read = (...a: unknown[]) => {
        reads.push(1)
        return read(...a)
      }
      return fh
    }
    ;(fs as { open: unknown }).open = spy
    const out = new Float32Array(rows.length * D)
    try {
      await shards.readBlock(rows, out)
    } finally {
      ;(fs as { open: unknown }).open = original
    }
    expect(reads.length).toBe(4) // two shards: an index read and one data read each
    expect(Array.from(out)).toEqual(rows.flatMap((p) => Array.from(point(p.net, p.snapshot))))
  })

  it('a reader following a writer sees every snapshot written so far', async () => {
    const dir = path.join(tempDir(), 'r')
    const w = await run(dir, 1, 8)
    const r = await RunArchive.open(dir)
    const rows = Array.from({ length: 8 }, (_, snapshot) => ({ net: 0, snapshot }))
    const out = new Float32Array(8 * D)
    for (let j = 0; j < 8; j++) {
      await w.writeSnapshot(0, j, point(0, j), [0])
      await r.readTauBlock(rows, out)
      for (let i = 0; i < 8; i++)
        expect(Array.from(out.subarray(i * D, (i + 1) * D))).toEqual(
          Array.from(i <= j ? point(0, i) : new Float32Array(D)),
        )
    }
  })

  it('names a damaged shard', async () => {
    const dir = path.join(tempDir(), 'r')
    const w = await run(dir)
    await w.writeSnapshot(1, 1, point(1, 1), [0])
    await fs.truncate(path.join(dir, 'tau', 'c.1.0.0.0'), 100)
    const r = await RunArchive.open(dir)
    await expect(r.readTau(1, 1)).rejects.toThrow(/damaged: .*c\.1\.0\.0\.0 holds 100 bytes, a shard of this run holds/)
    await expect(w.writeSnapshot(1, 2, point(1, 2), [0])).rejects.toThrow(/c\.1\.0\.0\.0 holds 100 bytes/)
    await expect(w.writeSnapshot(0, 0, new Float32Array(3), [0])).rejects.toThrow(/holds 12 values, got 3/)
  })

  it('formats 1–3 (one file per point) read the same through readTauBlock as one by one', async () => {
    const dir = path.join(tempDir(), 'p.sgdscope')
    cpSync(path.join(ROOT, 'tests/fixtures/format1.sgdscope'), dir, { recursive: true })
    for (const id of ['sto', 'half', 'ext']) {
      const r = await RunArchive.open(path.join(dir, 'runs', id))
      const { nets, snapshots: S } = r.attrs
      const d = r.attrs.pointShape.reduce((a, b) => a * b, 1)
      const rows = Array.from({ length: nets * S }, (_, i) => ({ net: Math.floor(i / S), snapshot: i % S })).reverse()
      const out = new Float32Array(rows.length * d)
      await r.readTauBlock(rows, out)
      const one = await Promise.all(rows.map((p) => r.readTau(p.net, p.snapshot)))
      expect(Array.from(out)).toEqual(one.flatMap((x) => Array.from(x)))
      expect(out.some((x) => x !== 0)).toBe(true)
    }
  })
})
