/**
 * `npm run bench -- scale [--sizes 10000,30000,100000] [--dir DIR] [--methods landmark,pca,smacof]
 * [--no-python]`: embeddings at scale (issue 23). Builds synthetic runs of 100 snapshots × n/100
 * networks, each point 10,000 values (a probe of 1,000 × 10 outputs, `values` runs written by the
 * TypeScript external-run writer), the paths random walks with a pull toward a common end (as an
 * ensemble converging), then runs the built CLI, `sgdscope embed RUN --method M --json`, as a child
 * process under /usr/bin/time -v (peak resident memory, wall time) from an empty cache, and prints
 * per size and method the wall time, the peak memory and the stress (exact, or estimated on a
 * sample of pairs with its interval), beside the goals: 100,000 points by landmark ≤ 60 s and
 * ≤ 4 GB, 10,000 by SMACOF ≤ 60 s. NumPy + scikit-learn (bench/scale_sklearn.py: classical start
 * + SMACOF, randomised PCA) runs beside where its n×n matrix fits in memory.
 *
 * `--dir DIR` keeps the runs there (4 GB at 100,000 points) and reuses them next time. Don't run
 * the 100,000 case often on a shared machine. Printed, never asserted.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ExternalRunWriter } from '../src/main/archive/external-run'
import { Project } from '../src/main/archive/project'
import { xorshift } from '../src/main/analysis/eigen'
import { cpuFromTime, maxRssFromTime, scaleTable, type ScaleRow } from './scale-table'

const arg = (name: string) => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}
const cli = fileURLToPath(new URL('../bin/sgdscope.js', import.meta.url))
const sklearn = fileURLToPath(new URL('./scale_sklearn.py', import.meta.url))

const SNAPSHOTS = 100
const PROBE = 1000
const OUTPUTS = 10
const D = PROBE * OUTPUTS
/** Dimensions the synthetic paths really move in. */
const LATENT = 6

/** SMACOF and its scikit-learn twin hold n×n doubles several times: run them up to this size. */
const QUADRATIC_MAX = 10_000

/** Writes run `paths-N` (N points) into the project unless it is there, complete. */
async function syntheticRun(dir: string, points: number): Promise<string> {
  const id = `paths-${points}`
  const project = await Project.openOrCreate(dir)
  if ((await project.runIds()).includes(id)) {
    const run = await project.openRun(id)
    if (run.attrs.status === 'complete') return id
    rmSync(project.runDir(id), { recursive: true, force: true }) // a half-written one from an interrupted bench
  }
  const nets = Math.ceil(points / SNAPSHOTS)
  const t0 = performance.now()
  const w = await ExternalRunWriter.createOrJoin(dir, {
    id,
    spec: { name: id, source: 'import', nets, classes: null, outputs: 'values', probe: PROBE },
    labels: new Array<number>(PROBE).fill(-1),
    pointShape: [PROBE, OUTPUTS],
    metrics: ['train_loss'],
  })
  await w.start()
  for (let j = 0; j < SNAPSHOTS; j++) await w.addSnapshot(j)
  const u = xorshift(points)
  const gauss = () => Math.sqrt(-2 * Math.log(u() + 1e-300)) * Math.cos(2 * Math.PI * u())
  // Paths with structure, as an ensemble's: random walks in a LATENT-dimensional space (scales
  // decaying), pulled toward a common end, mapped into the D values by a fixed random matrix, plus
  // a little noise in every value.
  const A = Float64Array.from({ length: D * LATENT }, () => gauss() / Math.sqrt(LATENT))
  const scale = Array.from({ length: LATENT }, (_, a) => 0.6 ** a)
  const z = new Float64Array(LATENT)
  const out = new Float32Array(D)
  for (let k = 0; k < nets; k++) {
    for (let a = 0; a < LATENT; a++) z[a] = 4 * scale[a]! * gauss()
    const writes: Promise<void>[] = []
    for (let j = 0; j < SNAPSHOTS; j++) {
      for (let a = 0; a < LATENT; a++) z[a] += -0.04 * z[a]! + 0.15 * scale[a]! * gauss()
      for (let t = 0; t < D; t++) {
        let v = 0
        for (let a = 0; a < LATENT; a++) v += A[t * LATENT + a]! * z[a]!
        out[t] = v + 0.02 * (u() - 0.5)
      }
      writes.push(w.writeSnapshot(k, j, { outputs: Float32Array.from(out), metrics: { train_loss: 1 / (1 + j) } }))
    }
    await Promise.all(writes)
    if ((k + 1) % 50 === 0) process.stderr.write(`  ${id}: ${k + 1}/${nets} networks written\r`)
  }
  await w.close()
  console.log(
    `${id}: ${nets} networks × ${SNAPSHOTS} snapshots written in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  )
  return id
}

function clearCaches(dir: string, id: string): void {
  for (const sub of ['embeddings', 'cache']) rmSync(path.join(dir, 'runs', id, sub), { recursive: true, force: true })
}

function runEmbed(dir: string, id: string, points: number, method: string): ScaleRow {
  clearCaches(dir, id)
  const t0 = performance.now()
  const r = spawnSync(
    '/usr/bin/time',
    ['-v', process.execPath, cli, 'embed', id, '--method', method, '--project', dir],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    },
  )
  const seconds = (performance.now() - t0) / 1000
  const row: ScaleRow = {
    points,
    method: `sgdscope ${method}`,
    seconds,
    cpuSeconds: cpuFromTime(r.stderr),
    peakBytes: maxRssFromTime(r.stderr),
  }
  if (r.status !== 0) {
    // The CLI's own last words come before GNU time's report.
    const own = r.stderr.split('\tCommand being timed')[0]!.trim().split('\n')
    return {
      ...row,
      note: `failed (exit ${r.status}): ${own.filter((l) => !/^(reading|distances|embedding|diagnostics) /.test(l)).pop() ?? ''}`,
    }
  }
  // The text line, not --json: its output (every point) is large.
  const m = /stress-1 (≈ )?([0-9.]+)(?: \(estimated, 95 % CI ([0-9.]+)–([0-9.]+)\))?/.exec(r.stdout)
  if (m) {
    row.stress = Number(m[2])
    if (m[1]) row.estimate = { low: Number(m[3]), high: Number(m[4]) }
  }
  return row
}

function runSklearn(dir: string, id: string, points: number, methods: string[]): ScaleRow[] {
  const r = spawnSync('python3', [sklearn, path.join(dir, 'runs', id), methods.join(',')], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  })
  if (r.status !== 0)
    return [{ points, method: 'scikit-learn', note: `failed: ${r.stderr.trim().split('\n').pop() ?? r.status}` }]
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      const j = JSON.parse(l) as { method: string; seconds: number; peak_bytes: number; stress: number }
      return {
        points,
        method: `scikit-learn ${j.method}`,
        seconds: j.seconds,
        peakBytes: j.peak_bytes,
        stress: j.stress,
      }
    })
}

async function main(): Promise<void> {
  const sizes = (arg('--sizes') ?? '10000,30000,100000').split(',').map(Number)
  const methods = (arg('--methods') ?? 'landmark,pca,smacof').split(',')
  const python = !process.argv.includes('--no-python')
  const keep = arg('--dir')
  const dir = keep ?? mkdtempSync(path.join(os.tmpdir(), 'sgdscope-bench-scale-'))
  if (!existsSync('/usr/bin/time'))
    throw new Error('bench scale measures peak memory with /usr/bin/time -v: install GNU time')
  mkdirSync(dir, { recursive: true })
  console.log(
    `embeddings at scale, ${os.cpus()[0]?.model ?? 'cpu'}, ${os.availableParallelism()} cores, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GB, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  )
  const rows: ScaleRow[] = []
  try {
    for (const n of sizes) {
      const id = await syntheticRun(dir, n)
      for (const m of methods) {
        if (m !== 'landmark' && m !== 'pca' && n > QUADRATIC_MAX) {
          rows.push({
            points: n,
            method: `sgdscope ${m}`,
            note: `skipped: n² distances alone ${((n * n * 8) / 1024 ** 3).toFixed(1)} GB`,
          })
          continue
        }
        const row = runEmbed(dir, id, n, m)
        rows.push(row)
        console.log(scaleTable([row]).at(-1))
      }
      if (python) {
        const py = n <= QUADRATIC_MAX ? ['smacof', 'pca'] : n <= 30_000 ? ['pca'] : []
        if (py.length) rows.push(...runSklearn(dir, id, n, py))
        else rows.push({ points: n, method: 'scikit-learn', note: 'skipped: τ and its distances do not fit' })
      }
    }
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true })
  }
  console.log('')
  for (const l of scaleTable(rows)) console.log(l)
  const lm = rows.find((r) => r.method === 'sgdscope landmark' && r.points <= QUADRATIC_MAX)
  const sm = rows.find((r) => r.method === 'sgdscope smacof' && r.points === lm?.points)
  if (lm?.stress !== undefined && sm?.stress !== undefined)
    console.log(
      `\nlandmark vs SMACOF at ${lm.points.toLocaleString('en-US')} points: stress-1 ${lm.stress.toFixed(4)} vs ${sm.stress.toFixed(4)} (goal: within 0.02 ${Math.abs(lm.stress - sm.stress) <= 0.02 ? '✓' : '✗'})`,
    )
}

await main()
