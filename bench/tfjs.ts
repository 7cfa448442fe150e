/**
 * Engines side by side: engine × backend × batch size → samples/s for 784-100-10 (mse,
 * η = 0.1) on deskewed MNIST, all in one process on the same data, so the ratios are
 * trustworthy even where the absolute numbers move with the machine's load.
 *
 *   npx tsx bench/tfjs.ts [--seconds 2] [--nets 10] [--batches 1,10,100]
 *
 * Every figure is samples per second of ONE thread, all networks of the row together:
 * the fused engine trains one network per thread, tfjs `nets` networks as one program
 * (wasm and cpu are single-threaded too; a run puts one group on each worker thread),
 * so the ratio is the speed-up of a whole run. Single-threaded engines are timed in
 * CPU time, which other processes on a shared machine do not inflate; native TensorFlow
 * (multi-threaded) in wall time.
 *
 * `chooseMlpEngine` (the rule behind `engine: auto`) lives in
 * src/main/engine/tfjs/choose-engine.ts and is re-exported here.
 */
import * as os from 'node:os'
import { pathToFileURL } from 'node:url'
import { loadTrainData } from '../src/main/experiments/data'
import { meanNonZeros } from '../src/main/engine/sparse'
import type { TrainData } from '../src/main/engine/train'
import { selectBackend, TFJS_BACKENDS, type TfjsBackend } from '../src/main/engine/tfjs/backend'
import { defaultStrategy, type MatmulStrategy } from '../src/main/engine/tfjs/group'
import { fusedThroughput, tfjsThroughput } from '../src/main/engine/tfjs/choose-engine'

export { chooseMlpEngine } from '../src/main/engine/tfjs/choose-engine'

export interface BenchEnginesOptions {
  /** Default: deskewed MNIST. */
  data?: TrainData
  batches?: number[]
  /** Networks in a tfjs group (default 10). */
  nets?: number
  /** Timed seconds per cell (default 2). */
  seconds?: number
  /** Default: every tfjs backend that loads here. */
  backends?: TfjsBackend[]
  print?: (line: string) => void
}

export interface BenchRow {
  engine: 'fused' | 'tfjs'
  /** For the fused engine: its kernel (`ts kernel`, or `wasm kernel` where the trainer has one). */
  backend: string
  program: MatmulStrategy | 'sparse'
  nets: number
  batch: number
  /** All networks together, on one thread (native TensorFlow: its own threads). */
  samplesPerSec: number
  perNet: number
  /** samplesPerSec relative to the fused engine's (one thread each) at the same batch size. */
  vsFused: number
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US')

/** Prints (and returns) the table engine × backend × batch size → samples/s. */
export async function benchEngines(opts: BenchEnginesOptions = {}): Promise<BenchRow[]> {
  const print = opts.print ?? ((line: string) => console.log(line))
  const data = opts.data ?? (await loadTrainData({ source: 'mnist', deskew: true })).data
  const batches = opts.batches ?? [1, 10, 100]
  const nets = opts.nets ?? 10
  const seconds = opts.seconds ?? 2
  const shape = { inputs: data.train.dim, hidden: 100, outputs: data.classes }
  const base = { data, shape, loss: 'mse' as const, lr: 0.1, seconds }
  print(
    `engines, ${shape.inputs}-${shape.hidden}-${shape.outputs} mse on ${data.train.count} images (${meanNonZeros(data.train).toFixed(0)} non-zeros each) — ${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores, Node ${process.versions.node}`,
  )

  const rows: BenchRow[] = []
  const fused = new Map<number, number>()
  const fusedRows: BenchRow[] = []
  for (const batch of batches) {
    const t = fusedThroughput({ ...base, batch, clock: 'cpu' })
    fused.set(batch, t.samplesPerSec)
    rows.push({
      engine: 'fused',
      backend: `${t.kernel} kernel`,
      program: 'sparse',
      nets: 1,
      batch,
      samplesPerSec: t.samplesPerSec,
      perNet: t.perNet,
      vsFused: 1,
    })
    // Where the trainer picks a faster kernel than the TypeScript one, show that one too
    // (SGDSCOPE_KERNEL=ts forces it; see src/main/engine/wasm/index.ts).
    if (t.kernel !== 'ts') {
      const saved = process.env.SGDSCOPE_KERNEL
      process.env.SGDSCOPE_KERNEL = 'ts'
      try {
        const ts = fusedThroughput({ ...base, batch, clock: 'cpu' })
        if (ts.kernel === 'ts')
          fusedRows.push({
            engine: 'fused',
            backend: 'ts kernel',
            program: 'sparse',
            nets: 1,
            batch,
            samplesPerSec: ts.samplesPerSec,
            perNet: ts.perNet,
            vsFused: ts.samplesPerSec / t.samplesPerSec,
          })
      } finally {
        if (saved === undefined) delete process.env.SGDSCOPE_KERNEL
        else process.env.SGDSCOPE_KERNEL = saved
      }
    }
  }
  rows.push(...fusedRows)

  const notes: string[] = []
  for (const name of opts.backends ?? TFJS_BACKENDS) {
    let reason: string
    try {
      reason = (await selectBackend({ backend: name, onLog: () => {} })).reason
    } catch (e) {
      notes.push(`tfjs/${name}: not measured — ${(e as Error).message}`)
      continue
    }
    notes.push(`tfjs/${name}: ${reason}`)
    // On wasm both programs, to show why per-net is its default there.
    const strategies: MatmulStrategy[] = name === 'wasm' ? ['per-net', 'batched'] : [defaultStrategy(name)]
    for (const strategy of strategies) {
      for (const batch of batches) {
        const t = tfjsThroughput({
          ...base,
          batch,
          nets,
          strategy,
          clock: name === 'tensorflow' ? 'wall' : 'cpu',
          minSteps: 2,
        })
        rows.push({
          engine: 'tfjs',
          backend: name,
          program: strategy,
          nets,
          batch,
          samplesPerSec: t.samplesPerSec,
          perNet: t.perNet,
          vsFused: t.samplesPerSec / fused.get(batch)!,
        })
      }
    }
  }

  const head = ['engine', 'backend', 'program', 'nets', 'batch', 'samples/s (all nets)', 'per network', '× fused']
  const body = rows.map((r) => [
    r.engine,
    r.backend,
    r.program,
    String(r.nets),
    String(r.batch),
    fmt(r.samplesPerSec),
    fmt(r.perNet),
    `${r.vsFused.toFixed(2)}×`,
  ])
  const width = head.map((h, j) => Math.max(h.length, ...body.map((b) => b[j]!.length)))
  const line = (cells: string[]) =>
    `| ${cells.map((c, j) => (j >= 3 ? c.padStart(width[j]!) : c.padEnd(width[j]!))).join(' | ')} |`
  print('')
  print(line(head))
  print(`|${width.map((w, j) => (j >= 3 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`)
  for (const b of body) print(line(b))
  print('')
  print(
    `samples/s: SGD samples per second of one thread (CPU time), all networks of the row together; × fused: that against the fused row of the same batch size.`,
  )
  print(
    `fused trains one network per worker thread; tfjs ${nets} networks as one program, also single-threaded on wasm and cpu (one group per worker);`,
  )
  print(
    `so with W worker threads both scale about ×W (here ${os.cpus().length} cores). Native TensorFlow (wall time) runs its own threads in one worker.`,
  )
  for (const n of notes) print(n)
  return rows
}

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const arg = (name: string): string | undefined => {
    const i = args.indexOf(`--${name}`)
    return i >= 0 ? args[i + 1] : undefined
  }
  await benchEngines({
    seconds: arg('seconds') !== undefined ? Number(arg('seconds')) : undefined,
    nets: arg('nets') !== undefined ? Number(arg('nets')) : undefined,
    batches: arg('batches')?.split(',').map(Number),
  })
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err)
    process.exit(1)
  })
}
