/**
 * The beyond-the-paper CLI commands (`sgdscope subproblems`, `sgdscope barrier`,
 * `sgdscope distances`): option tables, usage lines and actions, so that their entries
 * in cli/commands.ts stay one line each. The caller passes the project folder and how
 * to make a usage error (the CLI's UsageError), so this module does not import the
 * command table.
 */
import { writeFileAtomic } from '../archive/atomic'
import { Project } from '../archive/project'
import type { FigureFormat } from '../figures/export'
import type { BarrierReport, BarrierSummaryReport, SubproblemsReport, WeightFunctionReport } from '../../shared/figures/beyond-data'
import { barrier, barrierSummary } from './barrier'
import { renderBeyondData, type BeyondFigureData, type BeyondLook } from './figures'
import { subproblems, type RateModel, type SubproblemKind } from './subproblems'
import { weightVsFunction } from './weight-function'

type Values = Record<string, string | boolean | string[] | undefined>
export interface CliIo {
  out: (line: string) => void
  err: (line: string) => void
}
export interface CliContext {
  /** The project folder (the CLI's --project / $SGDSCOPE_PROJECT / default). */
  projectDir: string
  /** Makes the error the CLI reports with the command's usage (exit code 2). */
  usage: (message: string) => Error
}

const outputOptions = {
  json: { type: 'boolean' },
  out: { type: 'string', short: 'o' },
  format: { type: 'string', short: 'f' },
  style: { type: 'string' },
  width: { type: 'string' },
  height: { type: 'string' },
  'font-size': { type: 'string' },
  dpi: { type: 'string' },
} as const
const OUTPUT_USAGE = '[--json] [--out FILE.svg|png|pdf] [--style paper|paper-serif|colorblind] [--width 3.5in] [--height H] [--font-size 8] [--dpi 300]'

export const SUBPROBLEMS_OPTIONS = {
  nets: { type: 'string' },
  model: { type: 'string' },
  kind: { type: 'string' },
  'min-images': { type: 'string' },
  'min-fraction': { type: 'string' },
  'min-r2': { type: 'string' },
  'zipf-s': { type: 'string' },
  from: { type: 'string' },
  'include-initial': { type: 'boolean' },
  ...outputOptions,
} as const
export const SUBPROBLEMS_SUMMARY = 'convergence rates of the subproblems (classes, confusion pairs): fits, rate spectrum, rank correlation'
export const SUBPROBLEMS_USAGE = `sgdscope subproblems RUN [--project DIR] [--nets 0-9] [--model exponential|power] [--kind pairs|classes|all]
             [--min-images 3] [--min-fraction 0.01] [--min-r2 0] [--zipf-s 1] [--from EPOCH] [--include-initial] ${OUTPUT_USAGE}
             (errors per class and confusion pair from the probe set τ: the first P test images, or the
              labels recorded with a run made outside sgdscope;
              curves are fitted from their peak on, without the initial weights unless --include-initial)`

export const BARRIER_OPTIONS = {
  nets: { type: 'string' },
  snapshot: { type: 'string' },
  points: { type: 'string' },
  count: { type: 'string' },
  on: { type: 'string' },
  ...outputOptions,
} as const
export const BARRIER_SUMMARY = 'loss and error barriers between networks’ weights, before and after aligning hidden units'
export const BARRIER_USAGE = `sgdscope barrier RUN --nets 0,1 [--snapshot N] [--points 21] [--count N] [--on test|train] [--project DIR] ${OUTPUT_USAGE}
             (--nets with more than two networks, e.g. 0-5: every pair, summarised; default 11 points on 2000 images)`

export const DISTANCES_OPTIONS = {
  nets: { type: 'string' },
  alignment: { type: 'string' },
  'log-x': { type: 'boolean' },
  ...outputOptions,
} as const
export const DISTANCES_SUMMARY = 'distances between networks over training: weights (hidden units aligned) beside τ'
export const DISTANCES_USAGE = `sgdscope distances RUN [--nets 0-4] [--alignment final|each] [--log-x] [--project DIR] ${OUTPUT_USAGE}`

/** "0-4" → [0..4]; "0,3,7" → [0,3,7]; mixed "0-2,5". */
function parseNetList(s: string, ctx: CliContext): number[] {
  const out: number[] = []
  for (const part of s.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim())
    if (!m) throw ctx.usage(`--nets takes a list like 0,1 or 0-4, not "${s}"`)
    const [a, b] = [+m[1], m[2] !== undefined ? +m[2] : +m[1]]
    if (b < a) throw ctx.usage(`--nets ${part}: the range is backwards`)
    for (let k = a; k <= b; k++) out.push(k)
  }
  return out
}

function num(v: Values, key: string, ctx: CliContext, check: (x: number) => boolean, what: string): number | undefined {
  if (v[key] === undefined) return undefined
  const x = Number(v[key])
  if (!Number.isFinite(x) || !check(x)) throw ctx.usage(`--${key} takes ${what}, not "${String(v[key])}"`)
  return x
}

function oneOf<T extends string>(v: Values, key: string, allowed: readonly T[], ctx: CliContext): T | undefined {
  if (v[key] === undefined) return undefined
  const s = String(v[key])
  if (!(allowed as readonly string[]).includes(s)) throw ctx.usage(`--${key} must be ${allowed.join(' or ')}, not "${s}"`)
  return s as T
}

function length(s: string, ctx: CliContext): number {
  const m = /^([\d.]+)\s*(in|mm|cm|pt)?$/.exec(s.trim())
  if (!m || !Number.isFinite(Number(m[1])) || !(Number(m[1]) > 0)) throw ctx.usage(`a length is a number with in, mm, cm or pt (e.g. 3.5in), not "${s}"`)
  const x = Number(m[1])
  return { in: x, mm: x / 25.4, cm: x / 2.54, pt: x / 72 }[(m[2] ?? 'in') as 'in' | 'mm' | 'cm' | 'pt']
}

function figureTarget(v: Values, ctx: CliContext): { file: string; format: FigureFormat; look: BeyondLook } | null {
  if (!v.out) return null
  const file = String(v.out)
  const format = String(v.format ?? file.slice(file.lastIndexOf('.') + 1)).toLowerCase()
  if (!['svg', 'png', 'pdf'].includes(format)) throw ctx.usage('--format must be svg, png or pdf (or give --out a .svg/.png/.pdf name)')
  const look: BeyondLook = {
    ...(v.style ? { style: String(v.style) } : {}),
    ...(v.width ? { widthIn: length(String(v.width), ctx) } : {}),
    ...(v.height ? { heightIn: length(String(v.height), ctx) } : {}),
    ...(v['font-size'] ? { fontSize: num(v, 'font-size', ctx, (x) => x >= 4 && x <= 30, 'a size in pt between 4 and 30') } : {}),
    ...(v.dpi ? { dpi: num(v, 'dpi', ctx, (x) => Number.isInteger(x) && x >= 50 && x <= 1200, 'a whole number between 50 and 1200') } : {}),
  }
  return { file, format: format as FigureFormat, look }
}

async function writeFigure(fig: BeyondFigureData, t: { file: string; format: FigureFormat; look: BeyondLook }, io: CliIo): Promise<void> {
  const r = await renderBeyondData(fig, t.format, t.look)
  const bytes = typeof r.content === 'string' ? Buffer.from(r.content) : r.content
  await writeFileAtomic(t.file, bytes)
  io.out(`wrote ${t.file} (${t.format.toUpperCase()}, ${r.widthIn.toFixed(2)} × ${r.heightIn.toFixed(2)} in, ${bytes.length.toLocaleString('en-US')} bytes)`)
}

async function openRun(positionals: string[], ctx: CliContext, command: string): Promise<{ project: Project; runId: string }> {
  if (!positionals[0]) throw ctx.usage(`${command} needs a run (id, unique part of it, or its number in \`sgdscope list\`)`)
  const project = await Project.open(ctx.projectDir)
  return { project, runId: await project.resolveRunId(positionals[0]) }
}

// ---- Text ------------------------------------------------------------------------------

const f3 = (x: number) => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(1) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3)) : '—')
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : '—')
const r2 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '—')

/** The subproblems report as lines of text. */
export function formatSubproblems(r: SubproblemsReport): string[] {
  const o = r.options
  const what = o.kind === 'pairs' ? `${r.classes * (r.classes - 1)} confusion pairs` : o.kind === 'classes' ? `${r.classes} classes` : `${r.classes} classes and ${r.classes * (r.classes - 1)} confusion pairs`
  const lines = [
    `${r.runId}: subproblem convergence of ${r.nets.length} network(s), ${what}, from the probe set τ (the first ${r.probe} test images, argmax against their labels)`,
    `  fitted from each curve's peak over the snapshots at epochs ${o.includeInitial ? '≥' : '>'} ${o.fromEpoch}${o.includeInitial || o.fromEpoch > 0 ? '' : ' (the initial weights left out)'}`,
  ]
  const med = r.rates.median
  const unit = o.model === 'exponential' ? '1/τ per epoch' : 'power-law exponent b'
  if (med.length) {
    const at = [1, 2, 5, 10, 20, 50, 100, 200, 500].filter((k) => k < med.length)
    const cells = [...at.map((k) => `#${k} ${f3(med[k - 1])}`), `#${med.length} ${f3(med[med.length - 1])}`]
    lines.push(`  rate spectrum (${unit}, rank-wise median over networks): ${cells.join(', ')}`)
    lines.push(`  log–log slope of the median spectrum ${f3(r.spectrumSlope)}${o.model === 'exponential' ? ` (the toy model with Zipf s = ${o.zipfS}: ${f3(-o.zipfS)})` : ''}`)
  } else lines.push('  no rates: no subproblem was tracked and fitted (try --min-images 1, or a run with more snapshots)')
  const q = r.fitQuality
  lines.push(
    `  fit quality: exponential median R² ${r2(q.exponential.medianR2)} (${pct(q.exponential.good)} ≥ 0.9 of ${q.exponential.fitted}); power law median R² (log scale) ${r2(q.power.medianR2)} (${pct(q.power.good)} ≥ 0.9 of ${q.power.fitted})`,
  )
  const c = r.counts
  lines.push(
    `  in the spectrum: ${c.inSpectrum} of ${c.tracked} tracked curves (tracked: error ≥ ${o.minImages} probe image(s) and ≥ ${pct(o.minFraction)} of the class); left out: ${c.tooFast} faster than the snapshots resolve, ${c.tooSlow} with no visible convergence, ${c.notDecaying} not decaying${o.minR2 > 0 ? `, ${c.poorFit} with R² < ${o.minR2}` : ''}`,
  )
  const rc = r.rankCorrelation
  lines.push(
    rc.pairs
      ? `  rank correlation of rates between networks (Spearman): mean ${f3(rc.mean)}, range ${f3(rc.min)} to ${f3(rc.max)} over ${rc.pairs} pair(s) (${rc.meanCommon.toFixed(1)} subproblems in common on average)`
      : '  rank correlation: no pair of networks shares 3 or more rated subproblems',
  )
  if (r.slowest.length) lines.push(`  slowest: ${r.slowest.map((s) => `${s.id} ${f3(s.medianRate)}`).join(', ')}`)
  if (r.fastest.length) lines.push(`  fastest: ${r.fastest.map((s) => `${s.id} ${f3(s.medianRate)}`).join(', ')}`)
  return lines
}

function barrierRows(before: { loss: number; error: number }, after: { loss: number; error: number }): string[] {
  return [
    `  ${''.padEnd(18)} ${'loss barrier'.padStart(13)} ${'error barrier'.padStart(14)}`,
    `  ${'before alignment'.padEnd(18)} ${f3(before.loss).padStart(13)} ${pct(before.error).padStart(14)}`,
    `  ${'after alignment'.padEnd(18)} ${f3(after.loss).padStart(13)} ${pct(after.error).padStart(14)}`,
  ]
}

export function formatBarrier(r: BarrierReport): string[] {
  const mid = Math.floor(r.alphas.length / 2)
  return [
    `${r.runId}: networks ${r.nets[0]} and ${r.nets[1]} at epoch ${r.epoch} (snapshot ${r.snapshot}), ${r.loss} loss on ${r.evaluatedOn.count} ${r.evaluatedOn.set} images, ${r.alphas.length} values of α`,
    ...barrierRows({ loss: r.before.barrierLoss, error: r.before.barrierError }, { loss: r.after.barrierLoss, error: r.after.barrierError }),
    `  endpoints: loss ${f3(r.before.loss[0])} and ${f3(r.before.loss[r.alphas.length - 1])}, error ${pct(r.before.error[0])} and ${pct(r.before.error[r.alphas.length - 1])}; at α = ${r.alphas[mid]}: loss ${f3(r.before.loss[mid])} → ${f3(r.after.loss[mid])} after alignment, error ${pct(r.before.error[mid])} → ${pct(r.after.error[mid])}`,
    `  alignment moved ${r.moved} of ${r.permutation.length} hidden units; weight distance ${f3(r.weightDistance.before)} → ${f3(r.weightDistance.after)}`,
  ]
}

export function formatBarrierSummary(r: BarrierSummaryReport): string[] {
  const s = (x: { mean: number; median: number; min: number; max: number }, f: (v: number) => string) => `mean ${f(x.mean)}, median ${f(x.median)}, range ${f(x.min)}–${f(x.max)}`
  return [
    `${r.runId}: barriers between ${r.pairs.length} pair(s) of networks at epoch ${r.epoch} (snapshot ${r.snapshot}), ${r.evaluatedOn.count} ${r.evaluatedOn.set} images, ${r.points} values of α`,
    `  loss barrier   before alignment: ${s(r.loss.before, f3)}`,
    `                 after alignment:  ${s(r.loss.after, f3)}`,
    `  error barrier  before alignment: ${s(r.error.before, pct)}`,
    `                 after alignment:  ${s(r.error.after, pct)}`,
  ]
}

export function formatDistances(r: WeightFunctionReport): string[] {
  const pairs = r.figure.pairs.length
  const row = (x: WeightFunctionReport['first']) => `epoch ${x.epoch}: weights ${f3(x.weightRaw)} as trained, ${f3(x.weightAligned)} aligned; τ ${f3(x.tau)}`
  return [
    `${r.runId}: distances between ${pairs} pair(s) of networks (mean over pairs), hidden units aligned ${r.alignment === 'final' ? `by the permutation of snapshot ${r.alignedAt}` : 'at each snapshot'}; weights kept at ${r.kept.length} snapshot(s)`,
    `  first: ${row(r.first)}`,
    `  last:  ${row(r.last)}`,
    `  last/first: weights aligned ${f3(r.last.weightAligned / r.first.weightAligned)}, as trained ${f3(r.last.weightRaw / r.first.weightRaw)}; τ ${f3(r.last.tau / r.first.tau)}`,
  ]
}

// ---- Commands --------------------------------------------------------------------------

export async function subproblemsCommand(positionals: string[], v: Values, io: CliIo, ctx: CliContext): Promise<number> {
  const target = figureTarget(v, ctx)
  const opts = {
    ...(v.nets ? { nets: parseNetList(String(v.nets), ctx) } : {}),
    model: oneOf<RateModel>(v, 'model', ['exponential', 'power'], ctx),
    kind: oneOf<SubproblemKind>(v, 'kind', ['pairs', 'classes', 'all'], ctx),
    minImages: num(v, 'min-images', ctx, (x) => x >= 0, 'a number ≥ 0'),
    minFraction: num(v, 'min-fraction', ctx, (x) => x >= 0 && x <= 1, 'a fraction between 0 and 1'),
    minR2: num(v, 'min-r2', ctx, (x) => x <= 1, 'a number ≤ 1'),
    zipfS: num(v, 'zipf-s', ctx, (x) => x > 0, 'a positive number'),
    fromEpoch: num(v, 'from', ctx, (x) => x >= 0, 'an epoch ≥ 0'),
    includeInitial: v['include-initial'] === true ? true : undefined,
  }
  const { project, runId } = await openRun(positionals, ctx, 'subproblems')
  const r = await subproblems(project, runId, opts)
  if (v.json) io.out(JSON.stringify(r))
  else formatSubproblems(r).forEach((l) => io.out(l))
  if (target) await writeFigure({ kind: 'rates', data: r.rates, options: {} }, target, v.json ? { out: io.err, err: io.err } : io)
  return 0
}

export async function barrierCommand(positionals: string[], v: Values, io: CliIo, ctx: CliContext): Promise<number> {
  const target = figureTarget(v, ctx)
  if (!v.nets) throw ctx.usage('barrier needs --nets i,j (or a list of several networks for every pair)')
  const nets = [...new Set(parseNetList(String(v.nets), ctx))]
  if (nets.length < 2) throw ctx.usage('--nets needs two different networks')
  const common = {
    snapshot: num(v, 'snapshot', ctx, (x) => Number.isInteger(x) && x >= 0, 'a snapshot index'),
    points: num(v, 'points', ctx, (x) => Number.isInteger(x) && x >= 2 && x <= 1001, 'a whole number of points between 2 and 1001'),
    count: num(v, 'count', ctx, (x) => Number.isInteger(x) && x >= 1, 'a number of images ≥ 1'),
    on: oneOf(v, 'on', ['test', 'train'] as const, ctx),
  }
  const { project, runId } = await openRun(positionals, ctx, 'barrier')
  const fig = v.json ? { out: io.err, err: io.err } : io
  if (nets.length === 2) {
    const r = await barrier(project, runId, { ...common, nets: [nets[0], nets[1]] })
    if (v.json) io.out(JSON.stringify(r))
    else formatBarrier(r).forEach((l) => io.out(l))
    if (target) await writeFigure({ kind: 'barrier', data: r.figure, options: {} }, target, fig)
  } else {
    const r = await barrierSummary(project, runId, { ...common, nets })
    if (v.json) io.out(JSON.stringify(r))
    else formatBarrierSummary(r).forEach((l) => io.out(l))
    if (target) await writeFigure({ kind: 'barrier', data: r.figure, options: {} }, target, fig)
  }
  return 0
}

export async function distancesCommand(positionals: string[], v: Values, io: CliIo, ctx: CliContext): Promise<number> {
  const target = figureTarget(v, ctx)
  const opts = {
    ...(v.nets ? { nets: parseNetList(String(v.nets), ctx) } : {}),
    alignment: oneOf(v, 'alignment', ['final', 'each'] as const, ctx),
  }
  const { project, runId } = await openRun(positionals, ctx, 'distances')
  const r = await weightVsFunction(project, runId, opts)
  if (v.json) io.out(JSON.stringify(r))
  else formatDistances(r).forEach((l) => io.out(l))
  if (target) await writeFigure({ kind: 'weightVsFunction', data: r.figure, options: v['log-x'] ? { logX: true } : {} }, target, v.json ? { out: io.err, err: io.err } : io)
  return 0
}
