/**
 * Subproblem convergence: the paper explains SGD on an MLP as "the
 * simultaneous convergence at different rates of many, largely non-interacting
 * subproblems". Here the subproblems are the classes and the confusion pairs (true →
 * predicted) of each network; their error curves over the snapshots are fitted (power
 * law and exponential, see fit.ts), their rates sorted into a spectrum to set beside
 * the stochastic model's Zipf spectrum, and compared across networks by rank
 * correlation: are the same subproblems slow in every network?
 *
 * Errors come from the probe set's τ recorded at every snapshot (the first P test
 * images, argmax against their labels): the archive has τ only there, and weights only
 * at kept snapshots, so the probe set is the one source available at every snapshot.
 */
import type { Project } from '../../archive/project'
import type { RunArchive } from '../../archive/run'
import { loadTrainData } from '../../experiments/data'
import type { MetricsData } from '../../../shared/figures/data'
import type {
  FitQuality,
  NetFit,
  RankCorrelation,
  SubproblemsReport,
  SubproblemSummary,
} from '../../../shared/figures/beyond-data'
import {
  classCounts,
  confusionCounts,
  predictions,
  subproblemDefs,
  subproblemErrors,
  type SubproblemDef,
} from './confusion'
import { fitCurve, type CurveFit } from './fit'
import { fitLine, median, spearman } from './stats'
import { badRequest, conflict } from './errors'

export type SubproblemKind = 'pairs' | 'classes' | 'all'
export type RateModel = 'exponential' | 'power'

export interface SubproblemsOptions {
  /** Networks to analyse (default all). */
  nets?: number[]
  /** Which fit gives the spectrum's rates (default exponential: 1/τ per epoch). */
  model?: RateModel
  /** Subproblems in the spectrum and the correlation (default pairs). */
  kind?: SubproblemKind
  /** A subproblem is tracked in a network when its error reaches this many probe
   * images at some snapshot (default 3) and this fraction of its class's images
   * (default 0.01); rarer ones are single misclassified images, too few to fit. */
  minImages?: number
  minFraction?: number
  /** Fits with a lower R² stay out of the spectrum and the correlation (default 0). */
  minR2?: number
  /** Fit only snapshots at or after this epoch (default 0). */
  fromEpoch?: number
  /** Include the initial weights (epoch 0) in the fits (default false: a random
   * network sends nearly every image to one class, so at epoch 0 the pairs into that
   * class stand at ~100 % and fall before the first snapshot; that is the random start,
   * not a subproblem converging). */
  includeInitial?: boolean
  /** Zipf exponent s of the toy-model reference (default 1, the paper's Fig 8). */
  zipfS?: number
  /** Rank correlation over pairs among at most this many networks (default 50). */
  correlationNets?: number
  /** Include the per-class error curves (MetricsData). */
  curves?: boolean
  /** Include every network's fits. */
  detail?: boolean
  label?: string
  cacheDir?: string
}

/** What the analysis needs, whatever its source: error curves per network. */
export interface SubproblemInput {
  defs: SubproblemDef[]
  /** Probe images per class. */
  images: ArrayLike<number>
  samples: ArrayLike<number>
  epochs: ArrayLike<number>
  trainCount: number
  /** Per network: errors [subproblem][snapshot] (row-major), NaN where not recorded. */
  nets: { net: number; errors: Float64Array }[]
}

const inKind = (d: SubproblemDef, kind: SubproblemKind) =>
  kind === 'all' || (kind === 'pairs' ? d.kind === 'pair' : d.kind === 'class')

type Reason = 'nofit' | 'notDecaying' | 'tooFast' | 'tooSlow' | 'poorFit' | 'ok'

/** A fit's rate for the spectrum (per epoch for the exponential), or why there is none. */
function rateOf(fit: CurveFit, model: RateModel, minR2: number, trainCount: number): { rate: number; reason: Reason } {
  if (model === 'exponential') {
    const f = fit.exponential
    if (!f) return { rate: NaN, reason: 'nofit' }
    if (!(f.a > 0)) return { rate: NaN, reason: 'notDecaying' }
    if (f.bound) return { rate: NaN, reason: f.bound === 'fast' ? 'tooFast' : 'tooSlow' }
    if (!(f.r2 >= minR2)) return { rate: NaN, reason: 'poorFit' }
    return { rate: f.rate * trainCount, reason: 'ok' }
  }
  const f = fit.power
  if (!f) return { rate: NaN, reason: 'nofit' }
  if (!(f.b > 1e-9)) return { rate: NaN, reason: 'notDecaying' }
  if (!(f.r2 >= minR2)) return { rate: NaN, reason: 'poorFit' }
  return { rate: f.b, reason: 'ok' }
}

function quality(r2: number[]): FitQuality {
  return {
    fitted: r2.length,
    medianR2: median(r2),
    good: r2.length ? r2.filter((v) => v >= 0.9).length / r2.length : NaN,
  }
}

/** Spearman correlation of two networks' rates over the subproblems both have. */
export function rateCorrelation(perNet: Float64Array[], maxNets = 50): RankCorrelation {
  const use = perNet.slice(0, Math.max(0, maxNets))
  const rhos: number[] = []
  let common = 0
  for (let i = 0; i < use.length; i++)
    for (let j = i + 1; j < use.length; j++) {
      const x: number[] = []
      const y: number[] = []
      for (let k = 0; k < use[i].length; k++) {
        if (!Number.isFinite(use[i][k]) || !Number.isFinite(use[j][k])) continue
        x.push(use[i][k])
        y.push(use[j][k])
      }
      if (x.length < 3) continue
      const r = spearman(x, y)
      if (!Number.isFinite(r)) continue
      rhos.push(r)
      common += x.length
    }
  if (rhos.length === 0) return { mean: NaN, min: NaN, max: NaN, pairs: 0, meanCommon: 0 }
  return {
    mean: rhos.reduce((a, b) => a + b, 0) / rhos.length,
    min: Math.min(...rhos),
    max: Math.max(...rhos),
    pairs: rhos.length,
    meanCommon: common / rhos.length,
  }
}

/** Rank-wise median of sorted spectra (over the spectra long enough to have that rank). */
export function medianSpectrum(spectra: number[][]): number[] {
  const n = Math.max(0, ...spectra.map((s) => s.length))
  return Array.from({ length: n }, (_, r) => median(spectra.filter((s) => s.length > r).map((s) => s[r])))
}

/** The analysis proper: fits, spectrum, correlation and summaries (pure). */
export function analyseSubproblems(
  input: SubproblemInput,
  opts: SubproblemsOptions = {},
): Omit<SubproblemsReport, 'runId' | 'label' | 'source' | 'probe' | 'classes'> {
  const model = opts.model ?? 'exponential'
  const kind = opts.kind ?? 'pairs'
  const minImages = opts.minImages ?? 3
  const minFraction = opts.minFraction ?? 0.01
  const minR2 = opts.minR2 ?? 0
  const zipfS = opts.zipfS ?? 1
  const fromEpoch = opts.fromEpoch ?? 0
  const includeInitial = opts.includeInitial ?? false
  const { defs, images, trainCount } = input
  const S = input.samples.length
  const used = Array.from(
    { length: S },
    (_, j) => input.epochs[j] >= fromEpoch - 1e-9 && (includeInitial || input.epochs[j] > 0),
  )
  const window = new Float64Array(S)
  const nSub = defs.length
  const counts = { tracked: 0, fitted: 0, inSpectrum: 0, tooFast: 0, tooSlow: 0, notDecaying: 0, poorFit: 0 }
  const r2Exp: number[] = []
  const r2Pow: number[] = []
  const spectra: { net: number; rates: number[] }[] = []
  const rateRows: Float64Array[] = []
  const perSub = defs.map(() => ({
    tracked: 0,
    rates: [] as number[],
    r2e: [] as number[],
    r2p: [] as number[],
    floor: [] as number[],
    b: [] as number[],
  }))
  const fits: { net: number; fits: NetFit[] }[] = []
  for (const { net, errors } of input.nets) {
    const row = new Float64Array(nSub).fill(NaN)
    const netFits: NetFit[] = []
    for (let k = 0; k < nSub; k++) {
      const d = defs[k]
      const n = images[d.trueClass]
      for (let j = 0; j < S; j++) window[j] = used[j] ? errors[k * S + j] : NaN
      const e = window
      let peak = -Infinity
      for (let j = 0; j < S; j++) if (Number.isFinite(e[j])) peak = Math.max(peak, e[j])
      if (!(n > 0) || !(peak * n >= Math.max(minImages, minFraction * n) - 1e-9)) continue
      const fit = fitCurve(input.samples, e, 0.5 / n)
      const s = perSub[k]
      s.tracked++
      if (fit.exponential) {
        s.r2e.push(fit.exponential.r2)
        s.floor.push(fit.exponential.c)
      }
      if (fit.power) {
        s.r2p.push(fit.power.r2)
        s.b.push(fit.power.b)
      }
      if (opts.detail) netFits.push({ id: d.id, from: fit.from, power: fit.power, exponential: fit.exponential })
      const { rate, reason } = rateOf(fit, model, minR2, trainCount)
      if (Number.isFinite(rate)) s.rates.push(rate)
      if (!inKind(d, kind)) continue
      counts.tracked++
      if (fit.exponential) r2Exp.push(fit.exponential.r2)
      if (fit.power) r2Pow.push(fit.power.r2)
      if (reason !== 'nofit') counts.fitted++
      if (reason === 'ok') {
        counts.inSpectrum++
        row[k] = rate
      } else if (reason !== 'nofit') counts[reason]++
    }
    rateRows.push(row)
    spectra.push({
      net,
      rates: Array.from(row)
        .filter(Number.isFinite)
        .sort((a, b) => b - a),
    })
    if (opts.detail) fits.push({ net, fits: netFits })
  }
  const med = medianSpectrum(spectra.map((s) => s.rates))
  const slopeFit =
    med.length >= 2
      ? fitLine(
          med.map((_, r) => Math.log(r + 1)),
          med.map((v) => Math.log(v)),
        )
      : null
  const subproblems: SubproblemSummary[] = defs.map((d, k) => ({
    id: d.id,
    kind: d.kind,
    trueClass: d.trueClass,
    predicted: d.predicted,
    images: images[d.trueClass],
    tracked: perSub[k].tracked,
    medianRate: median(perSub[k].rates),
    medianR2Exponential: median(perSub[k].r2e),
    medianR2Power: median(perSub[k].r2p),
    medianFloor: median(perSub[k].floor),
    medianExponent: median(perSub[k].b),
  }))
  const ranked = subproblems
    .filter(
      (s, k) =>
        inKind(defs[k], kind) &&
        Number.isFinite(s.medianRate) &&
        perSub[k].rates.length >= Math.max(1, input.nets.length / 2),
    )
    .map((s) => ({ id: s.id, medianRate: s.medianRate, tracked: s.tracked }))
    .sort((a, b) => a.medianRate - b.medianRate)
  // Up to 8 at each end, never the same subproblem at both.
  const extremes = Math.min(8, Math.floor(ranked.length / 2))
  const unit = model === 'exponential' ? 'decay rate 1/τ (per epoch)' : 'power-law exponent b'
  return {
    trainCount,
    epochs: Array.from(input.epochs),
    samples: Array.from(input.samples),
    nets: input.nets.map((n) => n.net),
    options: { model, kind, minImages, minFraction, minR2, zipfS, fromEpoch, includeInitial },
    rates: {
      label: opts.label ?? '',
      model,
      kind,
      unit,
      perNet: spectra,
      median: med,
      ...(model === 'exponential' && med.length > 0 ? { zipf: { s: zipfS, anchor: med[0] } } : {}),
    },
    spectrumSlope: slopeFit ? slopeFit.slope : NaN,
    counts,
    fitQuality: { exponential: quality(r2Exp), power: quality(r2Pow) },
    rankCorrelation: rateCorrelation(rateRows, opts.correlationNets ?? 50),
    subproblems,
    // Two disjoint sets: with fewer than 16 subproblems, the same ones were both (reversed).
    slowest: ranked.slice(0, extremes),
    fastest: ranked.slice(ranked.length - extremes).reverse(),
    ...(opts.detail ? { fits } : {}),
  }
}

/** Labels of the probe set: the first P test images of an MLP run, or those recorded
 * with an external run (−1 = unknown: such items are left out of every count). */
export async function probeLabels(run: RunArchive, cacheDir?: string): Promise<ArrayLike<number>> {
  const spec = run.attrs.spec
  if (spec.kind === 'external') {
    if (spec.classes === null)
      throw conflict(
        `run ${run.id} records values (outputs "values", no classes); subproblems need a classifier's class outputs`,
        run.id,
      )
    const labels = (await run.readLabels())!
    if (!labels.some((y) => y >= 0))
      throw conflict(`run ${run.id} records no probe labels (all −1); subproblem errors need them`, run.id)
    return labels
  }
  if (spec.kind !== 'mlp')
    throw conflict(`run ${run.id} is a stochastic-model run; subproblems need a classifier (an MLP run)`, run.id)
  const { data } = await loadTrainData(spec.dataset, cacheDir)
  const P = run.attrs.pointShape[0]
  if (data.testLabels.length < P)
    throw conflict(`the dataset has ${data.testLabels.length} test images, the run's probe set ${P}`, run.id)
  return data.testLabels.subarray(0, P)
}

/** Error curves of every subproblem of each network, from the archive's probe τ. */
export async function readSubproblemErrors(
  run: RunArchive,
  labels: ArrayLike<number>,
  nets: number[],
): Promise<{ defs: SubproblemDef[]; images: Int32Array; nets: SubproblemInput['nets'] }> {
  const [P, C] = run.attrs.pointShape
  if (C === undefined) throw conflict(`run ${run.id} records no class outputs`, run.id)
  const S = run.attrs.snapshots
  const defs = subproblemDefs(C)
  const images = classCounts(labels, C, P)
  const done = await run.readDone()
  const out: SubproblemInput['nets'] = []
  for (const net of nets) {
    const errors = new Float64Array(defs.length * S).fill(NaN)
    for (let j = 0; j < S; j++) {
      if (!done[net * S + j]) continue
      const e = subproblemErrors(confusionCounts(predictions(await run.readTau(net, j), P, C), labels, C), images, C)
      for (let k = 0; k < defs.length; k++) errors[k * S + j] = e[k]
    }
    out.push({ net, errors })
  }
  return { defs, images, nets: out }
}

/** Per-class error curves as metrics-figure data (one series per class). */
function classCurves(
  label: string,
  epochs: ArrayLike<number>,
  defs: SubproblemDef[],
  nets: SubproblemInput['nets'],
  C: number,
): MetricsData {
  const S = epochs.length
  return {
    runs: [
      {
        label,
        epochs: Array.from(epochs),
        series: Array.from({ length: C }, (_, c) => {
          const k = defs.findIndex((d) => d.kind === 'class' && d.trueClass === c)
          return {
            name: `class ${c} error`,
            perNet: nets.map(({ errors }) => Array.from(errors.subarray(k * S, (k + 1) * S))),
          }
        }),
      },
    ],
  }
}

/** Subproblem convergence of a run's networks (see the module comment). */
export async function subproblems(
  project: Project,
  runId: string,
  opts: SubproblemsOptions = {},
): Promise<SubproblemsReport> {
  const run = await project.openRun(runId)
  const a = run.attrs
  const labels = await probeLabels(run, opts.cacheDir)
  const nets = checkNets(opts.nets ?? Array.from({ length: a.nets }, (_, k) => k), a.nets)
  const { defs, images, nets: curves } = await readSubproblemErrors(run, labels, nets)
  const { samples, epochs } = await run.readTimes()
  const [P, C] = a.pointShape
  const label = opts.label ?? a.spec.name ?? runId
  // Recorded runs may not know their samples: then the fits run on epochs (rates per epoch alike).
  const known = samples.length > 0 && samples.every(Number.isFinite)
  const last = epochs.length - 1
  const trainCount = known ? (a.dataset?.trainCount ?? (epochs[last] > 0 ? samples[last] / epochs[last] : 1)) : 1
  const core = analyseSubproblems(
    { defs, images, samples: known ? samples : epochs, epochs, trainCount, nets: curves },
    { ...opts, label },
  )
  return {
    runId,
    label,
    source: 'probe',
    probe: P,
    classes: C,
    ...core,
    ...(opts.curves ? { curves: classCurves(label, epochs, defs, curves, C) } : {}),
  }
}

/** Network indices checked against the run (sorted, unique). */
export function checkNets(nets: number[], count: number): number[] {
  const bad = nets.filter((k) => !Number.isInteger(k) || k < 0 || k >= count)
  if (bad.length) throw badRequest('nets', `network ${bad[0]} is not in this run (it has networks 0–${count - 1})`)
  if (nets.length === 0) throw badRequest('nets', 'no networks selected')
  return [...new Set(nets)].sort((x, y) => x - y)
}
