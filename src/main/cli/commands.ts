/**
 * The CLI's commands, one entry each: name → options, help text and action. The
 * entry point (index.ts) parses argv against this table, so a new command is added
 * here and nowhere else.
 */
import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import type { ParseArgsConfig } from 'node:util'
import { checkSpec, type ExperimentSpec } from '../../shared/spec'
import { PRESETS, PRESET_IDS, isPresetId } from '../../shared/presets'
import { Project } from '../archive/project'
import type { RunArchive } from '../archive/run'
import { createRun, liveStatus, trainRun, type Shard } from '../experiments/runner'
import { formatDuration, progressReporter } from './progress'

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
  io.out(summaryLine(run, await finalMetrics(run)))
  return status === 'interrupted' && io.signal.aborted ? 130 : 0
}

const runOptions = {
  ...projectOption,
  preset: { type: 'string' },
  workers: { type: 'string', short: 'w' },
  shard: { type: 'string' },
  set: { type: 'string', multiple: true },
  'no-deskew': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  ...Object.fromEntries(Object.keys(OVERRIDES).map((k) => [k, { type: 'string' }])),
} as const

/** Mean, min and max of each metric at each network's last recorded snapshot. */
async function finalMetrics(run: RunArchive): Promise<Record<string, { mean: number; min: number; max: number }>> {
  const m = await run.readMetrics()
  const done = await run.readDone()
  const { nets, snapshots: S, metrics: names } = run.attrs
  const out: Record<string, { mean: number; min: number; max: number }> = {}
  names.forEach((name, c) => {
    const vals: number[] = []
    for (let k = 0; k < nets; k++) {
      let last = -1
      for (let j = 0; j < S; j++) if (done[k * S + j]) last = j
      if (last >= 0) vals.push(m[(k * S + last) * names.length + c])
    }
    if (vals.length) out[name] = { mean: vals.reduce((a, b) => a + b, 0) / vals.length, min: Math.min(...vals), max: Math.max(...vals) }
  })
  return out
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`
function summaryLine(run: RunArchive, f: Awaited<ReturnType<typeof finalMetrics>>): string {
  if (f.test_error) return `  final test error ${pct(f.test_error.mean)} (range ${pct(f.test_error.min)}–${pct(f.test_error.max)}), train error ${pct(f.train_error.mean)} over ${run.attrs.nets} network(s)`
  if (f.norm) return `  final |θ| ${f.norm.mean.toFixed(4)} (range ${f.norm.min.toFixed(4)}–${f.norm.max.toFixed(4)}) over ${run.attrs.nets} vector(s)`
  return '  no snapshots recorded yet'
}

function describeSpec(s: ExperimentSpec): string {
  if (s.kind === 'stochastic') return `stochastic model ${s.nets}×${s.dim}, ε=${s.epsilon}, ${s.picking}${s.picking === 'zipf' ? ` s=${s.zipfS}` : ''}, ${s.steps} steps`
  return `${s.nets} nets ${s.hidden} hidden, ${s.epochs} ep, η=${s.lr}, batch ${s.batch}, ${s.loss}${s.momentum ? `, μ=${s.momentum}` : ''}`
}

export const COMMANDS: Record<string, Command> = {
  run: {
    summary: 'create a run from a preset or a spec file and train it',
    usage: `sgdscope run [SPEC.json] [--preset fig1..fig8] [--project DIR] [--nets N] [--epochs E] [--lr η]
             [--batch M] [--hidden H] [--seed S] [--momentum μ] [--loss mse|cross-entropy]
             [--init torch7|xavier|normal] [--order per-network|shared] [--probe P] [--no-deskew]
             [--dataset mnist|fashion-mnist] [--set field=value]... [--workers W] [--dry-run]`,
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
      const project = await Project.openOrCreate(dir)
      let code = 0
      for (const w of wanted) {
        const run = await createRun(project, w.spec)
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
          const run = await project.openRun(id)
          const prog = await run.progress()
          rows.push({ id, status: await liveStatus(run), name: run.attrs.spec.name ?? '', spec: describeSpec(run.attrs.spec), done: prog.done, total: prog.total, final: await finalMetrics(run) })
        } catch (e) {
          rows.push({ id, status: 'unreadable', name: '', spec: (e as Error).message, done: 0, total: 0, final: {} })
        }
      }
      if (v.json) {
        io.out(JSON.stringify(rows, null, 2))
        return 0
      }
      if (rows.length === 0) io.out(`no runs in ${project.dir} yet (start one with: sgdscope run --preset fig1 --project ${project.dir})`)
      rows.forEach((r, i) => {
        const te = (r.final as Record<string, { mean: number }>).test_error
        io.out(`${String(i + 1).padStart(3)}  ${r.id}  ${r.status.padEnd(11)} ${String(r.done).padStart(6)}/${r.total} snapshots  ${te ? `test err ${pct(te.mean)}  ` : ''}${r.spec}`)
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
      const prog = await run.progress()
      const metrics = await run.readMetrics()
      const { epochs, samples } = await run.readTimes()
      const S = a.snapshots
      const M = a.metrics.length
      // Ensemble mean of each metric per snapshot, over networks that recorded it.
      const table = Array.from({ length: S }, (_, j) => {
        const row: Record<string, number> = { epoch: epochs[j], samples: samples[j] }
        a.metrics.forEach((name, c) => {
          let s = 0
          let n = 0
          for (let k = 0; k < a.nets; k++) {
            const x = metrics[(k * S + j) * M + c]
            if (!Number.isNaN(x)) (s += x), n++
          }
          row[name] = n ? s / n : NaN
        })
        return row
      })
      const status = await liveStatus(run)
      if (v.json) {
        io.out(JSON.stringify({ ...a, status, progress: prog, metricsPerSnapshot: table }, null, 2))
        return 0
      }
      io.out(`run       ${a.id}`)
      io.out(`project   ${project.dir}`)
      io.out(`status    ${status}${a.error ? ` — ${a.error}` : ''}`)
      io.out(`spec      ${describeSpec(a.spec)}`)
      io.out(`engine    ${a.engine ? `${a.engine.name}${a.engine.backend ? ` (${a.engine.backend})` : ''}: ${a.engine.reason}` : '?'}`)
      io.out(`versions  ${Object.entries(a.versions).map(([k, x]) => `${k} ${x}`).join(', ')}`)
      if (a.dataset) io.out(`dataset   ${a.dataset.id}: ${a.dataset.trainCount} train, ${a.dataset.testCount} test, ${a.dataset.rows}×${a.dataset.cols}, ${a.dataset.classes} classes`)
      io.out(`created   ${a.created}; training time ${formatDuration(a.trainSeconds)}`)
      io.out(`progress  ${prog.done}/${prog.total} (network, snapshot) pairs recorded`)
      io.out('')
      io.out(['epoch'.padStart(9), 'samples'.padStart(11), ...a.metrics.map((n) => n.padStart(12))].join(' ') + '   (ensemble mean)')
      for (const r of table) {
        const cells = a.metrics.map((n) => (Number.isNaN(r[n]) ? '—' : n.endsWith('error') ? pct(r[n]) : r[n].toFixed(5)).padStart(12))
        io.out([r.epoch.toFixed(3).padStart(9), String(r.samples).padStart(11), ...cells].join(' '))
      }
      io.out('')
      io.out(`full spec: ${JSON.stringify(a.spec)}`)
      return 0
    },
  },
}
