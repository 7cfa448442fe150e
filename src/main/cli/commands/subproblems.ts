/** `sgdscope subproblems`: convergence rates of the subproblems (classes, confusion pairs). */
import type { SubproblemsReport } from '../../../shared/figures/beyond-data'
import { subproblems, type RateModel, type SubproblemKind } from '../../analysis/beyond/subproblems'
import { projectDir, projectOption, type Command, type Io, type Values } from '../command'
import { numberOption, oneOf, parseNets } from '../args'
import { f3, figureTarget, openRun, outputOptions, OUTPUT_USAGE, pct, r2, writeBeyondFigure } from '../beyond-output'

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
export const SUBPROBLEMS_SUMMARY =
  'convergence rates of the subproblems (classes, confusion pairs): fits, rate spectrum, rank correlation'
export const SUBPROBLEMS_USAGE = `sgdscope subproblems RUN [--project DIR] [--nets 0-9] [--model exponential|power] [--kind pairs|classes|all]
             [--min-images 3] [--min-fraction 0.01] [--min-r2 0] [--zipf-s 1] [--from EPOCH] [--include-initial] ${OUTPUT_USAGE}
             (errors per class and confusion pair from the probe set τ: the first P test images, or the
              labels recorded with a run made outside sgdscope;
              curves are fitted from their peak on, without the initial weights unless --include-initial)`

/** The subproblems report as lines of text. */
export function formatSubproblems(r: SubproblemsReport): string[] {
  const o = r.options
  const what =
    o.kind === 'pairs'
      ? `${r.classes * (r.classes - 1)} confusion pairs`
      : o.kind === 'classes'
        ? `${r.classes} classes`
        : `${r.classes} classes and ${r.classes * (r.classes - 1)} confusion pairs`
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
    lines.push(
      `  log–log slope of the median spectrum ${f3(r.spectrumSlope)}${o.model === 'exponential' ? ` (the toy model with Zipf s = ${o.zipfS}: ${f3(-o.zipfS)})` : ''}`,
    )
  } else
    lines.push('  no rates: no subproblem was tracked and fitted (try --min-images 1, or a run with more snapshots)')
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

async function subproblemsRun(positionals: string[], v: Values, io: Io): Promise<number> {
  const target = figureTarget(v)
  const opts = {
    ...(v.nets ? { nets: parseNets(String(v.nets)) } : {}),
    model: oneOf<RateModel>(v, 'model', ['exponential', 'power']),
    kind: oneOf<SubproblemKind>(v, 'kind', ['pairs', 'classes', 'all']),
    minImages: numberOption(v, 'min-images', (x) => x >= 0, 'a number ≥ 0'),
    minFraction: numberOption(v, 'min-fraction', (x) => x >= 0 && x <= 1, 'a fraction between 0 and 1'),
    minR2: numberOption(v, 'min-r2', (x) => x <= 1, 'a number ≤ 1'),
    zipfS: numberOption(v, 'zipf-s', (x) => x > 0, 'a positive number'),
    fromEpoch: numberOption(v, 'from', (x) => x >= 0, 'an epoch ≥ 0'),
    includeInitial: v['include-initial'] === true ? true : undefined,
  }
  const { project, runId } = await openRun(positionals, projectDir(v), 'subproblems')
  const r = await subproblems(project, runId, opts)
  if (v.json) io.out(JSON.stringify(r))
  else formatSubproblems(r).forEach((l) => io.out(l))
  if (target)
    await writeBeyondFigure(
      { kind: 'rates', data: r.rates, options: {} },
      target,
      v.json ? { out: io.err, err: io.err } : io,
    )
  return 0
}

export const subproblemsCommand: Command = {
  summary: SUBPROBLEMS_SUMMARY,
  usage: SUBPROBLEMS_USAGE,
  options: { ...projectOption, ...SUBPROBLEMS_OPTIONS },
  run: subproblemsRun,
}
