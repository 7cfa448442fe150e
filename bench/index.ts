/**
 * `npm run bench`: speed figures on this machine, printed, never asserted.
 *
 * 1. The fused engine, 784-100-10, batch 1, one network on one core, one full epoch of
 *    deskewed MNIST: samples/s per core (TypeScript kernel, wall clock); then both
 *    kernels side by side in CPU time, TypeScript and WebAssembly SIMD, with fig1's
 *    projected time for each (bench/wasm.ts).
 * 2. A whole run through the worker pool (all cores, the kernel the app selects):
 *    samples/s including snapshot evaluation, and the projected time of the paper's
 *    fig1 run (100 networks × 20 epochs = 120 million samples, 30 snapshots).
 * 3. Issue 21's: the path-distance matrix of fig1's 100 networks (bench/path-distances.ts, goal
 *    ≤ 2 s) and the stability preset's wall time at quick scale with the full preset projected
 *    (bench/stability.ts).
 * 4. Analysis benchmarks (bench/analysis.ts) when given `--analysis`.
 *
 * `npm run bench -- engine` runs only the engine table (bench/engines.ts: fused, the C
 * reference, tfjs on WebAssembly and native TensorFlow, batch 1 and 100, 784-100-10 and
 * 784-1000-10, µs per sample per core).
 * `npm run bench -- tau-read` writes and reads back τ of a synthetic run (format 4's shards against
 * one file per point, beside `cat`; bench/tau-read.ts).
 * `npm run bench -- responsiveness` runs only the host-responsiveness benchmark
 * (bench/responsiveness.ts), `npm run bench -- embed [--project DIR]` the fig1 τ embedding from
 * `sgdscope embed` against its goals (bench/embed.ts), `npm run bench -- path-distances` the whole-path distances at
 * fig1's size (bench/path-distances.ts), `npm run bench -- stability` the stability preset (bench/stability.ts), `npm run bench -- tsne-umap` t-SNE and UMAP on fig1's 3,100
 * points (bench/tsne-umap.ts), `npm run bench -- faithfulness` the diagnostics and 4 SMACOF starts at
 * fig1's size (bench/faithfulness.ts, also with `--analysis`); `npm run bench -- fuzz` the hostile-input fuzz tests at ten
 * times their npm-test size (≥ 10,000 cases per parser); `npm run bench -- preset-errors` 100 seeds of each
 * preset beyond the paper against PyTorch's test-error range (bench/preset-errors.ts).
 * `npm run bench -- scale [--sizes 10000,30000,100000] [--dir DIR]`: embeddings of 10,000 to 100,000 points
 * (landmark, PCA, SMACOF; bench/scale.ts), wall time, peak memory and stress beside issue 23's goals and
 * NumPy + scikit-learn.
 */
import * as os from 'node:os'
import { mkdtempSync, rmSync } from 'node:fs'
import * as path from 'node:path'
import { benchFused } from './engine'
import { benchKernels } from './wasm'
import { loadTrainData } from '../src/main/experiments/data'
import { Project } from '../src/main/archive/project'
import { createRun, trainRun } from '../src/main/experiments/runner'
import { defaultWorkerCount } from '../src/main/engine/pool'
import { meanNonZeros } from '../src/main/engine/sparse'
import { NetTrainer } from '../src/main/engine/train'
import { parseSpec, type MlpSpec } from '../src/shared/spec'
import { PRESETS } from '../src/shared/presets'
import { formatDuration } from '../src/main/cli/progress'

const fmt = (x: number) => Math.round(x).toLocaleString('en-US')

async function main() {
  const cores = defaultWorkerCount()
  console.log(`sgdscope benchmarks — ${os.cpus()[0]?.model ?? 'cpu'}, ${cores} cores, Node ${process.versions.node}\n`)
  const t0 = performance.now()
  const { data } = await loadTrainData({ source: 'mnist', deskew: true })
  console.log(
    `deskewed MNIST loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${meanNonZeros(data.train).toFixed(0)} non-zero pixels per image on average`,
  )

  // 1. One core, one epoch.
  const perCore = await benchFused({ images: data.train, labels: data.trainLabels, samples: 60_000 })
  console.log(`\nfused engine, 784-100-10, batch 1, mse, one core, one epoch (TypeScript kernel, wall clock):`)
  console.log(`  ${fmt(perCore)} samples/s per core  (${(1e6 / perCore).toFixed(1)} µs per sample)`)

  // Snapshot cost: τ on the probe set, test error on 10 000 test images, train loss and
  // error on 10 000 training images.
  const spec = parseSpec(PRESETS.fig1.runs[0].spec) as MlpSpec
  const trainer = new NetTrainer(spec, data, 0)
  trainer.observe()
  const t1 = performance.now()
  const reps = 3
  for (let i = 0; i < reps; i++) trainer.observe()
  const observeSec = (performance.now() - t1) / 1000 / reps
  console.log(
    `  one snapshot (20 000 forward passes, ${trainer.mlp.kernel} kernel): ${(observeSec * 1000).toFixed(0)} ms`,
  )

  // Both kernels side by side (CPU time), and fig1 projected with each.
  const selected = await benchKernels(data, cores)

  // Engines × backends × batch sizes, on the same data in this one process.
  const { benchEngines } = await import('./tfjs')
  console.log('')
  await benchEngines({ data })

  // 2. Whole runs through the worker pool.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sgdscope-bench-'))
  try {
    const project = await Project.create(path.join(dir, 'bench.sgdscope'))
    const nets = cores * 2
    const run = await createRun(project, {
      ...PRESETS.fig1.runs[0].spec,
      nets,
      epochs: 1,
      snapshots: { firstEpoch: 2 },
    })
    const t2 = performance.now()
    await trainRun(project, run.id)
    const sec = (performance.now() - t2) / 1000
    const total = nets * 60_000
    console.log(
      `\nworker pool, ${nets} networks × 1 epoch on ${cores} worker threads (3 snapshots each, ${selected.kernel} kernel): ${sec.toFixed(1)} s`,
    )
    console.log(`  ${fmt(total / sec)} samples/s overall, ${fmt(total / sec / cores)} per core, snapshots included`)

    const fig1Samples = 100 * 20 * 60_000
    const fig1Snapshots = 100 * 30
    // With the kernel the app selects, from its CPU-time figures above.
    const rate = 1e6 / selected.microsPerSample
    const projected = fig1Samples / (rate * cores) + (fig1Snapshots * selected.snapshotSec) / cores
    console.log(
      `\nprojected fig1 (100 networks × 20 epochs = ${fmt(fig1Samples)} samples, 30 snapshots) on ${cores} cores, ${selected.kernel} kernel: ${formatDuration(projected)}`,
    )
    console.log(
      `  of which training ${formatDuration(fig1Samples / (rate * cores))}, snapshots ${formatDuration((fig1Snapshots * selected.snapshotSec) / cores)}`,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }

  // 3. Issue 21: whole-path distances at fig1's size, the stability preset.
  console.log('')
  await import('./path-distances')
  await import('./stability')

  if (process.argv.includes('--analysis')) {
    await import('./analysis')
    await import('./faithfulness')
  }
}

if (process.argv.includes('engine')) await import('./engines')
else if (process.argv.includes('responsiveness')) await import('./responsiveness')
else if (process.argv.includes('scale')) await import('./scale')
else if (process.argv.includes('embed')) await import('./embed')
else if (process.argv.includes('tau-read')) await import('./tau-read')
else if (process.argv.includes('path-distances')) await import('./path-distances')
else if (process.argv.includes('stability')) await import('./stability')
else if (process.argv.includes('tsne-umap')) await import('./tsne-umap')
else if (process.argv.includes('faithfulness')) await import('./faithfulness')
else if (process.argv.includes('preset-errors')) await import('./preset-errors')
else if (process.argv.includes('fuzz')) {
  const { spawnSync } = await import('node:child_process')
  const r = spawnSync('npx', ['vitest', 'run', 'tests/main/reliability/fuzz.test.ts'], {
    stdio: 'inherit',
    env: { ...process.env, SGDSCOPE_FUZZ_SCALE: '10' },
  })
  process.exitCode = r.status ?? 1
} else await main()
