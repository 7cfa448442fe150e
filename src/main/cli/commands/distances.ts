/** `sgdscope distances`: distances between networks over training, weights (aligned) beside τ. */
import type { WeightFunctionReport } from '../../../shared/figures/beyond-data'
import { weightVsFunction } from '../../analysis/beyond/weight-function'
import { projectDir, projectOption, type Command, type Io, type Values } from '../command'
import { oneOf, parseNets } from '../args'
import { f3, figureTarget, openRun, outputOptions, OUTPUT_USAGE, writeBeyondFigure } from '../beyond-output'

export const DISTANCES_OPTIONS = {
  nets: { type: 'string' },
  alignment: { type: 'string' },
  'log-x': { type: 'boolean' },
  ...outputOptions,
} as const
export const DISTANCES_SUMMARY = 'distances between networks over training: weights (hidden units aligned) beside τ'
export const DISTANCES_USAGE = `sgdscope distances RUN [--nets 0-4] [--alignment final|each] [--log-x] [--project DIR] ${OUTPUT_USAGE}`

export function formatDistances(r: WeightFunctionReport): string[] {
  const pairs = r.figure.pairs.length
  const row = (x: WeightFunctionReport['first']) =>
    `epoch ${x.epoch}: weights ${f3(x.weightRaw)} as trained, ${f3(x.weightAligned)} aligned; τ ${f3(x.tau)}`
  return [
    `${r.runId}: distances between ${pairs} pair(s) of networks (mean over pairs), hidden units aligned ${r.alignment === 'final' ? `by the permutation of snapshot ${r.alignedAt}` : 'at each snapshot'}; weights kept at ${r.kept.length} snapshot(s)`,
    `  first: ${row(r.first)}`,
    `  last:  ${row(r.last)}`,
    `  last/first: weights aligned ${f3(r.last.weightAligned / r.first.weightAligned)}, as trained ${f3(r.last.weightRaw / r.first.weightRaw)}; τ ${f3(r.last.tau / r.first.tau)}`,
  ]
}

async function distancesRun(positionals: string[], v: Values, io: Io): Promise<number> {
  const target = figureTarget(v)
  const opts = {
    ...(v.nets ? { nets: parseNets(String(v.nets)) } : {}),
    alignment: oneOf(v, 'alignment', ['final', 'each'] as const),
  }
  const { project, runId } = await openRun(positionals, projectDir(v), 'distances')
  const r = await weightVsFunction(project, runId, opts)
  if (v.json) io.out(JSON.stringify(r))
  else formatDistances(r).forEach((l) => io.out(l))
  if (target)
    await writeBeyondFigure(
      { kind: 'weightVsFunction', data: r.figure, options: v['log-x'] ? { logX: true } : {} },
      target,
      v.json ? { out: io.err, err: io.err } : io,
    )
  return 0
}

export const distancesCommand: Command = {
  summary: DISTANCES_SUMMARY,
  usage: DISTANCES_USAGE,
  options: { ...projectOption, ...DISTANCES_OPTIONS },
  run: distancesRun,
}
