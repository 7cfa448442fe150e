/**
 * Barriers between networks: loss and error along the straight line
 * θ(α) = (1−α)·θ_a + α·θ_b between two networks' kept weights (linear mode
 * connectivity, Frankle et al. 2020), before and after aligning b's hidden units to a's
 * by weight matching (assignment.ts). The barrier of a curve v(α) is
 *
 *   max_α  v(α) − ((1−α)·v(0) + α·v(1)),
 *
 * the largest excess over the chord between the endpoints (≥ 0; zero for a path that
 * never rises above it). A barrier near zero after alignment means the two networks lie
 * in one basin up to a relabelling of hidden units.
 *
 * Networks are evaluated with the engine's kernel (createMlp: the WebAssembly SIMD
 * kernel where available, else FusedMlp, the TypeScript reference; they agree to
 * float32 round-off) through MlpKernel.evaluate, on the first `count` images of the
 * test set (default: all of it) or of the training set.
 */
import type { Project } from '../../archive/project'
import type { RunArchive } from '../../archive/run'
import { paramCount, type Loss, type MlpShape } from '../../engine/mlp'
import { hiddenWidths } from '../../../shared/spec'
import { createMlp } from '../../engine/wasm'
import { toSparse, type SparseImages } from '../../engine/sparse'
import { loadTrainData } from '../../experiments/data'
import type { BarrierData, BarrierReport, BarrierSide, BarrierSummaryReport } from '../../../shared/figures/beyond-data'
import { alignHidden, weightDistance } from './assignment'
import { linspace, summarise } from './stats'
import { badRequest, conflict } from './errors'

export interface EvalSet {
  set: 'test' | 'train'
  images: SparseImages
  labels: Uint8Array
  /** The first `count` images are used. */
  count: number
}

/** θ(α) = (1−α)·wa + α·wb (float64 arithmetic, stored as float32 like every parameter). */
export function interpolate(
  wa: ArrayLike<number>,
  wb: ArrayLike<number>,
  alpha: number,
  out = new Float32Array(wa.length),
): Float32Array {
  if (wa.length !== wb.length) throw new RangeError(`interpolate: lengths differ (${wa.length} vs ${wb.length})`)
  for (let i = 0; i < wa.length; i++) out[i] = (1 - alpha) * wa[i] + alpha * wb[i]
  return out
}

/** Mean loss and error (fraction) of the network θ(α) at each α. */
export function lossAlongLine(
  wa: ArrayLike<number>,
  wb: ArrayLike<number>,
  shape: MlpShape,
  loss: Loss,
  data: EvalSet,
  alphas: number[],
): { loss: number[]; error: number[] } {
  const n = paramCount(shape)
  if (wa.length !== n || wb.length !== n) throw new RangeError(`lossAlongLine: expected ${n} parameters per network`)
  const count = Math.min(data.count, data.images.count)
  if (!(count > 0)) throw new RangeError('lossAlongLine: nothing to evaluate on')
  const params = new Float32Array(n)
  const out = { loss: [] as number[], error: [] as number[] }
  for (const alpha of alphas) {
    const net = createMlp(shape, loss, interpolate(wa, wb, alpha, params))
    try {
      const r = net.evaluate(data.images, data.labels, 0, count)
      out.loss.push(r.loss)
      out.error.push(r.errors / count)
    } finally {
      ;(net as { dispose?: () => void }).dispose?.()
    }
  }
  return out
}

/** max over α of v(α) − the chord between the endpoints, and where it is attained. */
export function barrierHeight(values: number[], alphas: number[]): { height: number; at: number } {
  if (values.length !== alphas.length || values.length < 2)
    throw new RangeError('barrierHeight: need matching values and alphas, at least 2')
  const [a0, a1] = [alphas[0], alphas[alphas.length - 1]]
  const [v0, v1] = [values[0], values[values.length - 1]]
  let height = -Infinity
  let at = a0
  values.forEach((v, i) => {
    const t = a1 > a0 ? (alphas[i] - a0) / (a1 - a0) : 0
    const excess = v - ((1 - t) * v0 + t * v1)
    if (excess > height) {
      height = excess
      at = alphas[i]
    }
  })
  return { height: Math.max(0, height), at }
}

function side(curve: { loss: number[]; error: number[] }, alphas: number[]): BarrierSide {
  const l = barrierHeight(curve.loss, alphas)
  const e = barrierHeight(curve.error, alphas)
  return { ...curve, barrierLoss: l.height, barrierError: e.height, argmaxLoss: l.at, argmaxError: e.at }
}

/** The barrier of one pair of parameter vectors, before and after alignment (pure). */
export function pairBarrier(
  wa: ArrayLike<number>,
  wb: ArrayLike<number>,
  shape: MlpShape,
  loss: Loss,
  data: EvalSet,
  alphas: number[],
) {
  const { perm, aligned } = alignHidden(wa, wb, shape)
  const before = side(lossAlongLine(wa, wb, shape, loss, data, alphas), alphas)
  const after = side(lossAlongLine(wa, aligned, shape, loss, data, alphas), alphas)
  let moved = 0
  perm.forEach((g, h) => (moved += g !== h ? 1 : 0))
  return {
    before,
    after,
    perm,
    moved,
    weightDistance: { before: weightDistance(wa, wb), after: weightDistance(wa, aligned) },
  }
}

/** Why an analysis that runs the model cannot run on a recorded run. */
function needsModel(run: RunArchive, missing: string): Error {
  return conflict(
    `run ${run.id} was recorded outside sgdscope and ${missing}; barriers, weight matching and weight vs function need ` +
      'recorded weights of the MLP family (the weights array with an "architecture" attribute {"kind": "mlp", "inputs", ' +
      '"hidden", "outputs", "activation": "sigmoid", "output": "sigmoid" | "softmax"}, see docs/run-format.md), ' +
      'and barriers also need probe_inputs to evaluate the networks on the probe set',
    run.id,
  )
}

/** The MLP architecture recorded with an external run's weights, checked. */
async function externalShape(run: RunArchive): Promise<{ shape: MlpShape; loss: Loss }> {
  const attrs = await run.weightsAttributes()
  if (!attrs) throw needsModel(run, 'records no weights')
  const a = attrs.architecture as Record<string, unknown> | undefined
  if (!a) throw needsModel(run, 'its weights have no "architecture" attribute')
  const ints = ['inputs', 'hidden', 'outputs'].every((k) => Number.isInteger(a[k]) && (a[k] as number) > 0)
  if (a.kind !== 'mlp' || !ints || a.activation !== 'sigmoid' || (a.output !== 'sigmoid' && a.output !== 'softmax'))
    throw needsModel(run, `its weights' architecture ${JSON.stringify(a)} is not one sgdscope can run`)
  const shape = { inputs: a.inputs as number, hidden: a.hidden as number, outputs: a.outputs as number }
  if (run.attrs.paramCount !== paramCount(shape))
    throw conflict(
      `run ${run.id} records ${run.attrs.paramCount} parameters per network, its architecture has ${paramCount(shape)}`,
      run.id,
    )
  if (shape.outputs > 255)
    throw conflict(
      `run ${run.id}'s MLP has ${shape.outputs} outputs; the engine's kernels evaluate at most 255 classes`,
      run.id,
    )
  return { shape, loss: a.output === 'softmax' ? 'cross-entropy' : 'mse' }
}

/** The network shape of an MLP run (or of a recorded run's MLP), checked against its kept weights. */
export async function runShape(run: RunArchive): Promise<{ shape: MlpShape; loss: Loss }> {
  if (run.isExternal) return externalShape(run)
  const { spec, dataset, paramCount: kept } = run.attrs
  if (spec.kind !== 'mlp' || !dataset)
    throw conflict(`run ${run.id} is not an MLP run; barriers need network weights`, run.id)
  if (typeof spec.hidden !== 'number' && spec.hidden.length > 1)
    throw conflict(
      `run ${run.id} has ${spec.hidden.length} hidden layers; barriers and unit matching need one-hidden-layer networks`,
      run.id,
    )
  const shape = { inputs: dataset.rows * dataset.cols, hidden: hiddenWidths(spec)[0]!, outputs: dataset.classes }
  if (kept !== undefined && kept !== paramCount(shape))
    throw conflict(`run ${run.id} keeps ${kept} parameters per network, expected ${paramCount(shape)}`, run.id)
  return { shape, loss: spec.loss }
}

/** Snapshots whose weights are kept and recorded for every one of `nets` (the runner
 * writes a snapshot's weights before it marks the snapshot done). */
export async function keptSnapshots(run: RunArchive, nets: number[]): Promise<number[]> {
  const done = await run.readDone()
  const S = run.attrs.snapshots
  return (await run.weightSnapshotsAvailable(nets)).filter((j) => nets.every((k) => done[k * S + j] === 1))
}

/** A network's kept weights at a snapshot (an error if they are missing). */
export async function weightsAt(run: RunArchive, net: number, snapshot: number): Promise<Float32Array> {
  const w = await run.readWeights(net, snapshot)
  if (!w) throw conflict(`network ${net} of run ${run.id} has no kept weights at snapshot ${snapshot}`, run.id)
  return w
}

export function noWeights(run: RunArchive, nets: number[]): Error {
  if (run.isExternal)
    return needsModel(run, `networks ${nets.join(', ')} have no recorded weights at any snapshot they share`)
  const keep = run.attrs.spec.kind === 'mlp' ? JSON.stringify(run.attrs.spec.keepWeights) : 'none'
  return conflict(
    run.attrs.weightSnapshots?.length
      ? `networks ${nets.join(', ')} of run ${run.id} have no kept weights yet (is the run finished?)`
      : `run ${run.id} keeps no weights (keepWeights: ${keep}): start a run with Keep weights set to “final snapshot only” ` +
          `or “every snapshot” in New run (the form shows what it adds on disk; CLI: --set keepWeights='"final"')`,
    run.id,
  )
}

export async function chooseSnapshot(
  run: RunArchive,
  nets: number[],
  snapshot?: number,
): Promise<{ snapshot: number; kept: number[] }> {
  const kept = await keptSnapshots(run, nets)
  if (kept.length === 0) throw noWeights(run, nets)
  if (snapshot === undefined) return { snapshot: kept[kept.length - 1], kept }
  if (!kept.includes(snapshot))
    throw badRequest(
      'snapshot',
      `snapshot ${snapshot} has no kept weights for networks ${nets.join(', ')} (kept: ${kept.join(', ')})`,
    )
  return { snapshot, kept }
}

export interface BarrierOptions {
  nets: [number, number]
  /** Snapshot index (default: the last with kept weights). */
  snapshot?: number
  /** Values of α, evenly spaced in [0, 1] (default 21). */
  points?: number
  /** Evaluate on the test set (default) or the training set. */
  on?: 'test' | 'train'
  /** The first `count` images (default: the whole test set; the training metrics'
   * subset for the training set). */
  count?: number
  cacheDir?: string
}

/** A recorded run's own probe set: its probe_inputs and the items with known labels. */
async function probeEvalSet(
  run: RunArchive,
  shape: MlpShape,
  on: 'test' | 'train',
  count: number | undefined,
): Promise<EvalSet> {
  if (on === 'train')
    throw badRequest(
      'on',
      `run ${run.id} was recorded outside sgdscope: its networks are evaluated on its probe set only (on: "test")`,
    )
  const inputs = await run.readProbeInputs()
  if (!inputs) throw needsModel(run, 'records no probe_inputs')
  const P = inputs.shape[0]
  const dim = inputs.data.length / P
  if (dim !== shape.inputs)
    throw conflict(
      `run ${run.id}: probe_inputs has shape [${inputs.shape.join(', ')}] (${dim} inputs per item), the MLP ${shape.inputs}`,
      run.id,
    )
  const labels = (await run.readLabels())!
  const keep: number[] = []
  for (let i = 0; i < P; i++) if (labels[i] >= 0) keep.push(i)
  if (keep.length === 0)
    throw conflict(`run ${run.id} records no probe labels (all −1); loss and error need them`, run.id)
  const x = new Float32Array(keep.length * dim)
  keep.forEach((i, r) => x.set(inputs.data.subarray(i * dim, (i + 1) * dim), r * dim))
  const n = Math.min(keep.length, count ?? keep.length)
  if (!(n > 0)) throw badRequest('count', 'must be at least 1')
  return {
    set: 'test',
    images: toSparse(x, keep.length, dim),
    labels: Uint8Array.from(keep, (i) => labels[i]),
    count: n,
  }
}

export async function evalSet(
  run: RunArchive,
  on: 'test' | 'train',
  count: number | undefined,
  cacheDir?: string,
  shape?: MlpShape,
): Promise<EvalSet> {
  if (run.isExternal) return probeEvalSet(run, shape!, on, count)
  const spec = run.attrs.spec
  if (spec.kind !== 'mlp') throw conflict(`run ${run.id} is not an MLP run`, run.id)
  const { data } = await loadTrainData(spec.dataset, cacheDir)
  const images = on === 'train' ? data.train : data.test
  const labels = on === 'train' ? data.trainLabels : data.testLabels
  const n = Math.min(images.count, count ?? (on === 'train' ? spec.trainSubset : images.count))
  if (!(n > 0)) throw badRequest('count', 'must be at least 1')
  return { set: on, images, labels, count: n }
}

const curveLabel = (a: number, b: number) => `${a}–${b}`

function checkPair(run: RunArchive, nets: [number, number]): void {
  const N = run.attrs.nets
  for (const k of nets)
    if (!Number.isInteger(k) || k < 0 || k >= N)
      throw badRequest('nets', `network ${k} is not in this run (it has networks 0–${N - 1})`)
  if (nets[0] === nets[1]) throw badRequest('nets', 'a barrier needs two different networks')
}

/** Loss and error between two networks of a run, before and after alignment. */
export async function barrier(project: Project, runId: string, opts: BarrierOptions): Promise<BarrierReport> {
  const run = await project.openRun(runId)
  checkPair(run, opts.nets)
  const { shape, loss } = await runShape(run)
  const { snapshot, kept } = await chooseSnapshot(run, opts.nets, opts.snapshot)
  const data = await evalSet(run, opts.on ?? 'test', opts.count, opts.cacheDir, shape)
  const alphas = linspace(0, 1, opts.points ?? 21)
  const [i, j] = opts.nets
  const r = pairBarrier(await weightsAt(run, i, snapshot), await weightsAt(run, j, snapshot), shape, loss, data, alphas)
  const { epochs } = await run.readTimes()
  const label = curveLabel(i, j)
  return {
    runId,
    nets: [i, j],
    snapshot,
    epoch: epochs[snapshot],
    kept: kept.map((s) => ({ snapshot: s, epoch: epochs[s] })),
    evaluatedOn: { set: data.set, count: data.count },
    loss,
    alphas,
    before: r.before,
    after: r.after,
    moved: r.moved,
    permutation: Array.from(r.perm),
    weightDistance: r.weightDistance,
    figure: {
      title: `networks ${i} and ${j}, epoch ${round(epochs[snapshot])}`,
      alphas,
      lossName: `${data.set} loss (${loss})`,
      before: [{ label, loss: r.before.loss, error: r.before.error }],
      after: [{ label, loss: r.after.loss, error: r.after.error }],
    },
  }
}

export interface BarrierSummaryOptions {
  /** Networks whose every pair is measured (default: the first 6). */
  nets?: number[]
  snapshot?: number
  /** Values of α (default 11). */
  points?: number
  on?: 'test' | 'train'
  /** Images evaluated (default 2000: every pair costs 2 × points evaluations). */
  count?: number
  cacheDir?: string
  /** Pairs measured so far, after each pair. */
  onProgress?: (done: number, total: number) => void
}

/** Barriers between every pair of a set of networks, summarised. */
export async function barrierSummary(
  project: Project,
  runId: string,
  opts: BarrierSummaryOptions = {},
): Promise<BarrierSummaryReport> {
  const run = await project.openRun(runId)
  const N = run.attrs.nets
  const nets = [...new Set(opts.nets ?? Array.from({ length: Math.min(6, N) }, (_, k) => k))].sort((a, b) => a - b)
  for (const k of nets)
    if (!Number.isInteger(k) || k < 0 || k >= N)
      throw badRequest('nets', `network ${k} is not in this run (it has networks 0–${N - 1})`)
  if (nets.length < 2) throw badRequest('nets', 'a barrier summary needs at least two networks')
  const { shape, loss } = await runShape(run)
  const { snapshot } = await chooseSnapshot(run, nets, opts.snapshot)
  const data = await evalSet(run, opts.on ?? 'test', opts.count ?? 2000, opts.cacheDir, shape)
  const alphas = linspace(0, 1, opts.points ?? 11)
  const weights = new Map<number, Float32Array>()
  for (const k of nets) weights.set(k, await weightsAt(run, k, snapshot))
  const pairs: BarrierSummaryReport['pairs'] = []
  const figure: BarrierData = { alphas, lossName: `${data.set} loss (${loss})`, before: [], after: [] }
  const total = (nets.length * (nets.length - 1)) / 2
  opts.onProgress?.(0, total)
  for (let x = 0; x < nets.length; x++)
    for (let y = x + 1; y < nets.length; y++) {
      const [i, j] = [nets[x], nets[y]]
      const r = pairBarrier(weights.get(i)!, weights.get(j)!, shape, loss, data, alphas)
      pairs.push({
        nets: [i, j],
        before: { loss: r.before.barrierLoss, error: r.before.barrierError },
        after: { loss: r.after.barrierLoss, error: r.after.barrierError },
        moved: r.moved,
      })
      figure.before.push({ label: curveLabel(i, j), loss: r.before.loss, error: r.before.error })
      figure.after.push({ label: curveLabel(i, j), loss: r.after.loss, error: r.after.error })
      opts.onProgress?.(pairs.length, total)
    }
  const stats = (pick: (p: BarrierSummaryReport['pairs'][number]) => number) => {
    const { mean, median, min, max } = summarise(pairs.map(pick))
    return { mean, median, min, max }
  }
  const { epochs } = await run.readTimes()
  figure.title = `${pairs.length} pairs of networks, epoch ${round(epochs[snapshot])}`
  return {
    runId,
    snapshot,
    epoch: epochs[snapshot],
    evaluatedOn: { set: data.set, count: data.count },
    points: alphas.length,
    pairs,
    loss: { before: stats((p) => p.before.loss), after: stats((p) => p.after.loss) },
    error: { before: stats((p) => p.before.error), after: stats((p) => p.after.error) },
    figure,
  }
}

const round = (e: number) => Number(e.toFixed(e < 1 ? 3 : 2))
