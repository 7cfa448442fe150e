/**
 * `npm run bench -- tau-read [--nets 100] [--snapshots 100] [--values 10000] [--full]`: how fast
 * τ is written and read back in blocks (issue 23 item 3). Builds a synthetic run of nets ×
 * snapshots points of `values` float32 each (default 10,000 points, 400 MB; `--full`: 1,000 ×
 * 100 = 100,000 points, 4 GB) in format 4 (one shard per network) through RunArchive's writer,
 * reads it with `readTauBlock` in blocks of 1,000 points into one reused buffer, and prints the
 * MB/s beside `cat` of the same bytes (the disk, or here mostly the page cache). Then the same
 * points stored as formats 1–3 did, one file per point (at most 20,000 of them: the rest is
 * the same story), read the same way. Printed, never asserted.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { writeFileAtomic, writeJsonAtomic } from '../src/main/archive/atomic'
import { fs } from '../src/main/archive/file-pool'
import { RunArchive } from '../src/main/archive/run'
import { parseSpec } from '../src/shared/spec'

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? Number(process.argv[i + 1]) : dflt
}
const full = process.argv.includes('--full')
const N = arg('--nets', full ? 1000 : 100)
const S = arg('--snapshots', 100)
const D = arg('--values', 10_000)
const BLOCK = 1000
const MB = 1024 * 1024

async function create(dir: string) {
  return RunArchive.create(dir, {
    id: path.basename(dir),
    spec: parseSpec({ kind: 'stochastic', nets: N, dim: D, steps: S - 1, recordEvery: 1 }),
    pointShape: [D],
    nets: N,
    samples: Array.from({ length: S }, (_, j) => j),
    epochs: Array.from({ length: S }, (_, j) => j),
    metrics: [],
    stateSize: 0,
    versions: { sgdscope: 'bench' },
  })
}

/** Reads every point in blocks of BLOCK rows (network by network) into one buffer: seconds. */
async function readAll(run: RunArchive, rows: { net: number; snapshot: number }[]): Promise<number> {
  const buf = new Float32Array(BLOCK * D)
  let check = 0
  const t0 = performance.now()
  for (let i = 0; i < rows.length; i += BLOCK) {
    const block = rows.slice(i, i + BLOCK)
    await run.readTauBlock(block, buf.subarray(0, block.length * D))
    check += buf[0]!
  }
  const s = (performance.now() - t0) / 1000
  if (!Number.isFinite(check)) throw new Error('bad read')
  return s
}

/** `cat` of every file under `dir` matching `glob` into /dev/null: seconds. */
function cat(dir: string, pattern: string): number {
  const t0 = performance.now()
  const r = spawnSync('bash', [
    '-c',
    `cd "$1" && find . -type f -name "$2" -print0 | xargs -0 cat > /dev/null`,
    '_',
    dir,
    pattern,
  ])
  if (r.status !== 0) throw new Error(`cat failed: ${r.stderr}`)
  return (performance.now() - t0) / 1000
}

async function main() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'sgdscope-tau-read-'))
  try {
    const points = N * S
    const bytes = points * D * 4
    console.log(
      `τ of ${N} networks × ${S} snapshots × ${D.toLocaleString('en-US')} values = ${points.toLocaleString('en-US')} points, ${(bytes / MB).toFixed(0)} MB`,
    )
    const dir = path.join(root, 'p.sgdscope', 'runs', 'r')
    const run = await create(dir)
    const x = new Float32Array(D)
    let t0 = performance.now()
    // Snapshot by snapshot across the networks, as an ensemble trains.
    for (let j = 0; j < S; j++)
      for (let k = 0; k < N; k++) {
        x.fill(k + j / S)
        await run.writeSnapshot(k, j, x, [])
      }
    await run.flush()
    const write = (performance.now() - t0) / 1000
    const rows = Array.from({ length: points }, (_, i) => ({ net: Math.floor(i / S), snapshot: i % S }))
    const tau = path.join(dir, 'tau')
    cat(tau, 'c.*') // warm the cache as far as it holds, for both readers alike
    const catS = cat(tau, 'c.*')
    const again = await RunArchive.open(dir)
    const readS = Math.min(await readAll(again, rows), await readAll(again, rows))
    const rate = (s: number, b = bytes) => `${(b / MB / s).toFixed(0)} MB/s`
    console.log(`\nformat 4 (one shard per network, ${N} files):`)
    console.log(`  write (engine's writer, per snapshot)   ${write.toFixed(1)} s   ${rate(write)}`)
    console.log(`  readTauBlock, blocks of ${BLOCK}            ${readS.toFixed(2)} s  ${rate(readS)}`)
    console.log(`  cat of the same files                   ${catS.toFixed(2)} s  ${rate(catS)}`)
    console.log(`  readTauBlock / cat                      ${(catS / readS).toFixed(2)}×`)

    // The same points as formats 1–3 stored them: one file per point.
    const P = Math.min(points, 20_000)
    const oldDir = path.join(root, 'p.sgdscope', 'runs', 'old')
    await create(oldDir)
    const meta = JSON.parse(await fs.readFile(path.join(oldDir, 'tau', 'zarr.json'), 'utf8'))
    await writeJsonAtomic(path.join(oldDir, 'tau', 'zarr.json'), {
      ...meta,
      chunk_grid: { name: 'regular', configuration: { chunk_shape: [1, 1, D] } },
      chunk_key_encoding: { name: 'default', configuration: { separator: '/' } },
      codecs: [{ name: 'bytes', configuration: { endian: 'little' } }],
    })
    t0 = performance.now()
    for (let i = 0; i < P; i++) {
      const { net, snapshot } = rows[i]!
      x.fill(net + snapshot / S)
      await writeFileAtomic(path.join(oldDir, 'tau', 'c', String(net), String(snapshot), '0'), new Uint8Array(x.buffer))
    }
    const oldWrite = (performance.now() - t0) / 1000
    const oldBytes = P * D * 4
    const old = await RunArchive.open(oldDir)
    cat(path.join(oldDir, 'tau', 'c'), '*')
    const oldCat = cat(path.join(oldDir, 'tau', 'c'), '*')
    const oldRead = Math.min(await readAll(old, rows.slice(0, P)), await readAll(old, rows.slice(0, P)))
    console.log(`\nformats 1–3 (one file per point), the first ${P.toLocaleString('en-US')} points:`)
    console.log(`  write (a file and a rename per point)   ${oldWrite.toFixed(1)} s   ${rate(oldWrite, oldBytes)}`)
    console.log(`  readTauBlock, blocks of ${BLOCK}            ${oldRead.toFixed(2)} s  ${rate(oldRead, oldBytes)}`)
    console.log(`  cat of the same files                   ${oldCat.toFixed(2)} s  ${rate(oldCat, oldBytes)}`)
    console.log(`\n(load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores)`)
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

await main()
