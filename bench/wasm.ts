/**
 * The fused engine's two kernels side by side: the TypeScript reference (FusedMlp) and
 * the WebAssembly SIMD kernel (WasmMlp), same data, same specs, one network on one core,
 * timed in CPU time (process.cpuUsage: robust when other processes share the machine),
 * and the projected time of the paper's fig1 run with each.
 *
 *   npx tsx bench/wasm.ts          (deskewed MNIST; also called from bench/index.ts)
 */
import * as os from 'node:os'
import { pathToFileURL } from 'node:url'
import { initParams, type Loss } from '../src/main/engine/mlp'
import { defaultWorkerCount } from '../src/main/engine/pool'
import { epochOrder, initRng } from '../src/main/engine/rng'
import { NetTrainer, type TrainData } from '../src/main/engine/train'
import { chooseKernel, createMlp, KERNEL_ENV, wasmKernelStatus, type KernelName } from '../src/main/engine/wasm'
import { loadTrainData } from '../src/main/experiments/data'
import { formatDuration } from '../src/main/cli/progress'
import { PRESETS } from '../src/shared/presets'
import { parseSpec, type MlpSpec } from '../src/shared/spec'

export interface KernelCase {
  label: string
  loss: Loss
  batch: number
  momentum: number
  lr: number
  /** timed samples per kernel */
  samples: Record<KernelName, number>
}

/** CPU µs per sample of SGD with one kernel: one network, this thread, after a warm-up. */
export function cpuMicrosPerSample(data: TrainData, kernel: KernelName, c: KernelCase, hidden = 100): number {
  const images = data.train
  const shape = { inputs: images.dim, hidden, outputs: data.classes }
  const net = createMlp(shape, c.loss, initParams(shape, 'torch7', 0, initRng(1, 0)), c.momentum, undefined, kernel)
  const idx = new Uint32Array(c.batch)
  let epoch = 0
  let order = epochOrder(images.count, 1, 0, epoch)
  let pos = 0
  const run = (n: number): number => {
    let loss = 0
    let steps = 0
    for (let s = 0; s < n; s += c.batch, steps++) {
      for (let r = 0; r < c.batch; r++) {
        if (pos === order.length) {
          order = epochOrder(images.count, 1, 0, ++epoch)
          pos = 0
        }
        idx[r] = order[pos++]!
      }
      loss += net.step(images, data.trainLabels, idx, c.lr)
    }
    return loss / steps
  }
  run(Math.min(5000, c.samples[kernel]))
  const c0 = process.cpuUsage()
  const loss = run(c.samples[kernel])
  const used = process.cpuUsage(c0)
  if (!Number.isFinite(loss)) throw new Error(`bench: loss became ${loss}`)
  return (used.user + used.system) / (Math.ceil(c.samples[kernel] / c.batch) * c.batch)
}

/** CPU seconds of one snapshot (NetTrainer.observe: τ and the metrics, 20 000 forward passes
 * for fig1) with one kernel. */
export function cpuSecondsPerSnapshot(data: TrainData, kernel: KernelName, spec: MlpSpec, reps = 3): number {
  const saved = process.env[KERNEL_ENV]
  process.env[KERNEL_ENV] = kernel
  try {
    const trainer = new NetTrainer(spec, data, 0)
    if (trainer.mlp.kernel !== kernel)
      throw new Error(`bench: asked for the ${kernel} kernel, got ${trainer.mlp.kernel}`)
    trainer.observe()
    const c0 = process.cpuUsage()
    for (let i = 0; i < reps; i++) trainer.observe()
    const used = process.cpuUsage(c0)
    return (used.user + used.system) / 1e6 / reps
  } finally {
    if (saved === undefined) delete process.env[KERNEL_ENV]
    else process.env[KERNEL_ENV] = saved
  }
}

const FIG1_SAMPLES = 100 * 20 * 60_000
const FIG1_SNAPSHOTS = 100 * 30

/** fig1's projected time on `cores` cores from a kernel's per-core speed and snapshot cost. */
export function projectFig1(
  microsPerSample: number,
  snapshotSec: number,
  cores: number,
): { total: number; training: number; snapshots: number } {
  const training = (FIG1_SAMPLES * microsPerSample) / 1e6 / cores
  const snapshots = (FIG1_SNAPSHOTS * snapshotSec) / cores
  return { total: training + snapshots, training, snapshots }
}

/**
 * Prints both kernels side by side (µs per sample in CPU time, for the fig1 network and a
 * few variants) and fig1's projected time with each. Returns the default kernel's
 * figures, which is what the app's workers run.
 */
export async function benchKernels(
  data: TrainData,
  cores = defaultWorkerCount(),
): Promise<{ kernel: KernelName; microsPerSample: number; snapshotSec: number }> {
  const status = wasmKernelStatus()
  const kernels: KernelName[] = status.available ? ['ts', 'wasm'] : ['ts']
  const both = (ts: number, wasm: number) => ({ ts, wasm })
  const cases: KernelCase[] = [
    { label: 'batch 1, mse, η = 1 (fig1)', loss: 'mse', batch: 1, momentum: 0, lr: 1, samples: both(60_000, 60_000) },
    {
      label: 'batch 1, cross-entropy',
      loss: 'cross-entropy',
      batch: 1,
      momentum: 0,
      lr: 0.1,
      samples: both(30_000, 60_000),
    },
    { label: 'batch 10, mse', loss: 'mse', batch: 10, momentum: 0, lr: 1, samples: both(30_000, 60_000) },
    {
      label: 'batch 1, mse, momentum 0.9 (dense update)',
      loss: 'mse',
      batch: 1,
      momentum: 0.9,
      lr: 0.1,
      samples: both(3_000, 20_000),
    },
  ]
  console.log(
    `\nfused engine kernels, 784-${100}-${data.classes}, one network on one core, CPU time per sample (process.cpuUsage):`,
  )
  if (!status.available) console.log(`  (WebAssembly SIMD kernel unavailable here: ${status.reason})`)
  const head = [
    '',
    ...kernels.map((k) => (k === 'ts' ? 'TypeScript' : 'WASM SIMD')),
    kernels.length > 1 ? 'speed-up' : '',
  ]
  const rows: string[][] = [head]
  const fig1: Partial<Record<KernelName, number>> = {}
  for (const c of cases) {
    const us = kernels.map((k) => cpuMicrosPerSample(data, k, c))
    if (c.label.includes('fig1')) kernels.forEach((k, i) => (fig1[k] = us[i]))
    rows.push([
      c.label,
      ...us.map((u) => `${u.toFixed(2)} µs`),
      us.length > 1 ? `${(us[0]! / us[1]!).toFixed(1)}×` : '',
    ])
  }
  const spec = parseSpec(PRESETS.fig1.runs[0]!.spec) as MlpSpec
  const snap: Partial<Record<KernelName, number>> = {}
  for (const k of kernels) snap[k] = cpuSecondsPerSnapshot(data, k, spec)
  rows.push([
    'one fig1 snapshot (20 000 forward passes)',
    ...kernels.map((k) => `${(snap[k]! * 1000).toFixed(0)} ms`),
    kernels.length > 1 ? `${(snap.ts! / snap.wasm!).toFixed(1)}×` : '',
  ])
  const widths = head.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)))
  for (const r of rows)
    console.log(`  ${r.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]!) : cell.padStart(widths[j]!))).join('   ')}`)

  console.log(
    `\nprojected fig1 (100 networks × 20 epochs = ${FIG1_SAMPLES.toLocaleString('en-US')} samples, 30 snapshots each) on ${cores} cores, from the CPU times above:`,
  )
  for (const k of kernels) {
    const p = projectFig1(fig1[k]!, snap[k]!, cores)
    const name = k === 'ts' ? 'TypeScript kernel' : 'WASM SIMD kernel '
    console.log(
      `  ${name}: ${formatDuration(p.total)}  (training ${formatDuration(p.training)}, snapshots ${formatDuration(p.snapshots)})`,
    )
  }
  const chosen = chooseKernel()
  console.log(
    `  the app uses the ${chosen.kernel === 'wasm' ? 'WASM SIMD' : 'TypeScript'} kernel here: ${chosen.reason}`,
  )
  return { kernel: chosen.kernel, microsPerSample: fig1[chosen.kernel]!, snapshotSec: snap[chosen.kernel]! }
}

async function main(): Promise<void> {
  console.log(
    `sgdscope kernel benchmark — ${os.cpus()[0]?.model ?? 'cpu'}, ${defaultWorkerCount()} cores, Node ${process.versions.node}`,
  )
  const { data } = await loadTrainData({ source: 'mnist', deskew: true })
  await benchKernels(data)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err)
    process.exit(1)
  })
}
