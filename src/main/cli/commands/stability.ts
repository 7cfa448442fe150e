/** `sgdscope stability`: how stable a spawned run's children are to SGD's noise, per spawn point (issue 21). */
import { stability, type StabilityReport } from '../../analysis/beyond/stability'
import { numberOption, oneOf } from '../args'
import { f3, figureTarget, openRun, outputOptions, OUTPUT_USAGE, pct, writeBeyondFigure } from '../beyond-output'
import { projectDir, projectOption, type Command } from '../command'
import { countReporter } from '../progress'

const ep = (x: number) => String(+x.toPrecision(4))

export function formatStability(r: StabilityReport): string[] {
  const lines = [
    `${r.runId} (spawned from ${r.parent}): barriers at epoch ${ep(r.epoch)} on ${r.evaluatedOn.count} ${r.evaluatedOn.set} images; distances at the end`,
    `  ${'k (epochs)'.padEnd(11)} ${'siblings: error barrier'.padStart(24)} ${'aligned'.padStart(8)} ${'loss b.'.padStart(8)} ${'τ dist'.padStart(8)} ${'κ disagr'.padStart(9)}   ${'strangers: error b.'.padStart(20)} ${'τ dist'.padStart(8)} ${'κ disagr'.padStart(9)}`,
  ]
  for (const p of r.points) {
    const s = p.siblings
    const t = p.strangers
    const spread = s.pairs
      ? `${pct(s.errorBarrier.before.mean)} (${pct(s.errorBarrier.before.min)}–${pct(s.errorBarrier.before.max)})`
      : '—'
    lines.push(
      `  ${ep(p.at).padEnd(11)} ${spread.padStart(24)} ${pct(s.errorBarrier.after.mean).padStart(8)} ${f3(s.lossBarrier.before.mean).padStart(8)} ${f3(s.tauDistance.at(-1)!).padStart(8)} ${pct(s.kappaDisagreement.at(-1)!).padStart(9)}   ` +
        (t
          ? `${pct(t.errorBarrier.before.mean).padStart(20)} ${f3(t.tauDistance.at(-1)!).padStart(8)} ${pct(t.kappaDisagreement.at(-1)!).padStart(9)}`
          : `${'(one parent)'.padStart(20)}`),
    )
  }
  const per = r.firstStable.perParent.filter((x): x is number => x !== null).sort((a, b) => a - b)
  const never = r.firstStable.perParent.length - per.length
  const spreadText = per.length
    ? `per parent: ${ep(per[0]!)}–${ep(per.at(-1)!)}, median ${ep(per[Math.floor((per.length - 1) / 2)]!)}${never ? `; ${never} parent(s) never below it` : ''}`
    : 'no parent falls below it'
  lines.push(
    r.firstStable.mean === null
      ? `  stable: the mean sibling error barrier never falls below ${pct(r.threshold)} (${spreadText})`
      : `  stable from k = ${ep(r.firstStable.mean)} epochs: the first spawn point whose mean sibling error barrier is below ${pct(r.threshold)} (${spreadText})`,
  )
  return lines
}

export const stabilityCommand: Command = {
  summary:
    "how stable a spawned run's children are to SGD's noise: barriers and distances between siblings per spawn point",
  usage:
    `sgdscope stability RUN [--threshold 0.02] [--points 11] [--count 2000] [--on test|train] [--project DIR] ${OUTPUT_USAGE}\n` +
    '           RUN is a spawned run (sgdscope spawn). Siblings: children of one parent state; strangers: children of different parents.',
  options: {
    ...projectOption,
    threshold: { type: 'string' },
    points: { type: 'string' },
    count: { type: 'string' },
    on: { type: 'string' },
    ...outputOptions,
  },
  async run(positionals, v, io) {
    const opts = {
      threshold: numberOption(v, 'threshold', (x) => x > 0 && x < 1, 'a fraction between 0 and 1 (0.02 is 2 %)'),
      points: numberOption(
        v,
        'points',
        (x) => Number.isInteger(x) && x >= 2 && x <= 1001,
        'a whole number of points between 2 and 1001',
      ),
      count: numberOption(v, 'count', (x) => Number.isInteger(x) && x >= 1, 'a number of images ≥ 1'),
      on: oneOf(v, 'on', ['test', 'train'] as const),
    }
    const target = figureTarget(v)
    const { project, runId } = await openRun(positionals, projectDir(v), 'stability')
    const bar = countReporter('pairs')
    const t0 = Date.now()
    let r: StabilityReport
    try {
      r = await stability(project, runId, {
        ...opts,
        signal: io.signal,
        onProgress: (done, total) => {
          const s = (Date.now() - t0) / 1000
          bar.update({ stage: 'barriers', done, total, etaSeconds: done > 0 ? (s / done) * (total - done) : null })
        },
      })
    } finally {
      bar.stop()
    }
    if (v.json) io.out(JSON.stringify(r))
    else formatStability(r).forEach((l) => io.out(l))
    if (target)
      await writeBeyondFigure(
        { kind: 'stability', data: r.figure, options: {} },
        target,
        v.json ? { out: io.err, err: io.err } : io,
      )
    return 0
  },
}
