/**
 * M-PHATE of hidden units (issue 22 item 5; Gigante et al., NeurIPS 2019): for a run whose
 * networks' weights are kept at several snapshots, each hidden unit's activations on a trace set
 * (the first `perClass` = 10 probe items of each class) at each kept snapshot are the multislice
 * tensor (snapshots × units × trace items), embedded by analysis/mphate.ts.
 *
 * Two networks are compared side by side: each is embedded alone (as M-PHATE embeds one network),
 * the second's units are relabelled onto the first's by weight matching (assignment.ts, the
 * alignment barriers use) at the last snapshot both kept, and its picture is rotated, reflected
 * and scaled onto the first's by Procrustes through the matched (unit, snapshot) pairs, so that a
 * unit and its match sit in corresponding places of the two panels.
 *
 * Networks: the in-app MLPs (1–4 hidden layers, sigmoid, tanh or ReLU; matching needs one hidden
 * layer) and recorded runs whose weights carry an MLP `architecture` and which record
 * `probe_inputs` (docs/run-format.md). The points are bounded (`maxPoints`, default 2000; M-PHATE
 * itself switches to landmarks above 4000): slices are then chosen evenly among the kept
 * snapshots, the first and last included.
 */
import type { Project } from '../../archive/project'
import type { RunArchive } from '../../archive/run'
import { activationOf, paramCount, paramOffsets, type Activation, type MlpShape } from '../../engine/mlp'
import { loadTrainData } from '../../experiments/data'
import { hiddenWidths } from '../../../shared/spec'
import type { MphateData, MphateReport } from '../../../shared/figures/beyond-data'
import { mphate, MPHATE_DEFAULTS, type MphateOptions } from '../mphate'
import { procrustes } from '../procrustes'
import { euclideanDistances } from '../tau-distances'
import { alignHidden } from './assignment'
import { keptSnapshots, runShape, weightsAt } from './barrier'
import { badRequest, conflict } from './errors'

export interface MphateRunOptions extends Pick<
  MphateOptions,
  'intrasliceKnn' | 'intersliceKnn' | 'decay' | 'gamma' | 't' | 'maxIter'
> {
  /** One network, or two to compare (default [0]). */
  nets?: number[]
  /** Trace items per class (default 10, as M-PHATE's examples). */
  perClass?: number
  /** At most this many (unit, snapshot) points per network (default 2000). */
  maxPoints?: number
  cacheDir?: string
  onProgress?: (stage: string, done: number, total: number) => void
  signal?: AbortSignal
}

export const MPHATE_MAX_POINTS = 2000

/** A network as M-PHATE needs it: its shape and hidden activation. */
interface Network {
  shape: MlpShape
  activation: Activation
}

async function network(run: RunArchive): Promise<Network> {
  if (run.isExternal) {
    // runShape checks the recorded architecture (sgdscope runs the MLP family, sigmoid hidden units).
    const { shape } = await runShape(run)
    return { shape, activation: 'sigmoid' }
  }
  const { spec, dataset } = run.attrs
  if (spec.kind !== 'mlp' || !dataset)
    throw conflict(
      `run ${run.id} is the stochastic model: it has no hidden units; M-PHATE needs an MLP run with weights kept at several snapshots`,
      run.id,
    )
  const widths = hiddenWidths(spec)
  const shape: MlpShape = {
    inputs: dataset.rows * dataset.cols,
    hidden: widths[0]!,
    outputs: dataset.classes,
    ...(widths.length > 1 ? { deeper: widths.slice(1) } : {}),
  }
  if (run.attrs.paramCount !== undefined && run.attrs.paramCount !== paramCount(shape))
    throw conflict(
      `run ${run.id} keeps ${run.attrs.paramCount} parameters per network, expected ${paramCount(shape)}`,
      run.id,
    )
  return { shape, activation: spec.activation ?? 'sigmoid' }
}

/**
 * Every hidden unit's activation on each of T inputs (x: T×inputs, row-major), units of all
 * hidden layers in order: a U×T matrix (row u = unit u's T activations), in float64 from the
 * engine's parameter layout (engine/mlp.ts): h₁ = act(a + Aᵀx), h_l = act(c_l + W_l h_(l−1)).
 */
export function hiddenActivations(
  w: ArrayLike<number>,
  shape: MlpShape,
  activation: Activation,
  x: ArrayLike<number>,
  T: number,
): Float64Array {
  const n = paramCount(shape)
  if (w.length !== n) throw new RangeError(`hiddenActivations: expected ${n} parameters, got ${w.length}`)
  const I = shape.inputs
  if (x.length !== T * I) throw new RangeError(`hiddenActivations: expected ${T}×${I} inputs, got ${x.length} values`)
  const off = paramOffsets(shape)
  const H = shape.hidden
  const widths = [H, ...(shape.deeper ?? [])]
  const U = widths.reduce((a, b) => a + b, 0)
  const act = activationOf(activation).f
  const out = new Float64Array(U * T)
  const z = new Float64Array(Math.max(...widths))
  for (let t = 0; t < T; t++) {
    for (let h = 0; h < H; h++) z[h] = w[off.a + h]!
    for (let i = 0; i < I; i++) {
      const xi = x[t * I + i]!
      if (xi === 0) continue
      const o = off.A + i * H
      for (let h = 0; h < H; h++) z[h]! += w[o + h]! * xi
    }
    let prev = new Float64Array(H)
    for (let h = 0; h < H; h++) out[h * T + t] = prev[h] = act(z[h]!)
    let base = H
    for (const L of off.layers) {
      const next = new Float64Array(L.rows)
      for (let r = 0; r < L.rows; r++) {
        let s = w[L.c + r]!
        for (let c = 0; c < L.cols; c++) s += w[L.W + r * L.cols + c]! * prev[c]!
        out[(base + r) * T + t] = next[r] = act(s)
      }
      base += L.rows
      prev = next
    }
  }
  return out
}

interface Trace {
  x: Float32Array
  labels: number[]
  classes: number
  probeIndices: number[]
}

/** The first `perClass` probe items of each class, in probe order. */
export function chooseTrace(labels: ArrayLike<number>, classes: number, perClass: number): number[] {
  const taken = new Array<number>(classes).fill(0)
  const out: number[] = []
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!
    if (y >= 0 && y < classes && taken[y]! < perClass) {
      taken[y]!++
      out.push(i)
    }
  }
  return out
}

async function traceSet(run: RunArchive, shape: MlpShape, perClass: number, cacheDir?: string): Promise<Trace> {
  let pixels: Float32Array
  let labels: ArrayLike<number>
  let classes: number
  const spec = run.attrs.spec
  if (spec.kind === 'external') {
    const inputs = await run.readProbeInputs()
    if (!inputs)
      throw conflict(
        `run ${run.id} records no probe_inputs: M-PHATE runs the networks on the probe set's images; record them ` +
          '(Recorder(..., probe_inputs=X)) beside weights and an "architecture" (docs/run-format.md)',
        run.id,
      )
    const dim = inputs.data.length / inputs.shape[0]!
    if (dim !== shape.inputs)
      throw conflict(
        `run ${run.id}: probe_inputs has ${dim} values per item, its MLP takes ${shape.inputs} inputs`,
        run.id,
      )
    pixels = inputs.data
    labels = (await run.readLabels()) ?? []
    classes = spec.classes ?? 0
  } else if (spec.kind === 'mlp') {
    const { dataset } = await loadTrainData(spec.dataset, cacheDir)
    const P = Math.min(run.attrs.pointShape[0]!, dataset.test.count)
    pixels = dataset.test.pixels.subarray(0, P * shape.inputs)
    labels = dataset.test.labels.subarray(0, P)
    classes = dataset.test.classes
  } else throw conflict(`run ${run.id} has no probe images`, run.id)
  const probeIndices = chooseTrace(labels, classes, perClass)
  if (probeIndices.length < 2)
    throw conflict(
      `run ${run.id}'s probe set has ${probeIndices.length} labelled item(s): M-PHATE's trace set needs at least 2`,
      run.id,
    )
  const x = new Float32Array(probeIndices.length * shape.inputs)
  probeIndices.forEach((i, r) => x.set(pixels.subarray(i * shape.inputs, (i + 1) * shape.inputs), r * shape.inputs))
  return { x, labels: probeIndices.map((i) => labels[i]!), classes, probeIndices }
}

/** `m` of the sorted `kept`, evenly spaced, first and last included. */
export function evenlySpaced<T>(kept: T[], m: number): T[] {
  if (kept.length <= m) return kept.slice()
  if (m === 1) return [kept[kept.length - 1]!]
  const out: T[] = []
  for (let i = 0; i < m; i++) out.push(kept[Math.round((i * (kept.length - 1)) / (m - 1))]!)
  return out
}

function fewSnapshots(run: RunArchive, nets: number[], kept: number): Error {
  const keep = run.attrs.spec.kind === 'mlp' ? JSON.stringify(run.attrs.spec.keepWeights) : null
  const why = kept === 0 ? 'no snapshot' : 'only one snapshot'
  return conflict(
    run.isExternal
      ? `networks ${nets.join(', ')} of run ${run.id} have recorded weights at ${why}: M-PHATE follows hidden units ` +
          'across snapshots and needs weights at several (pass weights= at each snapshot you record)'
      : `networks ${nets.join(', ')} of run ${run.id} have kept weights at ${why} (keepWeights: ${keep}): M-PHATE ` +
          'follows hidden units across snapshots and needs weights at several: start a run with Keep weights set to ' +
          '“every snapshot” or “at chosen epochs…” in New run (CLI: --set keepWeights=\'"all"\')',
    run.id,
  )
}

const round = (e: number) => Number(e.toFixed(e < 1 ? 3 : 2))

export async function mphateRun(project: Project, runId: string, opts: MphateRunOptions = {}): Promise<MphateReport> {
  const t0 = performance.now()
  const run = await project.openRun(runId)
  const N = run.attrs.nets
  const nets = opts.nets ?? [0]
  if (nets.length < 1 || nets.length > 2)
    throw badRequest('nets', `M-PHATE draws one network or compares two, not ${nets.length}`)
  for (const k of nets)
    if (!Number.isInteger(k) || k < 0 || k >= N)
      throw badRequest('nets', `network ${k} is not in this run (it has networks 0–${N - 1})`)
  if (nets.length === 2 && nets[0] === nets[1]) throw badRequest('nets', 'comparing needs two different networks')
  const perClass = opts.perClass ?? 10
  if (!Number.isInteger(perClass) || perClass < 1) throw badRequest('perClass', 'must be a whole number ≥ 1')
  const maxPoints = opts.maxPoints ?? MPHATE_MAX_POINTS
  const { shape, activation } = await network(run)
  const widths = [shape.hidden, ...(shape.deeper ?? [])]
  const U = widths.reduce((a, b) => a + b, 0)
  if (nets.length === 2 && widths.length > 1)
    throw conflict(
      `run ${run.id} has ${widths.length} hidden layers: matching the units of two networks (weight matching) needs ` +
        'one-hidden-layer networks; draw one network at a time',
      run.id,
    )
  const maxSlices = Math.floor(maxPoints / U)
  if (!Number.isInteger(maxPoints) || maxSlices < 2)
    throw badRequest('maxPoints', `${maxPoints} points cannot hold 2 snapshots of ${U} units (at least ${2 * U})`)
  const kept = await keptSnapshots(run, nets)
  if (kept.length < 2) throw fewSnapshots(run, nets, kept.length)
  const snapshots = evenlySpaced(kept, maxSlices)
  const S = snapshots.length
  const trace = await traceSet(run, shape, perClass, opts.cacheDir)
  const T = trace.probeIndices.length
  const { epochs: allEpochs } = await run.readTimes()
  const progress = opts.onProgress ?? (() => undefined)
  const check = () => {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('cancelled')
  }

  // Weight matching at the last common snapshot: b's unit perm[u] is matched to a's unit u.
  let perm: Int32Array | null = null
  if (nets.length === 2) {
    const last = snapshots[S - 1]!
    perm = alignHidden(await weightsAt(run, nets[0]!, last), await weightsAt(run, nets[1]!, last), shape).perm
  }

  const classCount = new Array<number>(trace.classes).fill(0)
  for (const y of trace.labels) classCount[y]!++
  const options = {
    intrasliceKnn: opts.intrasliceKnn ?? MPHATE_DEFAULTS.intrasliceKnn,
    intersliceKnn: opts.intersliceKnn ?? MPHATE_DEFAULTS.intersliceKnn,
    decay: opts.decay ?? MPHATE_DEFAULTS.decay,
    gamma: opts.gamma ?? MPHATE_DEFAULTS.gamma,
  }
  const perNet: MphateReport['perNet'] = []
  const networks: MphateData['networks'] = []
  const coords: Float64Array[] = []
  for (const [which, net] of nets.entries()) {
    // The tensor: slice s, unit u (matched order for the second network), trace item t.
    const X = new Float64Array(S * U * T)
    const topClass: number[] = []
    for (const [s, snap] of snapshots.entries()) {
      check()
      progress(`activations (network ${net})`, s, S)
      const A = hiddenActivations(await weightsAt(run, net, snap), shape, activation, trace.x, T)
      for (let u = 0; u < U; u++) {
        const src = which === 1 && perm ? perm[u]! : u
        X.set(A.subarray(src * T, (src + 1) * T), (s * U + u) * T)
        // The class whose trace items activate the unit most on average.
        const sums = new Array<number>(trace.classes).fill(0)
        for (let t = 0; t < T; t++) sums[trace.labels[t]!]! += A[src * T + t]!
        let best = -1
        let bestMean = -Infinity
        sums.forEach((v, c) => {
          if (classCount[c]! > 0 && v / classCount[c]! > bestMean) {
            bestMean = v / classCount[c]!
            best = c
          }
        })
        topClass.push(best)
      }
    }
    check()
    const r = await mphate(
      X,
      S,
      U,
      T,
      { ...options, t: opts.t, maxIter: opts.maxIter },
      {
        onProgress: (p) => progress(`${p.stage} (network ${net})`, p.done, p.total),
        distances: (V, n) => euclideanDistances(Float32Array.from(V), n, n),
      },
    )
    perNet.push({ net, diffusionTime: r.diffusionTime, intersliceBandwidth: r.intersliceBandwidth, stress: r.stress })
    coords.push(r.coords)
    networks.push({ label: `network ${net}`, x: [], y: [], topClass })
  }
  let matching: MphateReport['matching']
  if (perm && coords.length === 2) {
    const fit = procrustes(coords[0]!, coords[1]!, S * U)
    coords[1] = fit.coords
    let moved = 0
    perm.forEach((g, h) => (moved += g !== h ? 1 : 0))
    matching = {
      permutation: Array.from(perm),
      moved,
      alignedAt: snapshots[S - 1]!,
      procrustesResidual: fit.residual,
    }
  }
  coords.forEach((c, k) => {
    for (let i = 0; i < S * U; i++) {
      networks[k]!.x.push(c[2 * i]!)
      networks[k]!.y.push(c[2 * i + 1]!)
    }
  })
  const epochs = snapshots.map((j) => allEpochs[j]!)
  const layers: number[] = []
  widths.forEach((w, l) => {
    for (let u = 0; u < w; u++) layers.push(l + 1)
  })
  const names = nets.length === 2 ? `networks ${nets[0]} and ${nets[1]} (units matched)` : `network ${nets[0]}`
  return {
    runId,
    nets,
    snapshots,
    epochs,
    kept: kept.length,
    units: U,
    layers: widths,
    activation,
    trace: { count: T, perClass, classes: trace.classes, probeIndices: trace.probeIndices },
    options,
    perNet,
    ...(matching ? { matching } : {}),
    seconds: (performance.now() - t0) / 1000,
    figure: {
      title: `M-PHATE of ${U} hidden units, ${names}, epochs ${round(epochs[0]!)}–${round(epochs[S - 1]!)}`,
      epochs,
      layers,
      classes: Array.from({ length: trace.classes }, (_, c) => String(c)),
      networks,
    },
  }
}
