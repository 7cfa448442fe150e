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
  type Preset,
  type PresetId,
} from '../../shared/presets'
import type { Project } from '../archive/project'
import { createRun, liveStatus, trainRun, type TrainOptions } from './runner'

export type Scale = 'quick' | 'full'

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
      default: // fig1–fig4 share this run
        Object.assign(s, { nets: 6, epochs: 4, snapshots: { spacing: 'linear', firstEpoch: 5, every: 0.5 } })
    }
    return { label, spec: s }
  })
}

/** The epoch window of a preset's figure at a scale (fig5 shows epochs 50–500 of 500; quick, 2–6 of 6). */
export function presetWindow(p: Preset, scale: Scale): [number | null, number | null] | undefined {
  if (scale === 'quick' && p.id === 'fig5') return [2, null]
  return p.figure.epochs
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

/** Trains (or reuses, or resumes) the runs of a preset; returns their ids with labels. */
export async function ensurePresetRuns(
  project: Project,
  id: PresetId,
  scale: Scale,
  opts: TrainOptions & { log?: (line: string) => void } = {},
): Promise<{ id: string; label: string; reused: boolean }[]> {
  const out = []
  for (const r of presetRuns(PRESETS[id], scale)) {
    const spec = parseSpec({ ...r.spec, name: `${r.spec.name ?? id}${scale === 'quick' ? ' (quick)' : ''}` })
    const found = await findRun(project, spec)
    let runId: string
    if (found?.complete) {
      opts.log?.(`${id}: reusing run ${found.id} (${r.label})`)
      out.push({ id: found.id, label: r.label, reused: true })
      continue
    }
    if (found) {
      runId = found.id
      opts.log?.(`${id}: resuming run ${runId} (${r.label})`)
    } else {
      runId = (await createRun(project, spec, { cacheDir: opts.cacheDir })).id
      opts.log?.(`${id}: training run ${runId} (${r.label})`)
    }
    const status = await trainRun(project, runId, opts)
    if (status !== 'complete') throw new Error(`run ${runId} for ${id} ended ${status}`)
    out.push({ id: runId, label: r.label, reused: false })
  }
  return out
}
