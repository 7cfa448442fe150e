/** `sgdscope mphate`: M-PHATE of a run's hidden units across its kept snapshots (issue 22 item 5). */
import { MPHATE_COLORS, type MphateReport } from '../../../shared/figures/beyond-data'
import { mphateRun } from '../../analysis/beyond/mphate'
import { numberOption, oneOf, parseNets } from '../args'
import { figureTarget, openRun, outputOptions, OUTPUT_USAGE, writeBeyondFigure } from '../beyond-output'
import { UsageError, projectDir, projectOption, type Command } from '../command'
import { countReporter } from '../progress'

const ep = (x: number) => String(+x.toPrecision(4))

export function formatMphate(r: MphateReport): string[] {
  const o = r.options
  const lines = [
    `${r.runId}: M-PHATE of ${r.units} hidden units (${r.layers.length > 1 ? `layers ${r.layers.join(', ')}` : 'one layer'}, ${r.activation}) of network${r.nets.length > 1 ? 's' : ''} ${r.nets.join(' and ')}`,
    `  ${r.snapshots.length} snapshots (of ${r.kept} with kept weights), epochs ${ep(r.epochs[0]!)}–${ep(r.epochs.at(-1)!)}; trace set ${r.trace.count} probe items (up to ${r.trace.perClass} per class, ${r.trace.classes} classes)`,
    `  kernel: intraslice knn ${o.intrasliceKnn}, interslice knn ${o.intersliceKnn}, decay ${o.decay}, gamma ${o.gamma}`,
  ]
  for (const p of r.perNet)
    lines.push(
      `  network ${p.net}: diffusion time t = ${p.diffusionTime}, interslice bandwidth ${p.intersliceBandwidth.toPrecision(4)}, stress-1 on the potential distances ${p.stress.toFixed(4)}`,
    )
  if (r.matching)
    lines.push(
      `  units matched by weight matching at snapshot ${r.matching.alignedAt}: ${r.matching.moved} of ${r.units} relabelled; Procrustes residual of the second picture on the first ${r.matching.procrustesResidual.toFixed(3)}`,
    )
  lines.push(`  computed in ${r.seconds.toFixed(1)} s`)
  return lines
}

export const mphateCommand: Command = {
  summary: "M-PHATE of hidden units: each unit's activations on a trace set at each kept snapshot, in 2-D",
  usage:
    `sgdscope mphate RUN [--nets 0 | --nets 0,1] [--color epoch|layer|class] [--per-class 10] [--max-points 2000] [--intraslice-knn 2] [--interslice-knn 25] [--decay 5] [--gamma 0] [--project DIR] ${OUTPUT_USAGE}\n` +
    '           Needs weights kept at several snapshots (keepWeights "all" or chosen epochs). Two networks: the second’s units are matched to the first’s.',
  options: {
    ...projectOption,
    nets: { type: 'string' },
    color: { type: 'string' },
    'per-class': { type: 'string' },
    'max-points': { type: 'string' },
    'intraslice-knn': { type: 'string' },
    'interslice-knn': { type: 'string' },
    decay: { type: 'string' },
    gamma: { type: 'string' },
    ...outputOptions,
  },
  async run(positionals, v, io) {
    const whole = (x: number) => Number.isInteger(x) && x >= 1
    const nets = v.nets === undefined ? undefined : [...new Set(parseNets(String(v.nets)))]
    if (nets && (nets.length < 1 || nets.length > 2))
      throw new UsageError('--nets takes one network, or two to compare (e.g. --nets 0,1)')
    const color = oneOf(v, 'color', MPHATE_COLORS)
    const opts = {
      ...(nets ? { nets } : {}),
      perClass: numberOption(v, 'per-class', whole, 'a whole number ≥ 1'),
      maxPoints: numberOption(v, 'max-points', whole, 'a whole number ≥ 1'),
      intrasliceKnn: numberOption(v, 'intraslice-knn', whole, 'a whole number ≥ 1'),
      intersliceKnn: numberOption(v, 'interslice-knn', whole, 'a whole number ≥ 1'),
      decay: numberOption(v, 'decay', (x) => x > 0, 'a positive number'),
      gamma: numberOption(v, 'gamma', (x) => x >= -1 && x <= 1, 'a number between −1 and 1'),
    }
    const target = figureTarget(v)
    const { project, runId } = await openRun(positionals, projectDir(v), 'mphate')
    const bar = countReporter('steps')
    let r: MphateReport
    try {
      r = await mphateRun(project, runId, {
        ...opts,
        signal: io.signal,
        onProgress: (stage, done, total) => bar.update({ stage, done, total, etaSeconds: null }),
      })
    } finally {
      bar.stop()
    }
    if (v.json) io.out(JSON.stringify(r))
    else formatMphate(r).forEach((l) => io.out(l))
    if (target)
      await writeBeyondFigure(
        { kind: 'mphate', data: r.figure, options: color ? { color } : {} },
        target,
        v.json ? { out: io.err, err: io.err } : io,
      )
    return 0
  },
}
