/**
 * `reproduce`: the runs behind the paper's figures (and the presets that extend it),
 * trained or reused, and the figures themselves. `full` uses the presets' sizes; `quick`
 * scales every run down (fewer networks and epochs, same kind of picture) so that all of
 * them finish in minutes.
 */
import { canonicalSpec, parseSpec, type ExperimentSpec, type ExperimentSpecInput } from '../../shared/spec'
import {
  BEYOND_PRESET_IDS,
  PAPER_PRESET_IDS,
  PRESETS,
  PRESET_IDS,
  isPresetId,
  pathsView,
  withPoints,
  type Preset,
  type PresetId,
  type SpawnStage,
} from '../../shared/presets'
import type { Project } from '../archive/project'
import { createRun, liveStatus, trainRun, type TrainOptions } from './runner'
import { createSpawnRun, planSpawn, type SpawnRequest } from './spawn'

export type Scale = 'quick' | 'full'

/** A preset's two stages at a scale: its runs, then (if it has one) its spawn stage. */
export interface PresetStages {
  runs: { label: string; spec: ExperimentSpecInput }[]
  spawn?: SpawnStage
}

/** Quick stability: 3 parents, 1 epoch, spawn points 0, 0.01, 0.05 and 0.2. */
const QUICK_STABILITY_AT = [0, 0.01, 0.05, 0.2]

/** Both stages of a preset at a scale (presetRuns, and the spawn stage scaled alike). */
export function presetStages(p: Preset, scale: Scale): PresetStages {
  const runs = presetRuns(p, scale)
  if (!p.spawn) return { runs }
  if (scale === 'full') return { runs, spawn: p.spawn }
  return { runs, spawn: { ...p.spawn, at: QUICK_STABILITY_AT } }
}

/** A preset's runs at a scale. Quick keeps each figure's character: the same learning
 * rates and batch sizes, the same stochastic model, fewer networks and epochs. */
export function presetRuns(p: Preset, scale: Scale): { label: string; spec: ExperimentSpecInput }[] {
  if (scale === 'full') return p.runs
  return p.runs.map(({ label, spec }) => {
    if (spec.kind === 'stochastic') return { label, spec }
    const s = { ...spec }
    switch (p.id) {
      case 'fig5':
        Object.assign(s, { nets: 2, epochs: 6, snapshots: { spacing: 'linear', firstEpoch: 2, every: 0.5 } })
        break
      case 'fig6':
        Object.assign(s, { nets: 4, epochs: 2, snapshots: { spacing: 'linear', firstEpoch: 5, every: 0.5 } })
        break
      case 'depth':
        // Deep networks train on the slower kernel: a quarter epoch, and the train error on
        // 2,000 images, still show the paths leaving their starts.
        Object.assign(s, { nets: 4, epochs: 0.25, trainSubset: 2000, snapshots: { at: [0.05, 0.1, 0.15, 0.2, 0.25] } })
        break
      case 'activation':
      case 'weight-decay':
      case 'fashion':
        Object.assign(s, { nets: 4, epochs: 1, snapshots: { spacing: 'linear', firstEpoch: 5, every: 1 } })
        break
      case 'stability':
        Object.assign(s, {
          nets: 3,
          epochs: 1,
          snapshots: { at: withPoints([0.1, 0.25, 0.5, 0.75, 1], QUICK_STABILITY_AT) },
          keepWeights: withPoints(QUICK_STABILITY_AT, [1]),
        })
        break
      default: // fig1–fig4 share this run
        Object.assign(s, { nets: 6, epochs: 4, snapshots: { spacing: 'linear', firstEpoch: 5, every: 0.5 } })
    }
    return { label, spec: s }
  })
}

/** The epoch window of a preset's figure at a scale (fig5 shows epochs 50–500 of 500; quick, 2–6 of 6). */
export function presetWindow(p: Preset, scale: Scale): [number | null, number | null] | undefined {
  if (scale === 'quick' && p.id === 'fig5') return [2, null]
  return pathsView(p)?.epochs
}

/** An existing run of the project with this spec (complete first, then resumable), or null. */
export async function findRun(
  project: Project,
  spec: ExperimentSpec,
): Promise<{ id: string; complete: boolean } | null> {
  const want = canonicalSpec(spec)
  let resumable: string | null = null
  for (const id of await project.runIds()) {
    try {
      const run = await project.openRun(id)
      if (canonicalSpec(run.attrs.spec) !== want) continue
      const status = await liveStatus(run)
      if (status === 'complete') return { id, complete: true }
      if (status === 'interrupted' || status === 'created') resumable ??= id
    } catch {
      /* an unreadable run is not a match */
    }
  }
  return resumable ? { id: resumable, complete: false } : null
}

/** The presets a `reproduce` argument names: an id, `paper` (fig1–fig8), `beyond` (the
 * extensions) or `all`; null for an unknown name. */
export function presetsNamed(name: string): PresetId[] | null {
  if (name === 'all') return [...PRESET_IDS]
  if (name === 'paper') return [...PAPER_PRESET_IDS]
  if (name === 'beyond') return [...BEYOND_PRESET_IDS]
  return isPresetId(name) ? [name] : null
}

export type EnsureOptions = TrainOptions & {
  log?: (line: string) => void
  /** The stages to run instead of the preset's at the scale (tests scale them further). */
  stages?: PresetStages
}

export type PresetRun = { id: string; label: string; reused: boolean; stage: 'runs' | 'spawn' }

/** Trains (or reuses, or resumes) a preset's runs, then its spawn stage's children of them;
 * returns their ids with labels, the spawned run last. */
export async function ensurePresetRuns(
  project: Project,
  id: PresetId,
  scale: Scale,
  opts: EnsureOptions = {},
): Promise<PresetRun[]> {
  const stages = opts.stages ?? presetStages(PRESETS[id], scale)
  const suffix = scale === 'quick' ? ' (quick)' : ''
  const out: PresetRun[] = []
  const train = async (
    label: string,
    found: { id: string; complete: boolean } | null,
    create: () => Promise<string>,
  ) => {
    if (found?.complete) {
      opts.log?.(`${id}: reusing run ${found.id} (${label})`)
      return { id: found.id, reused: true }
    }
    let runId: string
    if (found) {
      runId = found.id
      opts.log?.(`${id}: resuming run ${runId} (${label})`)
    } else {
      runId = await create()
      opts.log?.(`${id}: training run ${runId} (${label})`)
    }
    const status = await trainRun(project, runId, opts)
    if (status !== 'complete') throw new Error(`run ${runId} for ${id} ended ${status}`)
    return { id: runId, reused: false }
  }
  for (const r of stages.runs) {
    const spec = parseSpec({ ...r.spec, name: `${r.spec.name ?? id}${suffix}` })
    const found = await findRun(project, spec)
    const got = await train(
      r.label,
      found,
      async () => (await createRun(project, spec, { cacheDir: opts.cacheDir })).id,
    )
    out.push({ ...got, label: r.label, stage: 'runs' })
  }
  const sp = stages.spawn
  if (sp) {
    const parent = out.find((r) => r.label === sp.from)
    if (!parent) throw new Error(`internal: preset ${id}'s spawn stage names run "${sp.from}", which it does not have`)
    const req: SpawnRequest = {
      parent: parent.id,
      at: sp.at,
      children: sp.children,
      noise: { kind: sp.noise },
      ...(sp.keepWeights ? { keepWeights: sp.keepWeights } : {}),
      name: `${id}: ${sp.label}${suffix}`,
    }
    // A spawned run is matched by its spec too: the same parent, points, children and noise.
    const plan = await planSpawn(await project.openRun(parent.id), req)
    const found = await findRun(project, plan.spec)
    const got = await train(
      sp.label,
      found,
      async () => (await createSpawnRun(project, req, { cacheDir: opts.cacheDir })).id,
    )
    out.push({ ...got, label: sp.label, stage: 'spawn' })
  }
  return out
}
