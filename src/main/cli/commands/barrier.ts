/** `sgdscope barrier`: loss and error barriers between networks, before and after aligning hidden units. */
import type { BarrierReport, BarrierSummaryReport } from '../../../shared/figures/beyond-data'
import { barrier, barrierSummary } from '../../analysis/beyond/barrier'
import { UsageError, projectDir, projectOption, type Command, type Io, type Values } from '../command'
import { numberOption, oneOf, parseNets } from '../args'
import { f3, figureTarget, openRun, outputOptions, OUTPUT_USAGE, pct, writeBeyondFigure } from '../beyond-output'

export const BARRIER_OPTIONS = {
  nets: { type: 'string' },
  snapshot: { type: 'string' },
  points: { type: 'string' },
  count: { type: 'string' },
  on: { type: 'string' },
  ...outputOptions,
} as const
export const BARRIER_SUMMARY =
  'loss and error barriers between networks’ weights, before and after aligning hidden units'
export const BARRIER_USAGE = `sgdscope barrier RUN --nets 0,1 [--snapshot N] [--points 21] [--count N] [--on test|train] [--project DIR] ${OUTPUT_USAGE}
             (--nets with more than two networks, e.g. 0-5: every pair, summarised; default 11 points on 2000 images)`

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
    ...barrierRows(
      { loss: r.before.barrierLoss, error: r.before.barrierError },
      { loss: r.after.barrierLoss, error: r.after.barrierError },
    ),
    `  endpoints: loss ${f3(r.before.loss[0])} and ${f3(r.before.loss[r.alphas.length - 1])}, error ${pct(r.before.error[0])} and ${pct(r.before.error[r.alphas.length - 1])}; at α = ${r.alphas[mid]}: loss ${f3(r.before.loss[mid])} → ${f3(r.after.loss[mid])} after alignment, error ${pct(r.before.error[mid])} → ${pct(r.after.error[mid])}`,
    `  alignment moved ${r.moved} of ${r.permutation.length} hidden units; weight distance ${f3(r.weightDistance.before)} → ${f3(r.weightDistance.after)}`,
  ]
}

export function formatBarrierSummary(r: BarrierSummaryReport): string[] {
  const s = (x: { mean: number; median: number; min: number; max: number }, f: (v: number) => string) =>
    `mean ${f(x.mean)}, median ${f(x.median)}, range ${f(x.min)}–${f(x.max)}`
  return [
    `${r.runId}: barriers between ${r.pairs.length} pair(s) of networks at epoch ${r.epoch} (snapshot ${r.snapshot}), ${r.evaluatedOn.count} ${r.evaluatedOn.set} images, ${r.points} values of α`,
    `  loss barrier   before alignment: ${s(r.loss.before, f3)}`,
    `                 after alignment:  ${s(r.loss.after, f3)}`,
    `  error barrier  before alignment: ${s(r.error.before, pct)}`,
    `                 after alignment:  ${s(r.error.after, pct)}`,
  ]
}

async function barrierRun(positionals: string[], v: Values, io: Io): Promise<number> {
  const target = figureTarget(v)
  if (!v.nets) throw new UsageError('barrier needs --nets i,j (or a list of several networks for every pair)')
  const nets = [...new Set(parseNets(String(v.nets)))]
  if (nets.length < 2) throw new UsageError('--nets needs two different networks')
  const common = {
    snapshot: numberOption(v, 'snapshot', (x) => Number.isInteger(x) && x >= 0, 'a snapshot index'),
    points: numberOption(
      v,
      'points',
      (x) => Number.isInteger(x) && x >= 2 && x <= 1001,
      'a whole number of points between 2 and 1001',
    ),
    count: numberOption(v, 'count', (x) => Number.isInteger(x) && x >= 1, 'a number of images ≥ 1'),
    on: oneOf(v, 'on', ['test', 'train'] as const),
  }
  const { project, runId } = await openRun(positionals, projectDir(v), 'barrier')
  const fig = v.json ? { out: io.err, err: io.err } : io
  if (nets.length === 2) {
    const r = await barrier(project, runId, { ...common, nets: [nets[0], nets[1]] })
    if (v.json) io.out(JSON.stringify(r))
    else formatBarrier(r).forEach((l) => io.out(l))
    if (target) await writeBeyondFigure({ kind: 'barrier', data: r.figure, options: {} }, target, fig)
  } else {
    const r = await barrierSummary(project, runId, { ...common, nets })
    if (v.json) io.out(JSON.stringify(r))
    else formatBarrierSummary(r).forEach((l) => io.out(l))
    if (target) await writeBeyondFigure({ kind: 'barrier', data: r.figure, options: {} }, target, fig)
  }
  return 0
}

export const barrierCommand: Command = {
  summary: BARRIER_SUMMARY,
  usage: BARRIER_USAGE,
  options: { ...projectOption, ...BARRIER_OPTIONS },
  run: barrierRun,
}
