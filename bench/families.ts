/**
 * The speed table of issue 19 item 4, the first part of `npm run bench -- engine`: µs per
 * SGD step per core for each configuration family, on the fused engine's kernels as a run
 * trains them (NetTrainer.advance, one network on this thread, CPU time), beside the C
 * reference where it implements the family (sigmoid, plain SGD, one hidden layer), and the
 * goals: the paper's network ≤ 4 µs per step, one snapshot's evaluation ≤ 15 ms per
 * network, start-up to the first step ≤ 1 s with the dataset cached.
 *
 * CPU time (process.cpuUsage), not wall time: the machine may be shared, and CPU time
 * does not count other processes against a kernel (it still counts their pressure on the
 * caches and memory bandwidth, so a busy machine measures a little slower).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { Project } from '../src/main/archive/project'
import { initParams } from '../src/main/engine/mlp'
import { epochOrder, initRng } from '../src/main/engine/rng'
import { NetTrainer, type TrainData } from '../src/main/engine/train'
import { KERNEL_ENV, type KernelName } from '../src/main/engine/wasm'
import { createRun, trainRun } from '../src/main/experiments/runner'
import { PRESETS } from '../src/shared/presets'
import { hiddenWidths, parseSpec, type MlpSpec } from '../src/shared/spec'
import { buildReference, runReference } from './reference'

export interface Family {
  label: string
  /** Spec fields over the paper's (784-100-10, mse, sigmoid, batch 1, η = 1). */
  spec: Record<string, unknown>
  /** Whether the C reference implements it (sigmoid, plain SGD, one hidden layer). */
  reference: boolean
}

export const FAMILIES: Family[] = [
  { label: 'paper 784-100-10, batch 1 (fig1)', spec: {}, reference: true },
  { label: 'paper 784-100-10, batch 100', spec: { batch: 100, lr: 10 }, reference: true },
  { label: 'cross-entropy, batch 1', spec: { loss: 'cross-entropy', lr: 0.1 }, reference: true },
  { label: 'deep 784-100-100-10, batch 1', spec: { hidden: [100, 100], lr: 0.5 }, reference: false },
  {
    label: 'deep 784-100-100-100-10, batch 100',
    spec: { hidden: [100, 100, 100], batch: 100, lr: 5 },
    reference: false,
  },
  { label: 'ReLU, batch 1', spec: { activation: 'relu', lr: 0.05 }, reference: false },
  { label: 'tanh, batch 1', spec: { activation: 'tanh', lr: 0.1 }, reference: false },
  { label: 'momentum 0.9, batch 1', spec: { momentum: 0.9, lr: 0.1 }, reference: false },
  { label: 'Nesterov 0.9, batch 100', spec: { momentum: 0.9, nesterov: true, batch: 100, lr: 1 }, reference: false },
  { label: 'weight decay 1e-4, batch 1', spec: { weightDecay: 1e-4, lr: 1 }, reference: false },
]

function withKernel<T>(kernel: KernelName, f: () => T): T {
  const saved = process.env[KERNEL_ENV]
  process.env[KERNEL_ENV] = kernel
  try {
    return f()
  } finally {
    if (saved === undefined) delete process.env[KERNEL_ENV]
    else process.env[KERNEL_ENV] = saved
  }
}

const specOf = (f: Family) => parseSpec({ ...PRESETS.fig1.runs[0]!.spec, nets: 1, ...f.spec }) as MlpSpec

/** CPU µs per sample of `spec` on this thread, trained as a run trains (NetTrainer.advance), for about `seconds`. */
export function familyMicros(data: TrainData, spec: MlpSpec, kernel: KernelName, seconds: number): number {
  return withKernel(kernel, () => {
    const t = new NetTrainer(spec, data, 0)
    if (t.mlp.kernel !== kernel) throw new Error(`bench: asked for the ${kernel} kernel, got ${t.mlp.kernel}`)
    const chunk = spec.batch * Math.max(1, Math.round(4096 / spec.batch))
    let at = 0
    t.advance(at, (at += chunk)) // warm-up
    let samples = 0
    const c0 = process.cpuUsage()
    let used = 0
    while (used < seconds * 1e6 || samples < 4 * chunk) {
      t.advance(at, (at += chunk))
      samples += chunk
      const c = process.cpuUsage(c0)
      used = c.user + c.system
    }
    return used / samples
  })
}

/** CPU ms of one snapshot's evaluation (NetTrainer.observe: fig1's 10 000 training and 10 000 test images). */
export function snapshotMillis(data: TrainData, kernel: KernelName, spec: MlpSpec, reps = 5): number {
  return withKernel(kernel, () => {
    const t = new NetTrainer(spec, data, 0)
    t.observe()
    const c0 = process.cpuUsage()
    for (let i = 0; i < reps; i++) t.observe()
    const c = process.cpuUsage(c0)
    return (c.user + c.system) / 1000 / reps
  })
}

/**
 * Seconds from trainRun's call to the first trained samples, with the dataset already in
 * its cache (deskewed MNIST read from disk, not recomputed): process start-up excluded.
 */
export async function startupSeconds(): Promise<{ firstStep: number; workers: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sgdscope-bench-startup-'))
  try {
    const project = await Project.create(path.join(dir, 'bench.sgdscope'))
    const run = await createRun(project, {
      ...PRESETS.fig1.runs[0]!.spec,
      nets: 2,
      epochs: 1,
      snapshots: { firstEpoch: 1 },
    })
    const ac = new AbortController()
    const t0 = performance.now()
    let first = -1
    await trainRun(project, run.id, {
      workers: 2,
      signal: ac.signal,
      onProgress: (p) => {
        if (first < 0 && p.samplesDone > 0) {
          first = (performance.now() - t0) / 1000
          ac.abort()
        }
      },
    })
    return { firstStep: first, workers: 2 }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2))

/** Prints the table and the goals; returns the paper network's µs per step on the default kernel. */
export async function benchFamilies(
  data: TrainData,
  opts: { seconds?: number; kernels?: KernelName[]; print?: (l: string) => void } = {},
): Promise<{ paperMicros: number; snapshotMs: number; startup: number }> {
  const print = opts.print ?? ((l: string) => console.log(l))
  const seconds = opts.seconds ?? 1
  const kernels = opts.kernels ?? ['wasm', 'ts']
  const ref = buildReference()
  const head = [
    'configuration',
    'batch',
    ...kernels.map((k) => `${k} µs/step`),
    ...kernels.map((k) => `${k} µs/sample`),
  ]
  head.push('C ref µs/step', 'C ref µs/sample')
  const rows: string[][] = []
  let paperMicros = NaN
  for (const f of FAMILIES) {
    const spec = specOf(f)
    const us = kernels.map((k) =>
      // The TypeScript kernel is 5–10× slower: a tenth of the time is enough to measure it.
      familyMicros(data, spec, k, k === 'ts' ? seconds / 4 : seconds),
    )
    if (f.label.includes('fig1')) paperMicros = us[0]!
    let refCell = ['—', '—']
    if (f.reference && ref.ok) {
      const shape = { inputs: data.train.dim, hidden: hiddenWidths(spec)[0]!, outputs: data.classes }
      const steps = Math.max(2, Math.ceil((seconds * 1e6) / us[0]! / spec.batch))
      const r = runReference(ref.bin, {
        images: data.train,
        labels: data.trainLabels,
        shape,
        loss: spec.loss,
        batch: spec.batch,
        lr: spec.lr,
        params: initParams(shape, 'torch7', 1, initRng(1, 0)),
        order: epochOrder(data.train.count, 1, 0, 0),
        steps,
      })
      const perSample = (r.cpuSeconds * 1e6) / r.samples
      refCell = [fmt(perSample * spec.batch), fmt(perSample)]
    }
    rows.push([
      f.label,
      String(spec.batch),
      ...us.map((u) => fmt(u * spec.batch)),
      ...us.map((u) => fmt(u)),
      ...refCell,
    ])
  }
  const width = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j]!.length)))
  const line = (cells: string[]) =>
    `| ${cells.map((c, j) => (j === 0 ? c.padEnd(width[j]!) : c.padStart(width[j]!))).join(' | ')} |`
  print(`configuration families, one network on one core, CPU time (process.cpuUsage), NetTrainer.advance:`)
  print('')
  print(line(head))
  print(`|${width.map((w, j) => (j === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`)
  for (const r of rows) print(line(r))
  print('')
  print(
    `C reference: ${ref.ok ? `${ref.compiler}, -O3 -march=native; sigmoid, plain SGD, one hidden layer only (— elsewhere)` : `not measured — ${ref.reason}`}`,
  )
  const fig1 = specOf(FAMILIES[0]!)
  const snapshotMs = snapshotMillis(data, kernels[0]!, fig1)
  const images = Math.min(fig1.trainSubset, data.train.count) + data.test.count
  const { firstStep } = await startupSeconds()
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met')
  print('')
  print('goals (issue 19 item 4):')
  print(
    `  paper network ≤ 4 µs per step (batch 1, ${kernels[0]} kernel): ${fmt(paperMicros)} µs — ${verdict(paperMicros <= 4)}`,
  )
  print(
    `  evaluation of a snapshot ≤ 15 ms per network: ${fmt(snapshotMs)} ms for ${images.toLocaleString('en-US')} images (${fmt((snapshotMs * 1000) / images)} µs per image) — ${verdict(snapshotMs <= 15)}`,
  )
  print(
    `  start-up to the first step ≤ 1 s, dataset cached (trainRun → first samples, 2 workers): ${firstStep.toFixed(2)} s — ${verdict(firstStep <= 1)}`,
  )
  print(
    data.train.memory
      ? '  the dataset: in the WebAssembly kernel’s shared memory, read in place by every worker’s kernel (not copied per worker or per step)'
      : '  the dataset: SharedArrayBuffers outside the kernel’s memory (WebAssembly SIMD unavailable?): each step copies its sample',
  )
  return { paperMicros, snapshotMs, startup: firstStep }
}
