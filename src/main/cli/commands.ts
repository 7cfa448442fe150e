/**
 * The CLI's commands, one entry each: name → options, help text and action. The
 * entry point (index.ts) parses argv against this table, so a new command is added
 * here and nowhere else.
 */
import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import type { ParseArgsConfig } from 'node:util'
import { checkSpec } from '../../shared/spec'
import { PRESETS, PRESET_IDS, isPresetId, type PresetId } from '../../shared/presets'
import { Project } from '../archive/project'
import { createOrJoinRun, createRun, liveLocks, shardNets, trainRun, type Shard } from '../experiments/runner'
import { readLock } from '../archive/lock'
import { describeSpec, runDetails, runSummary, type FinalMetrics } from '../experiments/summary'
import { formatDuration, progressReporter } from './progress'
import { embedPaths, runMetrics, EMBEDDING_METHODS } from '../analysis/paths'
import type { EmbeddingMethod } from '../analysis/types'
import { renderView, type ViewToRender } from '../figures/views'
import { FigureLook, PathQuery } from '../../shared/api/contract'
import { ensurePresetRuns, presetWindow, type Scale } from '../experiments/reproduce'
import { writeFileAtomic } from '../archive/atomic'
import { Service } from '../service'
import { FileSettingsStore } from '../settings'
import { startServer } from '../server'
import { spawn } from 'node:child_process'
import * as beyond from '../beyond/cli'
import { importCommand } from './commands/import'

export class UsageError extends Error {
  override name = 'UsageError'
}

type Values = Record<string, string | boolean | string[] | undefined>
export interface Command {
  summary: string
  usage: string
  options: NonNullable<ParseArgsConfig['options']>
  run(positionals: string[], values: Values, io: Io): Promise<number>
}
export interface Io {
  out: (line: string) => void
  err: (line: string) => void
  signal: AbortSignal
}

export const DEFAULT_PROJECT = 'project.sgdscope'
const projectOption = { project: { type: 'string', short: 'p' } } as const
const projectDir = (v: Values) => path.resolve(String(v.project ?? process.env.SGDSCOPE_PROJECT ?? DEFAULT_PROJECT))

/** Spec overrides available as flags: flag → [spec field, parser]. */
const OVERRIDES: Record<string, [string, (s: string) => unknown]> = {
  nets: ['nets', Number],
  epochs: ['epochs', Number],
  lr: ['lr', Number],
  batch: ['batch', Number],
  hidden: ['hidden', Number],
  seed: ['seed', Number],
  momentum: ['momentum', Number],
  probe: ['probe', Number],
  loss: ['loss', String],
  init: ['init', String],
  order: ['order', String],
  engine: ['engine', String],
  dataset: ['dataset.source', String],
  steps: ['steps', Number],
}

function setPath(obj: Record<string, unknown>, dotted: string, value: unknown) {
  const keys = dotted.split('.')
  let o = obj
  for (const k of keys.slice(0, -1)) {
    if (typeof o[k] !== 'object' || o[k] === null) o[k] = {}
    o = o[k] as Record<string, unknown>
  }
  o[keys[keys.length - 1]] = value
}

function parseValue(s: string): unknown {
  try {
    return JSON.parse(s)
  } catch {
    return s
  }
}

export function parseShard(s: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(s)
  if (!m) throw new UsageError(`--shard takes i/n (e.g. 1/4), not "${s}"`)
  const [i, n] = [+m[1], +m[2]]
  if (n < 1 || i < 1 || i > n) throw new UsageError(`--shard ${s}: i must be between 1 and n`)
  return { index: i - 1, count: n }
}

/** The specs a `run` invocation asks for: a preset's runs, or a spec file, with overrides. */
async function specsFrom(positionals: string[], v: Values): Promise<{ label: string; spec: Record<string, unknown> }[]> {
  let bases: { label: string; spec: Record<string, unknown> }[]
  if (v.preset) {
    const id = String(v.preset)
    if (!isPresetId(id)) throw new UsageError(`unknown preset "${id}" (presets: ${PRESET_IDS.join(', ')})`)
    bases = PRESETS[id].runs.map((r) => ({ label: r.label, spec: structuredClone(r.spec) as Record<string, unknown> }))
  } else if (positionals[0]) {
    const file = positionals[0]
    let text: string
    try {
      text = await fs.readFile(file, 'utf8')
    } catch (e) {
      throw new UsageError(`cannot read spec file ${file}: ${(e as Error).message}`)
    }
    try {
      bases = [{ label: path.basename(file), spec: JSON.parse(text) }]
    } catch (e) {
      throw new UsageError(`spec file ${file} is not valid JSON: ${(e as Error).message}`)
    }
    if (typeof bases[0].spec !== 'object' || bases[0].spec === null || Array.isArray(bases[0].spec))
      throw new UsageError(`spec file ${file} must hold a JSON object`)
  } else {
    bases = [{ label: 'default', spec: {} }]
  }
  for (const b of bases) {
    for (const [flag, [field, parse]] of Object.entries(OVERRIDES)) if (v[flag] !== undefined) setPath(b.spec, field, parse(String(v[flag])))
    if (v['no-deskew']) setPath(b.spec, 'dataset.deskew', false)
    for (const kv of (v.set as string[] | undefined) ?? []) {
      const eq = kv.indexOf('=')
      if (eq < 1) throw new UsageError(`--set takes field=value (e.g. snapshots.every=2), not "${kv}"`)
      setPath(b.spec, kv.slice(0, eq), parseValue(kv.slice(eq + 1)))
    }
  }
  return bases
}

async function train(project: Project, runId: string, v: Values, io: Io): Promise<number> {
  const bar = progressReporter()
  const workers = v.workers !== undefined ? Number(v.workers) : undefined
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0)) throw new UsageError('--workers takes a whole number ≥ 0')
  const shard = v.shard ? parseShard(String(v.shard)) : undefined
  let status
  try {
    status = await trainRun(project, runId, { workers, shard, signal: io.signal, onProgress: (p) => bar.update(p), onLog: io.err })
  } finally {
    bar.stop()
  }
  const run = await project.openRun(runId)
  io.out(`${runId}: ${status}${status === 'interrupted' ? ` (resume with: sgdscope resume ${runId} --project ${project.dir})` : ''}`)
  io.out(summaryLine(run.attrs.nets, (await runSummary(run)).final))
  return status === 'interrupted' && io.signal.aborted ? 130 : 0
}

const runOptions = {
  ...projectOption,
  preset: { type: 'string' },
  workers: { type: 'string', short: 'w' },
  shard: { type: 'string' },
  'run-id': { type: 'string' },
  set: { type: 'string', multiple: true },
  'no-deskew': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  ...Object.fromEntries(Object.keys(OVERRIDES).map((k) => [k, { type: 'string' }])),
} as const

const pct = (x: number) => `${(100 * x).toFixed(2)}%`
function summaryLine(nets: number, f: FinalMetrics): string {
  if (f.test_error) return `  final test error ${pct(f.test_error.mean)} (range ${pct(f.test_error.min)}–${pct(f.test_error.max)}), train error ${pct(f.train_error.mean)} over ${nets} network(s)`
  if (f.norm) return `  final |θ| ${f.norm.mean.toFixed(4)} (range ${f.norm.min.toFixed(4)}–${f.norm.max.toFixed(4)}) over ${nets} vector(s)`
  return '  no snapshots recorded yet'
}

/** "0-4" → [0..4]; "0,3,7" → [0,3,7]; mixed "0-2,5". */
export function parseNets(s: string): number[] {
  const out: number[] = []
  for (const part of s.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim())
    if (!m) throw new UsageError(`--nets takes a list like 0-4 or 0,3,7, not "${s}"`)
    const [a, b] = [+m[1], m[2] !== undefined ? +m[2] : +m[1]]
    if (b < a) throw new UsageError(`--nets ${part}: the range is backwards`)
    for (let k = a; k <= b; k++) out.push(k)
  }
  return out
}

/** "2:20" → [2, 20]; "2:" → [2, null]; ":1" → [null, 1]. */
export function parseEpochWindow(s: string): [number | null, number | null] {
  const m = /^([\d.]*):([\d.]*)$/.exec(s)
  const num = (x: string) => (x === '' ? null : Number(x))
  if (!m || [m[1], m[2]].some((x) => x !== '' && !Number.isFinite(Number(x)))) throw new UsageError(`--epochs takes from:to (e.g. 2:20, 2: or :1), not "${s}"`)
  return [num(m[1]), num(m[2])]
}

/** "3.5in", "7.16", "89mm", "8cm" → inches. */
export function parseLength(s: string): number {
  const m = /^([\d.]+)\s*(in|mm|cm|pt)?$/.exec(s.trim())
  if (!m || !Number.isFinite(Number(m[1]))) throw new UsageError(`a length is a number with in, mm, cm or pt (e.g. 3.5in), not "${s}"`)
  const x = Number(m[1])
  return { in: x, mm: x / 25.4, cm: x / 2.54, pt: x / 72 }[(m[2] ?? 'in') as 'in' | 'mm' | 'cm' | 'pt']
}

const viewOptions = {
  view: { type: 'string' },
  method: { type: 'string', short: 'm' },
  nets: { type: 'string' },
  epochs: { type: 'string' },
} as const

function pathQuery(runs: string[], v: Values, labels?: string[]): PathQuery {
  const r = PathQuery.safeParse({
    runs,
    ...(labels ? { labels } : {}),
    ...(v.view ? { view: v.view } : {}),
    ...(v.method ? { method: v.method } : {}),
    ...(v.nets ? { nets: parseNets(String(v.nets)) } : {}),
    ...(v.epochs ? { epochs: parseEpochWindow(String(v.epochs)) } : {}),
    ...(v.align ? { align: v.align } : {}),
  })
  if (!r.success) throw new UsageError(r.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}${i.path[0] === 'method' ? ` (methods: ${EMBEDDING_METHODS.join(', ')})` : ''}`).join('; '))
  return r.data
}

function figureLook(v: Values, base: Partial<FigureLook> = {}): FigureLook {
  const r = FigureLook.safeParse({
    ...base,
    ...(v.style ? { style: v.style } : {}),
    ...(v.width ? { widthIn: parseLength(String(v.width)) } : {}),
    ...(v.height ? { heightIn: parseLength(String(v.height)) } : {}),
    ...(v['font-size'] ? { fontSize: Number(v['font-size']) } : {}),
    ...(v.dpi ? { dpi: Number(v.dpi) } : {}),
    ...(v['color-by'] ? { colorBy: v['color-by'] } : {}),
    ...(v.layout ? { layout: v.layout } : {}),
    ...(v['log-x'] ? { logX: true } : {}),
    ...(v['log-y'] ? { logY: true } : {}),
    ...(v['no-points'] ? { points: false } : {}),
    ...(v['no-lines'] ? { lines: false } : {}),
  })
  if (!r.success) throw new UsageError(r.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; '))
  return r.data
}

const lookOptions = {
  style: { type: 'string' },
  width: { type: 'string' },
  height: { type: 'string' },
  'font-size': { type: 'string' },
  dpi: { type: 'string' },
  'color-by': { type: 'string' },
  layout: { type: 'string' },
  'log-x': { type: 'boolean' },
  'log-y': { type: 'boolean' },
  'no-points': { type: 'boolean' },
  'no-lines': { type: 'boolean' },
} as const

async function writeFigure(project: Project, view: ViewToRender, format: 'svg' | 'png' | 'pdf', file: string): Promise<number> {
  const fig = await renderView(project, view, format)
  const bytes = typeof fig.content === 'string' ? Buffer.from(fig.content) : fig.content
  await writeFileAtomic(file, bytes)
  return bytes.length
}

/** What the beyond-the-paper commands need of the CLI: the project folder and its usage error. */
const beyondCli = (v: Values) => ({ projectDir: projectDir(v), usage: (m: string) => new UsageError(m) })

export const COMMANDS: Record<string, Command> = {
  run: {
    summary: 'create a run from a preset or a spec file and train it',
    usage: `sgdscope run [SPEC.json] [--preset fig1..fig8] [--project DIR] [--nets N] [--epochs E] [--lr η]
             [--batch M] [--hidden H] [--seed S] [--momentum μ] [--loss mse|cross-entropy]
             [--init torch7|xavier|normal] [--order per-network|shared] [--probe P] [--no-deskew]
             [--dataset mnist|fashion-mnist] [--set field=value]... [--workers W] [--dry-run]
             [--shard i/n --run-id ID]   (train the networks k ≡ i−1 mod n of run ID; shards
                                          started together on several machines fill one run)`,
    options: runOptions,
    async run(positionals, v, io) {
      const dir = projectDir(v)
      const wanted = await specsFrom(positionals, v)
      for (const w of wanted) {
        const r = checkSpec(w.spec)
        if (!r.ok) throw new UsageError(`invalid spec (${w.label}):\n  ${r.problems.join('\n  ')}`)
        if (v['dry-run']) io.out(JSON.stringify(r.spec, null, 2))
      }
      if (v['dry-run']) return 0
      if (v.shard && !v['run-id']) throw new UsageError('--shard needs --run-id ID, the same for every shard (e.g. the Slurm job id)')
      if (v['run-id'] && wanted.length > 1) throw new UsageError(`--run-id names one run, but this preset has ${wanted.length}`)
      const project = await Project.openOrCreate(dir)
      let code = 0
      for (const w of wanted) {
        const run = v['run-id'] ? await createOrJoinRun(project, w.spec, String(v['run-id'])) : await createRun(project, w.spec)
        io.out(`run ${run.id} in ${project.dir}: ${describeSpec(run.attrs.spec)}`)
        code = await train(project, run.id, v, io)
        if (code !== 0) break
      }
      return code
    },
  },
  resume: {
    summary: 'continue an interrupted run to the result an uninterrupted run gives',
    usage: 'sgdscope resume RUN [--project DIR] [--workers W] [--shard i/n]',
    options: { ...projectOption, workers: { type: 'string', short: 'w' }, shard: { type: 'string' } },
    async run(positionals, v, io) {
      if (!positionals[0]) throw new UsageError('resume needs a run (id, unique part of it, or its number in `sgdscope list`)')
      const project = await Project.open(projectDir(v))
      const id = await project.resolveRunId(positionals[0])
      const run = await project.openRun(id)
      if (run.attrs.status === 'complete') {
        io.out(`${id} is already complete`)
        return 0
      }
      return train(project, id, v, io)
    },
  },
  list: {
    summary: 'list the runs of a project',
    usage: 'sgdscope list [--project DIR] [--json]',
    options: { ...projectOption, json: { type: 'boolean' } },
    async run(_p, v, io) {
      const project = await Project.open(projectDir(v))
      const rows = []
      for (const id of await project.runIds()) {
        try {
          rows.push(await runSummary(await project.openRun(id)))
        } catch (e) {
          rows.push({ id, status: 'unreadable', summary: (e as Error).message, done: 0, total: 0, final: {} as FinalMetrics })
        }
      }
      if (v.json) {
        io.out(JSON.stringify(rows, null, 2))
        return 0
      }
      if (rows.length === 0) io.out(`no runs in ${project.dir} yet (start one with: sgdscope run --preset fig1 --project ${project.dir})`)
      rows.forEach((r, i) => {
        const te = r.final.test_error
        io.out(`${String(i + 1).padStart(3)}  ${r.id}  ${r.status.padEnd(11)} ${String(r.done).padStart(6)}/${r.total} snapshots  ${te ? `test err ${pct(te.mean)}  ` : ''}${r.summary}`)
      })
      return 0
    },
  },
  info: {
    summary: 'show a run: spec, engine, versions, status, timings and metrics per snapshot',
    usage: 'sgdscope info RUN [--project DIR] [--json]',
    options: { ...projectOption, json: { type: 'boolean' } },
    async run(positionals, v, io) {
      if (!positionals[0]) throw new UsageError('info needs a run (id, unique part of it, or its number in `sgdscope list`)')
      const project = await Project.open(projectDir(v))
      const run = await project.openRun(await project.resolveRunId(positionals[0]))
      const a = run.attrs
      const d = await runDetails(run)
      if (v.json) {
        io.out(JSON.stringify(d, null, 2))
        return 0
      }
      const status = d.status
      io.out(`run       ${a.id}`)
      io.out(`project   ${project.dir}`)
      io.out(`status    ${status}${a.error ? ` — ${a.error}` : ''}`)
      io.out(`spec      ${describeSpec(a.spec)}`)
      io.out(`engine    ${a.engine ? `${a.engine.name}${a.engine.backend ? ` (${a.engine.backend})` : ''}: ${a.engine.reason}` : '?'}`)
      io.out(`versions  ${Object.entries(a.versions).map(([k, x]) => `${k} ${x}`).join(', ')}`)
      if (a.dataset) io.out(`dataset   ${a.dataset.id}: ${a.dataset.trainCount} train, ${a.dataset.testCount} test, ${a.dataset.rows}×${a.dataset.cols}, ${a.dataset.classes} classes`)
      io.out(`created   ${a.created}; training time ${formatDuration(a.trainSeconds)}`)
      io.out(`progress  ${d.done}/${d.total} (network, snapshot) pairs recorded`)
      io.out('')
      io.out(['epoch'.padStart(9), 'samples'.padStart(11), ...a.metrics.map((n) => n.padStart(12))].join(' ') + '   (ensemble mean)')
      d.epochs.forEach((epoch, j) => {
        const cells = a.metrics.map((n) => {
          const x = d.metricsPerSnapshot[n][j]
          return (x === null ? '—' : n.endsWith('error') ? pct(x) : x.toFixed(5)).padStart(12)
        })
        io.out([epoch.toFixed(3).padStart(9), String(d.samples[j]).padStart(11), ...cells].join(' '))
      })
      io.out('')
      io.out(`full spec: ${JSON.stringify(a.spec)}`)
      return 0
    },
  },
  embed: {
    summary: 'embed a run’s paths in 2-D (cached in the run) and print the stress',
    usage: 'sgdscope embed RUN [--view tau|kappa] [--method smacof|classical|landmark|pca|inpca] [--nets 0-4] [--epochs 2:20] [--project DIR] [--json]',
    options: { ...projectOption, ...viewOptions, json: { type: 'boolean' } },
    async run(positionals, v, io) {
      if (!positionals[0]) throw new UsageError('embed needs a run')
      const project = await Project.open(projectDir(v))
      const id = await project.resolveRunId(positionals[0])
      const q = pathQuery([id], v)
      const r = await embedPaths(project, q, (p) => io.err(`${p.stage} ${p.done}/${p.total}`))
      if (v.json) {
        io.out(JSON.stringify(r))
        return 0
      }
      io.out(`${id}: ${q.view} view, ${q.method}: Kruskal stress-1 ${r.stress?.toFixed(4)} over ${r.points} points (${r.cached ? 'from the cache' : `computed in ${r.seconds.toFixed(1)} s, cached`})`)
      const d = await runMetrics(project, id, q.view as 'tau' | 'kappa')
      const last = d.derived.epochs.length - 1
      if (last > 0)
        io.out(`  at epoch ${d.derived.epochs[last]}: mean pairwise distance ${d.derived.meanPairwise[last].toFixed(4)}, mean step ${d.derived.meanStep[last].toFixed(4)}, step/spread ${d.derived.stepToSpread[last].toFixed(4)}`)
      return 0
    },
  },
  figure: {
    summary: 'draw runs as a publication figure (SVG, PNG or PDF)',
    usage: `sgdscope figure RUN... --kind paths|metrics|compare --out FILE [--format svg|png|pdf]
             [--view tau|kappa] [--method smacof|...] [--epochs 2:20] [--nets 0-4] [--align joint|procrustes]
             [--labels a,b] [--style paper|paper-serif|colorblind] [--width 3.5in|7.16in|89mm] [--height H]
             [--dpi 300] [--font-size 8] [--color-by epoch|net|run] [--layout overlay|panels]
             [--log-x] [--log-y] [--no-points] [--no-lines] [--project DIR]`,
    options: { ...projectOption, ...viewOptions, ...lookOptions, kind: { type: 'string', short: 'k' }, format: { type: 'string', short: 'f' }, out: { type: 'string', short: 'o' }, align: { type: 'string' }, labels: { type: 'string' } },
    async run(positionals, v, io) {
      if (positionals.length === 0) throw new UsageError('figure needs at least one run')
      if (!v.out) throw new UsageError('figure needs --out FILE')
      const out = String(v.out)
      const format = String(v.format ?? path.extname(out).slice(1) ?? '').toLowerCase()
      if (!['svg', 'png', 'pdf'].includes(format)) throw new UsageError(`--format must be svg, png or pdf (or give --out a .svg/.png/.pdf name)`)
      const kind = String(v.kind ?? (positionals.length > 1 ? 'compare' : 'paths'))
      if (!['paths', 'metrics', 'compare'].includes(kind)) throw new UsageError(`--kind must be paths, metrics or compare, not "${kind}"`)
      const project = await Project.open(projectDir(v))
      const ids = []
      for (const r of positionals) ids.push(await project.resolveRunId(r))
      const labels = v.labels ? String(v.labels).split(',') : undefined
      if (labels && labels.length !== ids.length) throw new UsageError(`--labels gives ${labels.length} label(s) for ${ids.length} run(s)`)
      const view = { kind: kind as ViewToRender['kind'], query: pathQuery(ids, v, labels), look: figureLook(v, kind === 'compare' ? { layout: 'panels' } : {}) }
      const bytes = await writeFigure(project, view, format as 'svg' | 'png' | 'pdf', out)
      io.out(`wrote ${out} (${format.toUpperCase()}, ${view.look.widthIn.toFixed(2)} in wide, ${bytes.toLocaleString('en-US')} bytes)`)
      return 0
    },
  },
  reproduce: {
    summary: 'train (or reuse) the runs behind the paper’s figures and write each figure',
    usage: 'sgdscope reproduce fig1..fig8|all --out DIR [--scale quick|full] [--project DIR] [--workers W] [--style paper|colorblind]',
    options: { ...projectOption, out: { type: 'string', short: 'o' }, scale: { type: 'string' }, workers: { type: 'string', short: 'w' }, style: { type: 'string' } },
    async run(positionals, v, io) {
      const which = positionals.length === 0 || positionals.includes('all') ? [...PRESET_IDS] : positionals
      for (const id of which) if (!isPresetId(id)) throw new UsageError(`unknown figure "${id}" (fig1..fig8 or all)`)
      const scale = String(v.scale ?? 'quick') as Scale
      if (scale !== 'quick' && scale !== 'full') throw new UsageError('--scale is quick or full')
      if (!v.out) throw new UsageError('reproduce needs --out DIR')
      const outDir = path.resolve(String(v.out))
      const project = await Project.openOrCreate(v.project ? projectDir(v) : path.join(outDir, `reproduce-${scale}.sgdscope`))
      const workers = v.workers !== undefined ? Number(v.workers) : undefined
      const summary: string[] = [`sgdscope reproduce (${scale} scale), project ${project.dir}`, '']
      for (const id of which as PresetId[]) {
        const p = PRESETS[id]
        const bar = progressReporter()
        let runs
        try {
          runs = await ensurePresetRuns(project, id, scale, { workers, signal: io.signal, onProgress: (x) => bar.update(x), log: io.err })
        } finally {
          bar.stop()
        }
        const f = p.figure
        const query = PathQuery.parse({
          runs: runs.map((r) => r.id),
          labels: runs.map((r) => r.label),
          view: f.view,
          method: 'smacof',
          ...(f.firstNets ? { nets: Array.from({ length: f.firstNets }, (_, k) => k) } : {}),
          ...(presetWindow(p, scale) ? { epochs: presetWindow(p, scale) } : {}),
        })
        const view: ViewToRender = { kind: runs.length > 1 && f.layout === 'panels' ? 'compare' : 'paths', query, look: figureLook(v, { colorBy: f.colorBy }) }
        for (const format of ['svg', 'png', 'pdf'] as const) await writeFigure(project, view, format, path.join(outDir, `${id}.${format}`))
        const paths = await embedPaths(project, query)
        summary.push(`${id}: ${p.title}`)
        for (const r of runs) {
          const run = await project.openRun(r.id)
          const fin = (await runSummary(run)).final
          const d = await runMetrics(project, r.id, f.view)
          const last = d.derived.epochs.length - 1
          summary.push(`  ${r.label} — run ${r.id}${r.reused ? ' (reused)' : ''}: ${describeSpec(run.attrs.spec)}`)
          summary.push(summaryLine(run.attrs.nets, fin))
          if (last > 0) summary.push(`  ${f.view} memory ratio (mean step / mean pairwise distance) at epoch ${d.derived.epochs[last].toFixed(2)}: ${d.derived.stepToSpread[last].toFixed(4)}; pairwise distance ${d.derived.meanPairwise[last].toFixed(4)}`)
        }
        summary.push(`  embedding: ${query.method}, ${query.view}, Kruskal stress-1 ${paths.stress?.toFixed(4)} over ${paths.points} points`)
        summary.push(`  files: ${id}.svg ${id}.png ${id}.pdf`, '')
        io.out(`${id}: wrote ${path.join(outDir, id)}.{svg,png,pdf} (stress ${paths.stress?.toFixed(3)})`)
      }
      await writeFileAtomic(path.join(outDir, 'summary.txt'), summary.join('\n') + '\n')
      io.out(`summary: ${path.join(outDir, 'summary.txt')}`)
      return 0
    },
  },
  serve: {
    summary: 'the workbench in a web browser: serves the app and its API on 127.0.0.1 with a token',
    usage: 'sgdscope serve [PROJECT] [--port 8765] [--host 127.0.0.1] [--no-browser]',
    options: { port: { type: 'string' }, host: { type: 'string' }, 'no-browser': { type: 'boolean' } },
    async run(positionals, v, io) {
      const port = v.port !== undefined ? Number(v.port) : 8765
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port takes a port number (0 for any free port)')
      const host = String(v.host ?? '127.0.0.1')
      if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1')
        io.err(`warning: listening on ${host} makes the workbench reachable from other machines; anyone with the token can run code-heavy jobs on this one`)
      const service = new Service({ host: 'browser', settings: new FileSettingsStore() })
      if (positionals[0]) await service.call('project.open', { dir: positionals[0], create: true })
      const server = await startServer({ service, port, host })
      io.out(`sgdscope is serving the workbench at\n\n    ${server.url}\n\nOpen that URL in a browser (it carries the access token). Ctrl-C stops the server.`)
      if (!v['no-browser'] && !process.env.CI) {
        const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open'
        spawn(opener, [server.url], { stdio: 'ignore', detached: true }).on('error', () => {}).unref()
      }
      await new Promise<void>((resolve) => (io.signal.aborted ? resolve() : io.signal.addEventListener('abort', () => resolve())))
      io.err('stopping: training runs are marked interrupted and can be resumed')
      await service.shutdown()
      await server.close()
      return 0
    },
  },
  subproblems: {
    summary: beyond.SUBPROBLEMS_SUMMARY,
    usage: beyond.SUBPROBLEMS_USAGE,
    options: { ...projectOption, ...beyond.SUBPROBLEMS_OPTIONS },
    run: (positionals, v, io) => beyond.subproblemsCommand(positionals, v, io, beyondCli(v)),
  },
  barrier: {
    summary: beyond.BARRIER_SUMMARY,
    usage: beyond.BARRIER_USAGE,
    options: { ...projectOption, ...beyond.BARRIER_OPTIONS },
    run: (positionals, v, io) => beyond.barrierCommand(positionals, v, io, beyondCli(v)),
  },
  distances: {
    summary: beyond.DISTANCES_SUMMARY,
    usage: beyond.DISTANCES_USAGE,
    options: { ...projectOption, ...beyond.DISTANCES_OPTIONS },
    run: (positionals, v, io) => beyond.distancesCommand(positionals, v, io, beyondCli(v)),
  },
  import: importCommand,
  status: {
    summary: 'how far a run (and each of its shards) has come, and who is training it',
    usage: 'sgdscope status RUN [--project DIR] [--shards n]',
    options: { ...projectOption, shards: { type: 'string' } },
    async run(positionals, v, io) {
      if (!positionals[0]) throw new UsageError('status needs a run')
      const project = await Project.open(projectDir(v))
      const run = await project.openRun(await project.resolveRunId(positionals[0]))
      const a = run.attrs
      const s = await runSummary(run)
      const prog = await run.progress()
      io.out(`${a.id}: ${s.status}, ${prog.done}/${prog.total} (network, snapshot) pairs recorded (${((100 * prog.done) / prog.total).toFixed(1)}%)`)
      const locks = await liveLocks(run)
      for (const f of locks) {
        const l = await readLock(`${run.dir}/${f}`)
        if (l) io.out(`  training: ${f.replace(/\.json$/, '')} by process ${l.pid} on ${l.host} since ${l.started}`)
      }
      const fromLocks = locks.map((f) => /-of-(\d+)\.json$/.exec(f)?.[1]).find((x) => x !== undefined)
      const count = Number(v.shards ?? a.shardCount ?? fromLocks ?? 0)
      if (count > 1) {
        for (let i = 0; i < count; i++) {
          const nets = shardNets(a.nets, { index: i, count })
          const done = nets.reduce((acc, k) => acc + prog.perNet[k], 0)
          const live = locks.includes(`lock-shard-${i}-of-${count}.json`)
          io.out(`  shard ${i + 1}/${count}: ${nets.length} network(s), ${done}/${nets.length * a.snapshots} snapshots${done === nets.length * a.snapshots ? ' — done' : live ? ' — training' : ' — not running'}`)
        }
      } else {
        const behind = prog.perNet.map((c, k) => [k, c] as const).filter(([, c]) => c < a.snapshots)
        if (behind.length) io.out(`  networks not finished: ${behind.slice(0, 20).map(([k, c]) => `${k} (${c}/${a.snapshots})`).join(', ')}${behind.length > 20 ? ', …' : ''}`)
      }
      return 0
    },
  },
}
