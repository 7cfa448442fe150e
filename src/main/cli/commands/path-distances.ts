/** `sgdscope path-distances`: distances between whole paths, and "the same path, only faster?". */
import type { PathDistancesReport } from '../../../shared/figures/beyond-data'
import { pathDistances } from '../../analysis/beyond/path-distances'
import { Project } from '../../archive/project'
import { projectDir, projectOption, UsageError, type Command, type Io, type Values } from '../command'
import { oneOf, parseNets } from '../args'
import { f3 } from '../beyond-output'
import { countReporter } from '../progress'

export const PATH_DISTANCES_OPTIONS = {
  view: { type: 'string' },
  progress: { type: 'string' },
  nets: { type: 'string' },
  grid: { type: 'string' },
  json: { type: 'boolean' },
} as const

export function formatPathDistances(r: PathDistancesReport): string[] {
  const by = r.progress === 'length' ? 'path length' : 'fall of the test error'
  const unit = r.view === 'tau' ? 'τ distance' : 'κ disagreement'
  const lines = [
    `${r.paths.length} paths (${r.view}): discrete Fréchet distance and mean ${unit} at equal progress (by ${by}); ${r.seconds.toFixed(1)} s`,
  ]
  for (const s of r.spread)
    lines.push(`  within ${s.runId}: median over ${s.pairs} pairs: aligned ${f3(s.aligned)}, Fréchet ${f3(s.frechet)}`)
  for (const c of r.comparisons)
    lines.push(
      `  ${c.runs[0]} vs ${c.runs[1]}: same start ${f3(c.sameStart.aligned)} aligned (${c.sameStart.pairs} pairs), different starts ${f3(c.differentStart.aligned)} (${c.differentStart.pairs} pairs); ratio ${f3(c.ratio)}: ${c.verdict}`,
    )
  for (const u of r.unaligned) {
    const p = r.paths[u.path]
    lines.push(`  not aligned: ${p.runId} network ${p.net}: ${u.reason}`)
  }
  lines.push(
    `  whole paths in 2-D (classical MDS of the ${r.embedding.of} distances): stress-1 ${f3(r.embedding.stress)}`,
  )
  return lines
}

async function pathDistancesRun(positionals: string[], v: Values, io: Io): Promise<number> {
  if (positionals.length === 0)
    throw new UsageError('path-distances needs one or more runs (id, unique part of it, or number in `sgdscope list`)')
  const project = await Project.open(projectDir(v))
  const runIds = []
  for (const p of positionals) runIds.push(await project.resolveRunId(p))
  const grid = v.grid === undefined ? undefined : Number(v.grid)
  if (grid !== undefined && !(Number.isInteger(grid) && grid >= 2))
    throw new UsageError('--grid must be an integer ≥ 2')
  const bar = countReporter('')
  const r = await pathDistances(
    project,
    runIds,
    {
      view: oneOf(v, 'view', ['tau', 'kappa'] as const),
      progress: oneOf(v, 'progress', ['length', 'error'] as const),
      ...(v.nets ? { nets: parseNets(String(v.nets)) } : {}),
      ...(grid ? { grid } : {}),
    },
    (stage, done, total) => bar.update({ stage, done, total, etaSeconds: null }),
  )
  bar.stop()
  if (v.json) io.out(JSON.stringify(r))
  else formatPathDistances(r).forEach((l) => io.out(l))
  return 0
}

export const pathDistancesCommand: Command = {
  summary:
    'distances between whole paths (Fréchet, progress-aligned) within and across runs: the same path, only faster?',
  usage:
    'sgdscope path-distances RUN [RUN...] [--view tau|kappa] [--progress length|error] [--nets 0-9] [--grid 64] [--json] [--project DIR]',
  options: { ...projectOption, ...PATH_DISTANCES_OPTIONS },
  run: pathDistancesRun,
}
