/** `sgdscope reproduce`: train (or reuse) the runs behind the paper's figures (and the presets
 * beyond it) and write each figure. */
import * as path from 'node:path'
import { PathQuery } from '../../../shared/api/contract'
import { BEYOND_PRESET_IDS, PRESETS, PRESET_IDS, type PresetId } from '../../../shared/presets'
import { stability } from '../../analysis/beyond/stability'
import { embedPaths, runMetrics } from '../../analysis/paths'
import { writeFileAtomic } from '../../archive/atomic'
import { Project } from '../../archive/project'
import { ensurePresetRuns, presetWindow, presetsNamed, type PresetRun, type Scale } from '../../experiments/reproduce'
import { describeSpec, runSummary } from '../../experiments/summary'
import type { ViewToRender } from '../../figures/views'
import { UsageError, projectDir, projectOption, type Command, type Io } from '../command'
import { countReporter, progressReporter } from '../progress'
import { writeBeyondFigure } from '../beyond-output'
import { formatStability } from './stability'
import { summaryLine } from '../train'
import { figureLook, writeViewFigure } from '../view-options'

export const reproduceCommand: Command = {
  summary: 'train (or reuse) the runs behind the paper’s figures and the presets beyond it, and write each figure',
  usage: `sgdscope reproduce PRESET...|paper|beyond|all --out DIR [--scale quick|full] [--project DIR] [--workers W]
           [--style paper|colorblind]
           PRESET: ${PRESET_IDS.join(', ')}; paper = fig1..fig8, beyond = ${BEYOND_PRESET_IDS.join(', ')}
           (sgdscope presets lists them with the question each asks);
           stability trains parents, spawns their children and writes the stability figure`,
  options: {
    ...projectOption,
    out: { type: 'string', short: 'o' },
    scale: { type: 'string' },
    workers: { type: 'string', short: 'w' },
    style: { type: 'string' },
  },
  async run(positionals, v, io) {
    const which: PresetId[] = []
    for (const name of positionals.length ? positionals : ['all']) {
      const ids = presetsNamed(name)
      if (!ids) throw new UsageError(`unknown preset "${name}" (${PRESET_IDS.join(', ')}, paper, beyond or all)`)
      for (const id of ids) if (!which.includes(id)) which.push(id)
    }
    const scale = String(v.scale ?? 'quick') as Scale
    if (scale !== 'quick' && scale !== 'full') throw new UsageError('--scale is quick or full')
    if (!v.out) throw new UsageError('reproduce needs --out DIR')
    const outDir = path.resolve(String(v.out))
    const project = await Project.openOrCreate(
      v.project ? projectDir(v) : path.join(outDir, `reproduce-${scale}.sgdscope`),
    )
    const workers = v.workers !== undefined ? Number(v.workers) : undefined
    const summary: string[] = [`sgdscope reproduce (${scale} scale), project ${project.dir}`, '']
    for (const id of which) {
      const p = PRESETS[id]
      const bar = progressReporter()
      let runs: PresetRun[]
      const t0 = Date.now()
      try {
        runs = await ensurePresetRuns(project, id, scale, {
          workers,
          signal: io.signal,
          onProgress: (x) => bar.update(x),
          log: io.err,
        })
      } finally {
        bar.stop()
      }
      const f = p.figure
      if (f.view === 'stability') {
        summary.push(...(await stabilityFigure(project, id, runs, outDir, v, io, f.threshold)))
        summary.push(
          `  wall time ${((Date.now() - t0) / 1000).toFixed(0)} s to train the runs not reused (${
            runs
              .filter((r) => r.reused)
              .map((r) => r.label)
              .join(', ') || 'none'
          } reused)`,
          '',
        )
        continue
      }
      const query = PathQuery.parse({
        runs: runs.map((r) => r.id),
        labels: runs.map((r) => r.label),
        view: f.view,
        method: 'smacof',
        ...(f.firstNets ? { nets: Array.from({ length: f.firstNets }, (_, k) => k) } : {}),
        ...(presetWindow(p, scale) ? { epochs: presetWindow(p, scale) } : {}),
      })
      const view: ViewToRender = {
        kind: runs.length > 1 && f.layout === 'panels' ? 'compare' : 'paths',
        query,
        look: figureLook(v, { colorBy: f.colorBy }),
      }
      for (const format of ['svg', 'png', 'pdf'] as const)
        await writeViewFigure(project, view, format, path.join(outDir, `${id}.${format}`))
      const paths = await embedPaths(project, query)
      summary.push(`${id}: ${p.title}`)
      if (p.question) summary.push(`  question: ${p.question}`)
      for (const r of runs) {
        const run = await project.openRun(r.id)
        const fin = (await runSummary(run)).final
        const d = await runMetrics(project, r.id, f.view)
        const last = d.derived.epochs.length - 1
        summary.push(`  ${r.label} — run ${r.id}${r.reused ? ' (reused)' : ''}: ${describeSpec(run.attrs.spec)}`)
        summary.push(summaryLine(run.attrs.nets, fin))
        if (last > 0)
          summary.push(
            `  ${f.view} memory ratio (mean step / mean pairwise distance) at epoch ${d.derived.epochs[last].toFixed(2)}: ${d.derived.stepToSpread[last].toFixed(4)}; pairwise distance ${d.derived.meanPairwise[last].toFixed(4)}`,
          )
      }
      summary.push(
        `  embedding: ${query.method}, ${query.view}, Kruskal stress-1 ${paths.stress?.toFixed(4)} over ${paths.points} points`,
      )
      summary.push(`  files: ${id}.svg ${id}.png ${id}.pdf`, '')
      io.out(`${id}: wrote ${path.join(outDir, id)}.{svg,png,pdf} (stress ${paths.stress?.toFixed(3)})`)
    }
    await writeFileAtomic(path.join(outDir, 'summary.txt'), summary.join('\n') + '\n')
    io.out(`summary: ${path.join(outDir, 'summary.txt')}`)
    return 0
  },
}

/** The stability preset's figure and summary: the analysis of its spawned run. */
export async function stabilityFigure(
  project: Project,
  id: PresetId,
  runs: PresetRun[],
  outDir: string,
  v: Parameters<Command['run']>[1],
  io: Io,
  threshold: number | undefined,
): Promise<string[]> {
  const p = PRESETS[id]
  const child = runs.find((r) => r.stage === 'spawn')
  if (!child) throw new Error(`internal: preset ${id} has a stability figure but no spawn stage`)
  const bar = countReporter('pairs')
  let r
  try {
    r = await stability(project, child.id, {
      ...(threshold !== undefined ? { threshold } : {}),
      signal: io.signal,
      onProgress: (done, total) => bar.update({ stage: 'barriers', done, total, etaSeconds: null }),
    })
  } finally {
    bar.stop()
  }
  const look = figureLook(v, {})
  for (const format of ['svg', 'png', 'pdf'] as const)
    await writeBeyondFigure(
      { kind: 'stability', data: r.figure, options: {} },
      { file: path.join(outDir, `${id}.${format}`), format, look: { style: look.style } },
      { out: () => {}, err: io.err },
    )
  const lines = [`${id}: ${p.title}`]
  for (const run of runs) {
    const a = await project.openRun(run.id)
    lines.push(`  ${run.label} — run ${run.id}${run.reused ? ' (reused)' : ''}: ${describeSpec(a.attrs.spec)}`)
    lines.push(summaryLine(a.attrs.nets, (await runSummary(a)).final))
  }
  lines.push(...formatStability(r), `  files: ${id}.svg ${id}.png ${id}.pdf`)
  io.out(`${id}: wrote ${path.join(outDir, id)}.{svg,png,pdf}`)
  return lines
}
