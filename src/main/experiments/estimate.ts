/**
 * What a spec will cost before it is started: time (from this machine's measured speed
 * of the engine), disk (the archive's arrays are stored uncompressed, so their sizes are
 * exact) and memory. Shown by the new-run form and printed by `sgdscope run`.
 *
 * Time = training FLOPs per sample × samples × networks / threads + evaluation FLOPs at
 * every snapshot (train subset + the test set, whose first P images are the probe), each
 * divided by the FLOP rate measured on the kernel that will train the network
 * (`measureEngineSpeed`, a fraction of a second, in the job pool): a 784-100-10 network
 * for one hidden layer, a 784-100-100-10 one for deeper networks (they train on another
 * kernel, engine/wasm/index.ts `createMlp`). `sampleFlops` counts every layer's work: the
 * sparse first layer on the non-zero inputs only, each dense layer's product forward and
 * its two products backward, and the update.
 */
import type { SpecEstimate } from '../../shared/api/contract'
import type { ExperimentSpec, MlpSpec, StochasticSpec } from '../../shared/spec'
import { paramCount } from '../engine/mlp'
import { toSparse } from '../engine/sparse'
import { Rng } from '../engine/rng'
import { NetTrainer, stateSize, type TrainData } from '../engine/train'
import { fusedThroughput } from '../engine/tfjs/choose-engine'
import { checkDatasetFiles, type DatasetShape } from '../datasets/check'
import type { InputIssue } from '../../shared/api/errors'
import { mlpSchedule, weightSnapshots } from './schedule'
import { StochasticModel, stochasticSchedule } from './stochastic'
import { DatasetSpec, checkSpec, hiddenWidths, parseSpec } from '../../shared/spec'

/** Measured speed of one thread. */
export interface EngineSpeed {
  /** Training samples per second of a 784-100-10 network, batch 1 (the fused engine). */
  trainPerSec: number
  /** Samples evaluated (forward only) per second, same network. */
  evalPerSec: number
  /** Steps of the stochastic model per second (D = 1000). */
  stochasticStepsPerSec: number
  /** The kernel measured ("wasm", "ts"). */
  kernel: string
  /** The same for networks of 2–4 hidden layers, measured on 784-100-100-10 (absent in
   * older measurements: then the one-layer kernel's FLOP rate stands in). */
  deep?: { trainPerSec: number; evalPerSec: number; kernel: string }
}

/** Mean non-zero pixels of an image: MNIST's, measured; other data assumed half dense. */
const MNIST_NONZEROS = 150
const REF = { inputs: 784, hidden: 100, classes: 10, nonZeros: MNIST_NONZEROS }
/** The deep kernel's reference network: two hidden layers of 100. */
const REF_DEEP = [100, 100]

/** What a sample costs in floating-point operations (a multiply-add is 2). */
export interface SampleFlops {
  /** Forward pass: what an evaluation costs. */
  forward: number
  /** Forward, backward and this sample's share of the update (the update is once per batch). */
  train: number
}

/**
 * FLOPs of one sample of a network with hidden `widths` on inputs with `nonZeros` non-zero
 * values: forward 2·H₁·nz (the sparse first layer) + Σ 2·H_(l−1)·H_l over the dense layers
 * (the output layer included); backward 2·H₁·nz (the first layer's weight gradient; no
 * gradient to the inputs) + Σ 4·H_(l−1)·H_l (each dense layer's weight gradient and the
 * gradient to the layer below); the update per batch: plain SGD 2 per changed parameter
 * (the first layer's rows of the batch's non-zero inputs, every other parameter), with
 * momentum, weight decay or Nesterov every parameter, 2 more for each of them.
 */
export function sampleFlops(
  s: { inputs: number; widths: readonly number[]; outputs: number; nonZeros: number },
  o: { batch: number; momentum: number; weightDecay: number; nesterov: boolean },
): SampleFlops {
  const H1 = s.widths[0]!
  const layers = [...s.widths, s.outputs]
  let dense = 0 // multiply-adds of the dense layers
  let biases = H1
  for (let l = 1; l < layers.length; l++) {
    dense += layers[l - 1]! * layers[l]!
    biases += layers[l]!
  }
  const first = H1 * s.nonZeros
  const forward = 2 * first + 2 * dense
  const backward = 2 * first + 4 * dense
  const params = s.inputs * H1 + dense + biases
  const general = o.momentum > 0 || o.weightDecay > 0 || o.nesterov
  const perParam = 2 + (o.momentum > 0 ? 2 : 0) + (o.weightDecay > 0 ? 2 : 0) + (o.nesterov ? 2 : 0)
  const update = general ? perParam * params : 2 * (Math.min(s.inputs, o.batch * s.nonZeros) * H1 + dense + biases)
  return { forward, train: forward + backward + update / o.batch }
}

const PAPER_STEP = { batch: 1, momentum: 0, weightDecay: 0, nesterov: false }
const refFlops = (widths: readonly number[]) =>
  sampleFlops({ inputs: REF.inputs, widths, outputs: REF.classes, nonZeros: REF.nonZeros }, PAPER_STEP)

/** Images with MNIST's density: ~150 non-zeros of 784 in the central 22×22 pixels. */
function syntheticData(count: number): TrainData {
  const rng = new Rng(7)
  const dim = 784
  const pixels = new Float32Array(count * dim)
  const labels = new Uint8Array(count)
  for (let i = 0; i < count; i++) {
    labels[i] = rng.int(10)
    for (let e = 0; e < REF.nonZeros; e++) pixels[i * dim + (3 + rng.int(22)) * 28 + 3 + rng.int(22)] = rng.next()
  }
  const images = toSparse(pixels, count, dim, false)
  return { train: images, trainLabels: labels, test: images, testLabels: labels, classes: 10 }
}

/** Times the engine for about `seconds` (CPU time of this thread, robust to other load). */
export function measureEngineSpeed(seconds = 0.25): EngineSpeed {
  const data = syntheticData(2048)
  const shape = { inputs: REF.inputs, hidden: REF.hidden, outputs: REF.classes }
  const t = fusedThroughput({ data, shape, loss: 'mse', batch: 1, lr: 0.1, seconds })
  const spec = parseSpec({ hidden: REF.hidden, seed: 1, probe: 1, trainSubset: 1 }) as MlpSpec
  const trainer = new NetTrainer(spec, data, 0)
  const cpu = () => {
    const c = process.cpuUsage()
    return (c.user + c.system) / 1e6
  }
  trainer.mlp.evaluate(data.test, data.testLabels, 0, data.test.count)
  let evaluated = 0
  const t0 = cpu()
  while (evaluated < 3 * data.test.count || cpu() - t0 < seconds / 2) {
    trainer.mlp.evaluate(data.test, data.testLabels, 0, data.test.count)
    evaluated += data.test.count
  }
  const evalPerSec = evaluated / Math.max(1e-6, cpu() - t0)
  const model = new StochasticModel(parseSpec({ kind: 'stochastic', dim: 1000 }) as StochasticSpec, 0)
  let steps = 0
  const s0 = cpu()
  while (steps < 200_000 || cpu() - s0 < seconds / 4) {
    model.step(50_000)
    steps += 50_000
  }
  const stochasticStepsPerSec = steps / Math.max(1e-6, cpu() - s0)
  return {
    trainPerSec: t.samplesPerSec,
    evalPerSec,
    stochasticStepsPerSec,
    kernel: t.kernel,
    deep: measureDeep(data, seconds),
  }
}

/** The deep kernel's speed on REF_DEEP, through the trainer the engine uses (so whichever kernel trains deep networks). */
function measureDeep(data: TrainData, seconds: number): NonNullable<EngineSpeed['deep']> {
  const cpu = () => {
    const c = process.cpuUsage()
    return (c.user + c.system) / 1e6
  }
  const spec = parseSpec({ hidden: REF_DEEP, seed: 1, probe: 1, trainSubset: 1, lr: 0.1 }) as MlpSpec
  const trainer = new NetTrainer(spec, data, 0)
  const kernel = (trainer.mlp as { kernel?: string }).kernel ?? 'ts'
  const chunk = 256
  trainer.advance(0, chunk)
  let trained = 0
  const t0 = cpu()
  while (trained < 4 * chunk || cpu() - t0 < seconds / 4) {
    trainer.advance(trained, trained + chunk)
    trained += chunk
  }
  const trainPerSec = trained / Math.max(1e-6, cpu() - t0)
  let evaluated = 0
  const e0 = cpu()
  while (evaluated < 4 * chunk || cpu() - e0 < seconds / 8) {
    trainer.mlp.evaluate(data.test, data.testLabels, 0, chunk)
    evaluated += chunk
  }
  return { trainPerSec, evalPerSec: evaluated / Math.max(1e-6, cpu() - e0), kernel }
}

const MB = 1e6

/** Shown above these, the form and the CLI ask before starting. */
export const CONFIRM_ABOVE = { seconds: 3600, bytes: 5e9 } as const

/**
 * The estimate for `spec` on `data`, with `workers` training threads and the measured
 * `speed`. Pure: the tests check it against hand-computed sizes.
 */
export function estimateSpec(
  spec: ExperimentSpec,
  data: DatasetShape | null,
  speed: EngineSpeed,
  workers: number,
): SpecEstimate {
  return spec.kind === 'mlp' ? estimateMlp(spec, data!, speed, workers) : estimateStochastic(spec, speed)
}

function verdict(e: Omit<SpecEstimate, 'confirm'>): SpecEstimate {
  const why: string[] = []
  if (e.seconds > CONFIRM_ABOVE.seconds) why.push('more than an hour of training')
  if (e.disk.total > CONFIRM_ABOVE.bytes) why.push('more than 5 GB on disk')
  return { ...e, confirm: why.length ? why.join(' and ') : null }
}

function estimateMlp(spec: MlpSpec, d: DatasetShape, speed: EngineSpeed, workers: number): SpecEstimate {
  const { samples, epochs } = mlpSchedule(spec, d.trainCount)
  const S = samples.length
  const N = spec.nets
  const P = Math.min(spec.probe, d.testCount)
  const C = d.classes
  const [H1, ...deeper] = hiddenWidths(spec)
  const shape = { inputs: d.inputs, hidden: H1!, outputs: C, deeper }
  const params = paramCount(shape)
  const nonZeros = d.inputs === REF.inputs && d.classes === 10 ? REF.nonZeros : d.inputs / 2
  const flops = sampleFlops({ inputs: d.inputs, widths: [H1!, ...deeper], outputs: C, nonZeros }, spec)
  // The kernel that trains this network, and its FLOP rates measured on its reference network.
  const deep = deeper.length > 0
  const measured = deep && speed.deep ? speed.deep : speed
  const ref = refFlops(deep && speed.deep ? REF_DEEP : [REF.hidden])
  const trainRate = measured.trainPerSec * ref.train
  const evalRate = measured.evalPerSec * ref.forward
  const evalSamples = Math.min(spec.trainSubset, d.trainCount) + d.testCount
  const perNet = (samples[S - 1]! * flops.train) / trainRate + (S * evalSamples * flops.forward) / evalRate
  const threads = Math.max(1, Math.min(workers, N))
  // Whole networks per thread: the busiest thread trains ⌈N / threads⌉ of them.
  const seconds = perNet * Math.ceil(N / threads)
  const K = weightSnapshots(spec.keepWeights, epochs).length
  const f32 = 4
  const disk = {
    tau: N * S * P * C * f32,
    weights: N * K * params * f32,
    // Each network's latest resume state (parameters, and momentum's velocity).
    state: N * (1 + stateSize(spec, shape)) * f32,
    // Metrics (4 float32) and done flags per (net, snapshot).
    other: N * S * (4 * f32 + 1),
    total: 0,
  }
  disk.total = disk.tau + disk.weights + disk.state + disk.other
  // Training: the sparse dataset once (shared by the threads; values + indices) and, per
  // thread, a network's state and its outputs on the test set. Analysis: the τ distance
  // matrix between all N·S points (float64), which an embedding of all paths builds.
  const dataBytes = (d.trainCount + d.testCount) * nonZeros * 8
  const memory = {
    training: dataBytes + threads * (stateSize(spec, shape) * 2 * f32 + d.testCount * C * f32),
    analysis: (N * S) ** 2 * 8,
  }
  return verdict({
    seconds,
    disk,
    memory,
    snapshots: S,
    weightSnapshots: K,
    samplesPerNet: samples[S - 1]!,
    threads,
    basis: `${Math.round(measured.trainPerSec).toLocaleString('en-US')} samples/s per thread measured here (${deep && speed.deep ? `784-${REF_DEEP.join('-')}-10` : '784-100-10'}, ${measured.kernel} kernel), scaled by FLOPs to this network (${formatFlops(flops.train)} per training sample)`,
    dataset: d,
  })
}

function estimateStochastic(spec: StochasticSpec, speed: EngineSpeed): SpecEstimate {
  const { samples } = stochasticSchedule(spec)
  const S = samples.length
  const N = spec.nets
  // A step is one multiply; a record reads all D coordinates (its norm and τ).
  const seconds = N * (spec.steps / speed.stochasticStepsPerSec + (S * spec.dim) / (speed.stochasticStepsPerSec * 4))
  const disk = { tau: N * S * spec.dim * 4, weights: 0, state: N * 4, other: N * S * (4 + 1), total: 0 }
  disk.total = disk.tau + disk.weights + disk.state + disk.other
  return verdict({
    seconds,
    disk,
    memory: { training: N * spec.dim * 8 * 2, analysis: (N * S) ** 2 * 8 },
    snapshots: S,
    weightSnapshots: 0,
    samplesPerNet: spec.steps,
    threads: 1,
    basis: `${Math.round(speed.stochasticStepsPerSec / MB)} million steps/s measured here`,
    dataset: null,
  })
}

/**
 * What Start would find wrong with `input` (the spec's problems, then its dataset files
 * on this host) and, when nothing is, its estimate. `speed` is asked only then.
 */
export async function preflightSpec(
  input: unknown,
  workers: number,
  speed: () => Promise<EngineSpeed>,
): Promise<{ problems: InputIssue[]; estimate: SpecEstimate | null; spec?: ExperimentSpec }> {
  const r = checkSpec(input)
  if (!r.ok) {
    // Files are worth checking even while other fields are wrong (each shows by its field).
    const raw = (input as { dataset?: unknown } | null)?.dataset
    const d = DatasetSpec.safeParse(raw ?? {})
    const files =
      d.success && (input as { kind?: unknown }).kind !== 'stochastic' ? checkDatasetFiles(d.data).issues : []
    const taken = new Set(r.issues.map((i) => i.path))
    return { problems: [...r.issues, ...files.filter((f) => !taken.has(f.path))], estimate: null }
  }
  const spec = r.spec
  let shape: DatasetShape | null = null
  if (spec.kind === 'mlp') {
    const c = checkDatasetFiles(spec.dataset)
    if (c.issues.length) return { problems: c.issues, estimate: null, spec }
    shape = c.shape!
  }
  return { problems: [], estimate: estimateSpec(spec, shape, await speed(), workers), spec }
}

/** FLOPs as people read them: 1.2 MFLOP, 340 kFLOP. */
function formatFlops(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GFLOP`
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MFLOP`
  return `${Math.round(n / 1e3)} kFLOP`
}

/** A byte count as people read it: 1.2 GB, 340 MB, 12 kB. */
export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(n >= 1e10 ? 0 : 1)} GB`
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)} MB`
  if (n >= 1e3) return `${Math.round(n / 1e3)} kB`
  return `${n} B`
}
