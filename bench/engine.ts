/**
 * Speed of the fused engine: 784-100-10, batch 1, one network on one core.
 *
 *   npx tsx bench/engine.ts [samples]   synthetic 784-pixel images, ~19 % non-zero
 *
 * `benchFused` is also called from bench/index.ts with the real (deskewed) MNIST.
 */
import { pathToFileURL } from 'node:url'
import { FusedMlp, initParams, type Init, type Loss } from '../src/main/engine/mlp'
import { epochOrder, initRng, Rng } from '../src/main/engine/rng'
import { meanNonZeros, toSparse, type SparseImages } from '../src/main/engine/sparse'

export interface BenchFusedOptions {
  images: SparseImages
  labels: Uint8Array
  /** timed samples (default 60 000, i.e. one MNIST epoch) */
  samples?: number
  /** untimed samples first, so the JIT has optimised the kernels (default 5 000) */
  warmup?: number
  hidden?: number
  outputs?: number
  /** minibatch size (default 1) */
  batch?: number
  lr?: number
  loss?: Loss
  init?: Init
  momentum?: number
  seed?: number
  /**
   * 'wall' (default): elapsed time. 'cpu': this process's user+system CPU time, which
   * is robust against other processes competing for the cores (the benchmark is
   * single-threaded, so on an idle machine the two agree).
   */
  clock?: 'wall' | 'cpu'
}

/** Samples per second of SGD (batch 1 unless `batch` says otherwise) with the fused engine:
 * one network, this thread. */
export async function benchFused(opts: BenchFusedOptions): Promise<number> {
  const { images, labels } = opts
  const samples = opts.samples ?? 60_000
  const warmup = opts.warmup ?? 5_000
  const seed = opts.seed ?? 1
  const shape = { inputs: images.dim, hidden: opts.hidden ?? 100, outputs: opts.outputs ?? 10 }
  const net = new FusedMlp(
    shape,
    opts.loss ?? 'mse',
    initParams(shape, opts.init ?? 'torch7', 1, initRng(seed, 0)),
    opts.momentum ?? 0,
  )
  const lr = opts.lr ?? 1
  const batch = opts.batch ?? 1
  if (!(Number.isInteger(batch) && batch >= 1 && batch <= images.count))
    throw new RangeError(`benchFused: bad batch ${batch}`)
  const idx = new Uint32Array(batch)
  let epoch = 0
  let order = epochOrder(images.count, seed, 0, epoch)
  let pos = 0
  /** Trains on at least n samples (whole batches); returns the mean batch loss. */
  const run = (n: number): number => {
    let loss = 0
    let steps = 0
    for (let s = 0; s < n; s += batch, steps++) {
      for (let r = 0; r < batch; r++) {
        if (pos === order.length) {
          order = epochOrder(images.count, seed, 0, ++epoch)
          pos = 0
        }
        idx[r] = order[pos++]!
      }
      loss += net.step(images, labels, idx, lr)
    }
    return loss / steps
  }
  run(warmup)
  const cpu = opts.clock === 'cpu'
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const loss = run(samples)
  const c1 = process.cpuUsage(c0)
  const seconds = cpu ? (c1.user + c1.system) / 1e6 : (performance.now() - t0) / 1000
  if (!Number.isFinite(loss)) throw new Error(`benchFused: loss became ${loss}`)
  return (Math.ceil(samples / batch) * batch) / seconds
}

/**
 * Synthetic digit-like data: 10 classes, each a random blob template in the central
 * 22×22 pixels; an image keeps ~75 % of its class's template pixels and adds ~30 random
 * ones, with MNIST-like intensities (about half saturated). ~150 non-zeros of 784.
 */
export function syntheticImages(count: number, seed = 7): { images: SparseImages; labels: Uint8Array } {
  const rng = new Rng(seed)
  const side = 28
  const dim = side * side
  const templates: number[][] = []
  for (let c = 0; c < 10; c++) {
    const t: number[] = []
    for (let r = 3; r < 25; r++) for (let col = 3; col < 25; col++) if (rng.next() < 0.36) t.push(r * side + col)
    templates.push(t)
  }
  const pixels = new Float32Array(count * dim)
  const labels = new Uint8Array(count)
  for (let i = 0; i < count; i++) {
    const c = rng.int(10)
    labels[i] = c
    const base = i * dim
    const put = (p: number): void => {
      pixels[base + p] = rng.next() < 0.5 ? 1 : Math.fround(rng.uniform(0.05, 1))
    }
    for (const p of templates[c]!) if (rng.next() < 0.75) put(p)
    for (let e = 0; e < 30; e++) put((3 + rng.int(22)) * side + 3 + rng.int(22))
  }
  return { images: toSparse(pixels, count, dim, false), labels }
}

async function main(): Promise<void> {
  const samples = Number(process.argv[2] ?? 100_000)
  const { images, labels } = syntheticImages(20_000)
  console.log(
    `synthetic: ${images.count} images, ${meanNonZeros(images).toFixed(1)} non-zeros/image (${((100 * meanNonZeros(images)) / images.dim).toFixed(1)} %)`,
  )
  const line = async (label: string, opts: Omit<BenchFusedOptions, 'images' | 'labels' | 'clock'>): Promise<void> => {
    const wall = await benchFused({ images, labels, ...opts, clock: 'wall' })
    const cpu = await benchFused({ images, labels, ...opts, clock: 'cpu' })
    const f = (rate: number): string => `${(1e6 / rate).toFixed(2)} µs/sample, ${Math.round(rate)} samples/s`
    console.log(`${label}: ${f(wall)} (wall clock) | ${f(cpu)} (CPU time)`)
  }
  for (const loss of ['mse', 'cross-entropy'] as const)
    await line(`fused 784-100-10 batch 1 ${loss}`, { samples, loss })
  await line('fused 784-100-10 batch 100 mse', { samples, loss: 'mse', batch: 100, lr: 10 })
  await line('fused 784-100-10 batch 1 mse, momentum 0.9 (dense update)', {
    samples: samples / 10,
    loss: 'mse',
    momentum: 0.9,
    lr: 0.1,
  })
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err)
    process.exit(1)
  })
}
