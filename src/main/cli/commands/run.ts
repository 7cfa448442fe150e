/** `sgdscope run`: create runs from a preset or a spec file (with overrides as flags) and train them. */
import { fs } from '../../archive/file-pool'
import * as path from 'node:path'
import { PRESETS, PRESET_IDS, isPresetId, scaledPresetName, type PresetId } from '../../../shared/presets'
import { checkSpec } from '../../../shared/spec'
import { Project } from '../../archive/project'
import { createOrJoinRun, createRun } from '../../experiments/runner'
import { describeSpec } from '../../experiments/summary'
import { UsageError, projectDir, projectOption, type Command, type Values } from '../command'
import { trainFromTerminal } from '../train'
import { parseWorkers } from '../args'
import { formatDuration } from '../progress'
import { defaultWorkerCount } from '../../engine/pool'
import { formatBytes, measureEngineSpeed, preflightSpec, type EngineSpeed } from '../../experiments/estimate'
import type { SpecEstimate } from '../../../shared/api/contract'

/** Spec overrides available as flags: flag → [spec field, parser]. */
const OVERRIDES: Record<string, [string, (s: string) => unknown]> = {
  nets: ['nets', Number],
  epochs: ['epochs', Number],
  lr: ['lr', Number],
  batch: ['batch', Number],
  // one width (a number), or the widths of 1–4 layers: 100,50 (or [100,50])
  hidden: [
    'hidden',
    (s: string) =>
      /[,[]/.test(s)
        ? s
            .replace(/[[\]\s]/g, '')
            .split(',')
            .map(Number)
        : Number(s),
  ],
  seed: ['seed', Number],
  momentum: ['momentum', Number],
  'weight-decay': ['weightDecay', Number],
  activation: ['activation', String],
  schedule: ['lrSchedule.kind', String],
  'lr-every': ['lrSchedule.every', Number],
  'lr-gamma': ['lrSchedule.gamma', Number],
  'lr-to': ['lrSchedule.to', Number],
  warmup: ['lrWarmup.epochs', Number],
  'warmup-start': ['lrWarmup.startFactor', Number],
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

/** The specs a `run` invocation asks for: a preset's runs, or a spec file, with overrides. */
async function specsFrom(
  positionals: string[],
  v: Values,
): Promise<{ label: string; spec: Record<string, unknown> }[]> {
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
    for (const [flag, [field, parse]] of Object.entries(OVERRIDES))
      if (v[flag] !== undefined) setPath(b.spec, field, parse(String(v[flag])))
    if (v['no-deskew']) setPath(b.spec, 'dataset.deskew', false)
    if (v.nesterov) setPath(b.spec, 'nesterov', true)
    for (const kv of (v.set as string[] | undefined) ?? []) {
      const eq = kv.indexOf('=')
      if (eq < 1) throw new UsageError(`--set takes field=value (e.g. snapshots.every=2), not "${kv}"`)
      setPath(b.spec, kv.slice(0, eq), parseValue(kv.slice(eq + 1)))
    }
  }
  if (v.preset) {
    const id = String(v.preset) as PresetId
    bases.forEach((b, i) => {
      const base = PRESETS[id].runs[i]!.spec as Record<string, unknown>
      const name = scaledPresetName(id, base, b.spec, bases.length === 1)
      if (name) b.spec.name = name
    })
  }
  return bases
}

const runOptions = {
  ...projectOption,
  preset: { type: 'string' },
  workers: { type: 'string', short: 'w' },
  shard: { type: 'string' },
  'run-id': { type: 'string' },
  set: { type: 'string', multiple: true },
  'no-deskew': { type: 'boolean' },
  nesterov: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  ...Object.fromEntries(Object.keys(OVERRIDES).map((k) => [k, { type: 'string' }])),
} as const

export const runCommand: Command = {
  summary: 'create a run from a preset or a spec file and train it',
  usage: `sgdscope run [SPEC.json] [--preset ID] [--project DIR] [--nets N] [--epochs E] [--lr η]
           [--batch M] [--hidden H|H1,H2,...] [--seed S] [--momentum μ] [--loss mse|cross-entropy]
           [--init torch7|xavier|normal] [--order per-network|shared] [--probe P] [--no-deskew]
           [--schedule constant|step|linear|cosine] [--lr-every E] [--lr-gamma γ] [--lr-to F]
           [--warmup E] [--warmup-start F] [--activation sigmoid|tanh|relu] [--weight-decay wd]
           [--nesterov]
           [--dataset mnist|fashion-mnist] [--set field=value]... [--workers W] [--dry-run]
           [--shard i/n --run-id ID]   (train the networks k ≡ i−1 mod n of run ID; shards
                                        started together on several machines fill one run)
           presets (sgdscope presets describes them): ${PRESET_IDS.join(', ')}`,
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
    if (v.shard && !v['run-id'])
      throw new UsageError('--shard needs --run-id ID, the same for every shard (e.g. the Slurm job id)')
    if (v['run-id'] && wanted.length > 1)
      throw new UsageError(`--run-id names one run, but this preset has ${wanted.length}`)
    const project = await Project.openOrCreate(dir)
    const workers = parseWorkers(v) ?? defaultWorkerCount()
    let speed: EngineSpeed | undefined
    let code = 0
    for (const w of wanted) {
      const run = v['run-id']
        ? await createOrJoinRun(project, w.spec, String(v['run-id']))
        : await createRun(project, w.spec)
      io.out(`run ${run.id} in ${project.dir}: ${describeSpec(run.attrs.spec)}`)
      // The form's and spec.preflight's estimate: a quarter second of CPU, measured once.
      const pre = await preflightSpec(run.attrs.spec, workers, async () => (speed ??= measureEngineSpeed()))
      if (pre.estimate) io.out(estimateLine(pre.estimate, !!v.shard))
      code = await trainFromTerminal(project, run.id, v, io)
      if (code !== 0) break
    }
    return code
  },
}

/** The pre-run estimate, one line (a shard trains part of the run: the estimate is the whole run's). */
export function estimateLine(e: SpecEstimate, shard = false): string {
  const threads = `${e.threads} thread${e.threads === 1 ? '' : 's'}`
  const what = shard ? 'the whole run (all shards)' : `${e.snapshots} snapshots per network`
  return (
    `  estimate: ≈ ${formatDuration(e.seconds)} of training on ${threads} for ${what}, ` +
    `${formatBytes(e.disk.total)} on disk, ${formatBytes(e.memory.training)} of memory while training ` +
    `(from ${e.basis})`
  )
}
