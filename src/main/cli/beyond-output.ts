/**
 * What the beyond-the-paper commands (subproblems, barrier, distances) share: the options
 * that write their figure (--out, --format, --style, …), the figure itself, and the
 * number formats of their reports.
 */
import { writeFileAtomic } from '../archive/atomic'
import { Project } from '../archive/project'
import type { FigureFormat } from '../figures/export'
// Loaded when a figure is drawn: the renderers' dependency graph is hundreds of files, and the
// module loader opens them all at once (EMFILE under a low `ulimit -n` for every command).
import type { BeyondFigureData, BeyondLook } from '../figures/beyond'
import { numberOption, parseLength } from './args'
import { UsageError, type Io, type Values } from './command'

export const outputOptions = {
  json: { type: 'boolean' },
  out: { type: 'string', short: 'o' },
  format: { type: 'string', short: 'f' },
  style: { type: 'string' },
  width: { type: 'string' },
  height: { type: 'string' },
  'font-size': { type: 'string' },
  dpi: { type: 'string' },
} as const
export const OUTPUT_USAGE =
  '[--json] [--out FILE.svg|png|pdf] [--style paper|paper-serif|colorblind] [--width 3.5in] [--height H] [--font-size 8] [--dpi 300]'

export function figureTarget(v: Values): { file: string; format: FigureFormat; look: BeyondLook } | null {
  if (!v.out) return null
  const file = String(v.out)
  const format = String(v.format ?? file.slice(file.lastIndexOf('.') + 1)).toLowerCase()
  if (!['svg', 'png', 'pdf'].includes(format))
    throw new UsageError('--format must be svg, png or pdf (or give --out a .svg/.png/.pdf name)')
  const look: BeyondLook = {
    ...(v.style ? { style: String(v.style) } : {}),
    ...(v.width ? { widthIn: parseLength(String(v.width)) } : {}),
    ...(v.height ? { heightIn: parseLength(String(v.height)) } : {}),
    ...(v['font-size']
      ? { fontSize: numberOption(v, 'font-size', (x) => x >= 4 && x <= 30, 'a size in pt between 4 and 30') }
      : {}),
    ...(v.dpi
      ? {
          dpi: numberOption(
            v,
            'dpi',
            (x) => Number.isInteger(x) && x >= 50 && x <= 1200,
            'a whole number between 50 and 1200',
          ),
        }
      : {}),
  }
  return { file, format: format as FigureFormat, look }
}

export async function writeBeyondFigure(
  fig: BeyondFigureData,
  t: { file: string; format: FigureFormat; look: BeyondLook },
  io: Pick<Io, 'out' | 'err'>,
): Promise<void> {
  const { renderBeyondData } = await import('../figures/beyond')
  const r = await renderBeyondData(fig, t.format, t.look)
  const bytes = typeof r.content === 'string' ? Buffer.from(r.content) : r.content
  await writeFileAtomic(t.file, bytes)
  io.out(
    `wrote ${t.file} (${t.format.toUpperCase()}, ${r.widthIn.toFixed(2)} × ${r.heightIn.toFixed(2)} in, ${bytes.length.toLocaleString('en-US')} bytes)`,
  )
}

export async function openRun(
  positionals: string[],
  dir: string,
  command: string,
): Promise<{ project: Project; runId: string }> {
  if (!positionals[0])
    throw new UsageError(`${command} needs a run (id, unique part of it, or its number in \`sgdscope list\`)`)
  const project = await Project.open(dir)
  return { project, runId: await project.resolveRunId(positionals[0]) }
}

export const f3 = (x: number) =>
  Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(1) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3)) : '—'
export const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : '—')
export const r2 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '—')
