/** `sgdscope figure`: runs drawn as a publication figure, as the app's saved views draw them. */
import { existsSync, statSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import * as path from 'node:path'
import { Project } from '../../archive/project'
import { viewFileName } from '../../figures/file-names'
import type { ViewToRender } from '../../figures/views'

/** The formats of --animate (figures/animate.ts ANIMATION_FORMATS, without loading it). */
const ANIMATION_FORMATS: readonly AnimationFormat[] = ['gif', 'apng', 'png-sequence']
import { writeFileAtomic } from '../../archive/atomic'
import type { AnimationFormat } from '../../figures/animate'
import { UsageError, projectDir, projectOption, type Command, type Io, type Values } from '../command'
import { figureLook, lookOptions, pathQuery, viewOptions, writeViewFigure } from '../view-options'

export const figureCommand: Command = {
  summary:
    'draw runs as a publication figure (SVG, PNG or PDF), or the paths over time as an animation (GIF, APNG, PNGs)',
  usage: `sgdscope figure RUN... --kind paths|metrics|compare|shepard --out FILE|DIR/ [--format svg|png|pdf]
           [--animate [--fps 10]]   paths/compare over time, one frame per snapshot: --out a.gif (GIF),
                                    a.apng or --format apng (APNG), a.png (a-0001.png, a-0002.png, …)
           [--view tau|kappa] [--method smacof|...] [--epochs 2:20] [--nets 0-4] [--max-iter N] [--starts N] [--start classical|landmark|random] [--seed S] [--align joint|procrustes]
           [--labels a,b] [--style paper|paper-serif|colorblind] [--width 3.5in|7.16in|89mm] [--height H]
           [--dpi 300] [--font-size 8] [--color-by epoch|net|run] [--layout overlay|panels]
           [--log-x] [--log-y] [--no-points] [--no-lines] [--project DIR]
  --out DIR/ (an existing folder, or a path ending in /) names the file from the runs' labels,
  the kind and the view (batch_1-paths-tau.pdf), with a counter if that file exists
  (batch_1-paths-tau-2.pdf); the format is then --format's, PDF by default.`,
  options: {
    ...projectOption,
    ...viewOptions,
    ...lookOptions,
    kind: { type: 'string', short: 'k' },
    format: { type: 'string', short: 'f' },
    out: { type: 'string', short: 'o' },
    align: { type: 'string' },
    labels: { type: 'string' },
    animate: { type: 'boolean' },
    fps: { type: 'string' },
  },
  async run(positionals, v, io) {
    if (positionals.length === 0) throw new UsageError('figure needs at least one run')
    if (!v.out) throw new UsageError('figure needs --out FILE (or --out DIR/ to name the file from the run)')
    const outArg = String(v.out)
    if (v.animate) return animate(positionals, v, io, outArg)
    if (v.fps !== undefined) throw new UsageError('--fps is for --animate')
    const intoDir = /[/\\]$/.test(outArg) || (existsSync(outArg) && statSync(outArg).isDirectory())
    const format = String(v.format ?? (intoDir ? 'pdf' : path.extname(outArg).slice(1)) ?? '').toLowerCase()
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
    let out = outArg
    if (intoDir) {
      await mkdir(outArg, { recursive: true })
      const name = await viewFileName(project, view, format, (f) => existsSync(path.join(outArg, f)))
      out = path.join(outArg, name)
    }
    const bytes = await writeViewFigure(project, view, format as 'svg' | 'png' | 'pdf', out)
    io.out(
      `wrote ${out} (${format.toUpperCase()}, ${view.look.widthIn.toFixed(2)} in wide, ${bytes.toLocaleString('en-US')} bytes)`,
    )
    return 0
  },
}

/** --animate: the paths view over time (figures/animate.ts), written as GIF, APNG or numbered PNGs. */
async function animate(positionals: string[], v: Values, io: Io, out: string): Promise<number> {
  const ext = path.extname(out).slice(1).toLowerCase()
  const format = String(v.format ?? (ext === 'png' ? 'png-sequence' : ext)).toLowerCase()
  if (!ANIMATION_FORMATS.includes(format as AnimationFormat))
    throw new UsageError(
      `--animate writes gif, apng or png-sequence (--out a.gif, a.apng, or a.png for a-0001.png, …), not "${format}"`,
    )
  const fps = v.fps === undefined ? 10 : Number(v.fps)
  if (!(fps >= 0.5 && fps <= 60)) throw new UsageError(`--fps must be from 0.5 to 60, not "${String(v.fps)}"`)
  const kind = String(v.kind ?? (positionals.length > 1 ? 'compare' : 'paths'))
  if (kind !== 'paths' && kind !== 'compare')
    throw new UsageError(`--animate draws paths or compare figures over time, not "${kind}"`)
  const project = await Project.open(projectDir(v))
  const ids = []
  for (const r of positionals) ids.push(await project.resolveRunId(r))
  const labels = v.labels ? String(v.labels).split(',') : undefined
  if (labels && labels.length !== ids.length)
    throw new UsageError(`--labels gives ${labels.length} label(s) for ${ids.length} run(s)`)
  const view: ViewToRender = {
    kind,
    query: pathQuery(ids, v, labels),
    look: figureLook(v, kind === 'compare' ? { layout: 'panels' } : {}),
  }
  const { renderAnimation, sequenceNames } = await import('../../figures/animate')
  const a = await renderAnimation(project, view, format as AnimationFormat, {
    fps,
    onProgress: (p) => io.err(`${p.stage} ${p.done}/${p.total}`),
  })
  const size = `${a.widthPx}×${a.heightPx} px, ${a.frameCount} frames at ${fps} fps`
  if (a.frames) {
    const names = sequenceNames(out, a.frames.length)
    let bytes = 0
    for (const [k, png] of a.frames.entries()) {
      await writeFileAtomic(names[k]!, png)
      bytes += png.length
    }
    io.out(
      `wrote ${names[0]} … ${names[names.length - 1]} (PNG sequence, ${size}, ${bytes.toLocaleString('en-US')} bytes)`,
    )
  } else {
    await writeFileAtomic(out, a.content!)
    io.out(`wrote ${out} (${format.toUpperCase()}, ${size}, ${a.content!.length.toLocaleString('en-US')} bytes)`)
  }
  return 0
}
