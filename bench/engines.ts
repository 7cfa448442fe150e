/**
 * `npm run bench -- engine`: every way sgdscope can train an MLP, side by side on deskewed
 * MNIST, in µs of CPU per sample (per core): the fused engine (WebAssembly SIMD kernel and
 * the TypeScript one), the C reference of the same sparse algorithm (bench/reference.ts),
 * and the tfjs engine on WebAssembly and on native TensorFlow (@tensorflow/tfjs-node),
 * for batch 1 and batch 100 on the paper's 784-100-10 and a wide 784-1000-10 (mse, η = 0.1).
 *
 *   npm run bench -- engine [--seconds 1] [--nets 10] [--batches 1,100] [--hidden 100,1000]
 *                           [--families | --no-families]
 *
 * It starts with the configuration families (bench/families.ts: µs per step per core of
 * the paper's network, deep, ReLU/tanh, momentum/Nesterov, weight decay, beside the C
 * reference, and the goals); `--families` prints only that, `--no-families` skips it.
 *
 * CPU time is the process's, all its threads: what a sample costs a core. Single-threaded
 * engines use one core, so their wall time is the same; native TensorFlow runs its own
 * threads, so its wall time per sample can be lower than its CPU time. A run of many
 * networks puts one fused network (or one wasm group) on each core, and native TensorFlow
 * in one worker whose threads spread over the cores: the last column projects each
 * engine's samples/s for a whole run from its CPU time (cores ÷ CPU µs per sample), as
 * `engine: auto` (src/main/engine/tfjs/choose-engine.ts) does. CPU time, unlike wall time,
 * does not count other processes on a busy machine against an engine.
 */
import * as os from 'node:os'
import { pathToFileURL } from 'node:url'
import { initParams } from '../src/main/engine/mlp'
import { epochOrder, initRng } from '../src/main/engine/rng'
import { meanNonZeros } from '../src/main/engine/sparse'
import type { TrainData } from '../src/main/engine/train'
import { selectBackend, type TfjsBackend } from '../src/main/engine/tfjs/backend'
import { fusedThroughput, tfjsThroughput, type Throughput } from '../src/main/engine/tfjs/choose-engine'
import { defaultStrategy } from '../src/main/engine/tfjs/group'
import { loadTrainData } from '../src/main/experiments/data'
import { benchFamilies } from './families'
import { buildReference, runReference } from './reference'

export interface EngineBenchOptions {
  data?: TrainData
  batches?: number[]
  hidden?: number[]
  /** Networks in a tfjs group (default 10). */
  nets?: number
  /** Timed seconds per cell (default 1). */
  seconds?: number
  /** Cores a whole run would use (default: this machine's). */
  cores?: number
  print?: (line: string) => void
}

export interface EngineBenchRow {
  hidden: number
  batch: number
  engine: string
  nets: number
  /** CPU µs per sample (all threads of the process): the cost per core. */
  cpuMicros: number
  /** Wall µs per sample in this one process. */
  wallMicros: number
  /** Projected samples/s of a whole run on `cores` cores. */
  runRate: number
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US')
const micros = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2))

function withKernel<T>(kernel: 'ts' | undefined, f: () => T): T {
  const saved = process.env.SGDSCOPE_KERNEL
  if (kernel) process.env.SGDSCOPE_KERNEL = kernel
  try {
    return f()
  } finally {
    if (saved === undefined) delete process.env.SGDSCOPE_KERNEL
    else process.env.SGDSCOPE_KERNEL = saved
  }
}

/** Prints (and returns) the table; a backend or the C compiler that is missing is named, not fatal. */
export async function benchEngineTable(opts: EngineBenchOptions = {}): Promise<EngineBenchRow[]> {
  const print = opts.print ?? ((l: string) => console.log(l))
  const data = opts.data ?? (await loadTrainData({ source: 'mnist', deskew: true })).data
  const batches = opts.batches ?? [1, 100]
  const hiddens = opts.hidden ?? [100, 1000]
  const nets = opts.nets ?? 10
  const seconds = opts.seconds ?? 1
  const cores = opts.cores ?? os.cpus().length
  print(
    `engines on deskewed MNIST (${data.train.count} images, ${meanNonZeros(data.train).toFixed(0)} non-zero pixels each), mse, η = 0.1 — ${os.cpus()[0]?.model ?? 'cpu'}, ${cores} cores, Node ${process.versions.node}`,
  )
  const notes: string[] = []
  const ref = buildReference()
  notes.push(ref.ok ? `C reference: ${ref.compiler}, -O3 -march=native` : `C reference: not measured — ${ref.reason}`)
  const backends: TfjsBackend[] = []
  for (const name of ['wasm', 'tensorflow'] as const) {
    try {
      notes.push(`tfjs/${name}: ${(await selectBackend({ backend: name, onLog: () => {} })).reason}`)
      backends.push(name)
    } catch (e) {
      notes.push(`tfjs/${name}: not measured — ${(e as Error).message}`)
    }
  }

  const rows: EngineBenchRow[] = []
  for (const hidden of hiddens) {
    const shape = { inputs: data.train.dim, hidden, outputs: data.classes }
    for (const batch of batches) {
      const base = { data, shape, loss: 'mse' as const, lr: 0.1, batch, seconds, minSteps: 2 }
      const add = (engine: string, n: number, t: Pick<Throughput, 'cpuSeconds' | 'wallSeconds'>, samples: number) => {
        const row = {
          hidden,
          batch,
          engine,
          nets: n,
          cpuMicros: (t.cpuSeconds * 1e6) / samples,
          wallMicros: (t.wallSeconds * 1e6) / samples,
          runRate: 0,
        }
        // One network (group) per core; native TensorFlow's threads over the same cores.
        row.runRate = (cores * 1e6) / row.cpuMicros
        rows.push(row)
        return row
      }
      // The fused engine: how the runner trains (whole batches of ~2 048 samples per call).
      const samplesOf = (t: Throughput) => t.samplesPerSec * t.seconds
      const fw = withKernel(undefined, () => fusedThroughput({ ...base, clock: 'cpu' }))
      const fused = add(`fused (${fw.kernel} kernel)`, 1, fw, samplesOf(fw))
      if (fw.kernel !== 'ts') {
        const ft = withKernel('ts', () => fusedThroughput({ ...base, clock: 'cpu' }))
        add(`fused (${ft.kernel} kernel)`, 1, ft, samplesOf(ft))
      }
      if (ref.ok) {
        // Sized from the fused engine's speed to take about `seconds`.
        const steps = Math.max(2, Math.ceil((seconds * 1e6) / fused.cpuMicros / batch))
        const r = runReference(ref.bin, {
          images: data.train,
          labels: data.trainLabels,
          shape,
          loss: 'mse',
          batch,
          lr: 0.1,
          params: initParams(shape, 'torch7', 1, initRng(1, 0)),
          order: epochOrder(data.train.count, 1, 0, 0),
          steps,
        })
        add('C reference', 1, r, r.samples)
      }
      for (const name of backends) {
        await selectBackend({ backend: name, onLog: () => {} })
        const t = tfjsThroughput({
          ...base,
          nets,
          strategy: defaultStrategy(name),
          clock: name === 'tensorflow' ? 'wall' : 'cpu',
        })
        add(`tfjs/${name}`, nets, t, t.steps * batch * nets)
      }
    }
  }

  const head = [
    'network',
    'batch',
    'engine',
    'nets',
    'µs/sample/core (CPU)',
    'wall µs/sample',
    '× fused (CPU)',
    `run on ${cores} cores, samples/s`,
  ]
  const body = rows.map((r) => {
    const fused = rows.find((f) => f.hidden === r.hidden && f.batch === r.batch)!
    return [
      `784-${r.hidden}-10`,
      String(r.batch),
      r.engine,
      String(r.nets),
      micros(r.cpuMicros),
      micros(r.wallMicros),
      `${(fused.cpuMicros / r.cpuMicros).toFixed(2)}×`,
      fmt(r.runRate),
    ]
  })
  const width = head.map((h, j) => Math.max(h.length, ...body.map((b) => b[j]!.length)))
  const numeric = (j: number) => j === 1 || j >= 3
  const line = (cells: string[]) =>
    `| ${cells.map((c, j) => (numeric(j) ? c.padStart(width[j]!) : c.padEnd(width[j]!))).join(' | ')} |`
  print('')
  print(line(head))
  print(`|${width.map((w, j) => (numeric(j) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`)
  for (const b of body) print(line(b))
  print('')
  print('µs/sample/core: CPU time of all the process’s threads per SGD sample (all networks of the row together).')
  print('× fused: how many times less CPU per sample than the fused engine’s first row at the same network and batch.')
  print(
    `run on ${cores} cores: cores ÷ CPU µs per sample (one fused network or wasm group per core; native TensorFlow's threads over the cores), as engine: auto projects it.`,
  )
  print('wall µs/sample: this process alone; above the CPU figure where other processes share the cores.')
  // Where, if anywhere, native TensorFlow beats the fused engine.
  for (const hidden of hiddens)
    for (const batch of batches) {
      const cell = rows.filter((r) => r.hidden === hidden && r.batch === batch)
      const fused = cell[0]!
      const native = cell.find((r) => r.engine === 'tfjs/tensorflow')
      if (!native) continue
      const perCore = fused.cpuMicros / native.cpuMicros
      const wall = fused.wallMicros / native.wallMicros
      print(
        `784-${hidden}-10, batch ${batch}: native TensorFlow ${perCore >= 1 ? `beats fused: ${perCore.toFixed(1)}× less` : `loses: ${(1 / perCore).toFixed(1)}× more`} CPU per sample (wall time in this process: ${wall >= 1 ? `${wall.toFixed(1)}× faster` : `${(1 / wall).toFixed(1)}× slower`})`,
      )
    }
  for (const n of notes) print(n)
  return rows
}

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const arg = (name: string): string | undefined => {
    const i = args.indexOf(`--${name}`)
    return i >= 0 ? args[i + 1] : undefined
  }
  const list = (name: string) => arg(name)?.split(',').map(Number)
  const seconds = arg('seconds') !== undefined ? Number(arg('seconds')) : undefined
  // First the configuration families beside the C reference and the goals (bench/families.ts).
  if (!args.includes('--no-families')) {
    const { data } = await loadTrainData({ source: 'mnist', deskew: true })
    await benchFamilies(data, { seconds })
    if (args.includes('--families')) return
    console.log('')
  }
  await benchEngineTable({
    seconds,
    nets: arg('nets') !== undefined ? Number(arg('nets')) : undefined,
    batches: list('batches'),
    hidden: list('hidden'),
  })
}

if (
  process.argv.includes('engine') ||
  (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
) {
  await main()
}
