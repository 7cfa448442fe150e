/** `sgdscope figure`: runs drawn as a publication figure, as the app's saved views draw them. */
import * as path from 'node:path'
import { Project } from '../../archive/project'
import type { ViewToRender } from '../../figures/views'
import { UsageError, projectDir, projectOption, type Command } from '../command'
import { figureLook, lookOptions, pathQuery, viewOptions, writeViewFigure } from '../view-options'

export const figureCommand: Command = {
  summary: 'draw runs as a publication figure (SVG, PNG or PDF)',
  usage: `sgdscope figure RUN... --kind paths|metrics|compare|shepard --out FILE [--format svg|png|pdf]
           [--view tau|kappa] [--method smacof|...] [--epochs 2:20] [--nets 0-4] [--max-iter N] [--starts N] [--start classical|random] [--seed S] [--align joint|procrustes]
           [--labels a,b] [--style paper|paper-serif|colorblind] [--width 3.5in|7.16in|89mm] [--height H]
           [--dpi 300] [--font-size 8] [--color-by epoch|net|run] [--layout overlay|panels]
           [--log-x] [--log-y] [--no-points] [--no-lines] [--project DIR]`,
  options: {
    ...projectOption,
    ...viewOptions,
    ...lookOptions,
    kind: { type: 'string', short: 'k' },
    format: { type: 'string', short: 'f' },
    out: { type: 'string', short: 'o' },
    align: { type: 'string' },
    labels: { type: 'string' },
  },
  async run(positionals, v, io) {
    if (positionals.length === 0) throw new UsageError('figure needs at least one run')
    if (!v.out) throw new UsageError('figure needs --out FILE')
    const out = String(v.out)
    const format = String(v.format ?? path.extname(out).slice(1) ?? '').toLowerCase()
    if (!['svg', 'png', 'pdf'].includes(format))
      throw new UsageError(`--format must be svg, png or pdf (or give --out a .svg/.png/.pdf name)`)
    const kind = String(v.kind ?? (positionals.length > 1 ? 'compare' : 'paths'))
    if (!['paths', 'metrics', 'compare', 'shepard'].includes(kind))
      throw new UsageError(`--kind must be paths, metrics, compare or shepard, not "${kind}"`)
    const project = await Project.open(projectDir(v))
    const ids = []
    for (const r of positionals) ids.push(await project.resolveRunId(r))
    const labels = v.labels ? String(v.labels).split(',') : undefined
    if (labels && labels.length !== ids.length)
      throw new UsageError(`--labels gives ${labels.length} label(s) for ${ids.length} run(s)`)
    const view = {
      kind: kind as ViewToRender['kind'],
      query: pathQuery(ids, v, labels),
      look: figureLook(v, kind === 'compare' ? { layout: 'panels' } : {}),
    }
    const bytes = await writeViewFigure(project, view, format as 'svg' | 'png' | 'pdf', out)
    io.out(
      `wrote ${out} (${format.toUpperCase()}, ${view.look.widthIn.toFixed(2)} in wide, ${bytes.toLocaleString('en-US')} bytes)`,
    )
    return 0
  },
}
