/**
 * Spawning (issue 21; docs/method.md "Spawning"): children of a parent run's networks, each
 * starting from its parent's state at a spawn point k and trained to the end with the
 * parent's snapshot schedule, with a new sample order from k (or a Gaussian perturbation of
 * the weights at k). The result is an ordinary run whose spec carries `spawn` (the link to
 * its parent); its snapshots before k are its parent's.
 *
 * The state at k comes from the parent's kept weights where they are its whole state (no
 * momentum buffer) and no perturbation is asked for: the child's snapshots up to k are then
 * copied from the parent and training resumes at k. Otherwise the child replays its
 * parent's seeded run to k in the training workers (same initial weights, same sample
 * order), which gives the same bytes as the parent, since training is deterministic.
 * `spec.spawn.states` records which, per spawn point.
 */
import { ApiError } from '../../shared/api/errors'
import { parseSpec, type MlpSpec, type SpawnNoise } from '../../shared/spec'
import type { Project } from '../archive/project'
import type { RunArchive } from '../archive/run'
import { RunError, createRun } from './runner'
import { snapshotEpochs } from './schedule'
import type { TrainDataLoader } from './data'

export interface SpawnRequest {
  /** The parent run's id. */
  parent: string
  /** Spawn points, in epochs; each moves to the parent's first snapshot at or after it. */
  at: number[]
  /** Children per (parent network, spawn point). */
  children: number
  /** The parent's networks to spawn from (default: all). */
  nets?: number[]
  noise?: SpawnNoise
  /** Train the children to this epoch (default: the parent's end). */
  epochs?: number
  seed?: number
  name?: string
  /** Replay every parent to its spawn points even where kept weights would do (a check). */
  replay?: boolean
  /** The children's kept weights (default: the parent's, or at least the final ones). */
  keepWeights?: MlpSpec['keepWeights']
}

export interface SpawnPlan {
  spec: MlpSpec
  /** The parent snapshot index of each spawn point. */
  atSnapshots: number[]
  /** Samples the children will train, beyond what is copied from the parent (for the cost). */
  samplesToTrain: number
}

const bad = (message: string, field: string) =>
  new ApiError('bad-input', message, { issues: [{ path: field, problem: { kind: 'invalid' }, message }] })

/** Checks a request against its parent and works out the child run's spec. */
export async function planSpawn(parent: RunArchive, req: SpawnRequest): Promise<SpawnPlan> {
  const ps = parent.attrs.spec
  if (ps.kind !== 'mlp')
    throw new RunError(
      `run ${parent.id} is ${ps.kind === 'external' ? 'recorded outside sgdscope' : 'a stochastic-model run'}: only MLP runs trained by sgdscope can be spawned from`,
      parent.id,
      'not-applicable',
    )
  if (parent.attrs.engine?.name !== 'fused')
    throw new RunError(
      `run ${parent.id} was trained by the ${parent.attrs.engine?.name ?? 'unknown'} engine; spawning replays a parent on the fused engine, which reproduces only fused runs`,
      parent.id,
      'not-applicable',
    )
  if (!Number.isInteger(req.children) || req.children < 1) throw bad('children must be a whole number ≥ 1', 'children')
  if (req.at.length === 0) throw bad('give at least one spawn point (--at)', 'at')
  const { epochs: parentEpochs, samples: parentSamples } = await parent.readTimes()
  const end = parentEpochs[parentEpochs.length - 1]!
  const E = req.epochs ?? ps.epochs
  if (!(E > 0)) throw bad(`epochs must be > 0 (got ${req.epochs})`, 'epochs')
  const atSnapshots: number[] = []
  for (const t of req.at) {
    if (!(t >= 0)) throw bad(`spawn point ${t} is not an epoch ≥ 0`, 'at')
    const j = parentEpochs.findIndex((e) => e >= t - 1e-9)
    if (j < 0 || parentEpochs[j]! >= Math.min(E, end) - 1e-9)
      throw bad(
        `spawn point ${t} is at or after ${E < end ? `the children's end (epoch ${E})` : `the parent's last snapshot (epoch ${end})`}: children would not train`,
        'at',
      )
    const dup = atSnapshots.indexOf(j)
    if (dup >= 0)
      throw bad(
        `spawn points ${req.at[dup]} and ${t} are both the parent's snapshot at epoch ${parentEpochs[j]!.toPrecision(4)} (spawn points are parent snapshots); give points further apart`,
        'at',
      )
    atSnapshots.push(j)
  }
  const nets = req.nets ?? Array.from({ length: parent.attrs.nets }, (_, k) => k)
  for (const k of nets)
    if (!Number.isInteger(k) || k < 0 || k >= parent.attrs.nets)
      throw bad(`run ${parent.id} has networks 0–${parent.attrs.nets - 1}; there is no network ${k}`, 'nets')
  if (new Set(nets).size !== nets.length) throw bad('a parent network is listed twice', 'nets')

  // The parent's schedule, then (past its end) the parent's own snapshot rule carried on.
  const kept = Array.from(parentEpochs).filter((e) => e <= E + 1e-9)
  const later = E > end + 1e-9 ? snapshotEpochs(ps.snapshots, E).filter((e) => e > end + 1e-9) : []
  const points = [...kept, ...later]
  if (points[points.length - 1]! < E - 1e-9) points.push(E)

  const noise = req.noise ?? { kind: 'order' }
  const haveWeights = new Set(await parent.weightSnapshotsAvailable(nets))
  const states = atSnapshots.map((j) =>
    !req.replay && ps.momentum === 0 && noise.kind !== 'perturb' && haveWeights.has(j)
      ? ('weights' as const)
      : ('replay' as const),
  )
  const children = nets.length * req.at.length * req.children
  const parentName = parent.attrs.spec.name ?? parent.id
  const spec = parseSpec({
    ...ps,
    preset: undefined,
    name:
      req.name ??
      `${parentName}: ${req.children} ${req.children === 1 ? 'child' : 'children'} at ${atSnapshots.map((j) => +parentEpochs[j]!.toPrecision(4)).join(', ')} ep (${noise.kind === 'perturb' ? `perturb σ=${noise.sigma}` : noise.kind === 'order' ? 'new order' : 'parent’s order'})`,
    nets: children,
    epochs: E,
    snapshots: { at: points },
    engine: 'fused',
    // Stability compares the children's final weights: keep them at least at the end.
    keepWeights: req.keepWeights ?? (ps.keepWeights === 'none' ? 'final' : ps.keepWeights),
    spawn: {
      parent: parent.id,
      parentNets: nets,
      at: atSnapshots.map((j) => parentEpochs[j]!),
      children: req.children,
      noise,
      seed: req.seed ?? 1,
      states,
    },
  }) as MlpSpec
  const endSamples = Math.round(E * parent.attrs.dataset!.trainCount)
  let samplesToTrain = 0
  atSnapshots.forEach((j, a) => {
    const from = states[a] === 'weights' ? parentSamples[j]! : 0
    samplesToTrain += nets.length * req.children * (endSamples - from)
  })
  return { spec, atSnapshots, samplesToTrain }
}

/**
 * Creates the child run (status `created`, listed in the project) and seeds the children
 * whose state comes from kept weights with their parent's snapshots up to the spawn point;
 * `trainRun` then trains everything (the seeded children resume at their spawn point).
 */
export async function createSpawnRun(
  project: Project,
  req: SpawnRequest,
  opts: { cacheDir?: string; loadData?: TrainDataLoader; id?: string } = {},
): Promise<RunArchive> {
  const parent = await project.openRun(req.parent)
  const plan = await planSpawn(parent, req)
  const run = await createRun(project, plan.spec, { ...opts, id: opts.id ?? project.newRunId('spawn') })
  // The child's schedule must be the parent's up to the end (the spawn points are parent snapshots).
  const [cs, ps] = [(await run.readTimes()).samples, (await parent.readTimes()).samples]
  for (let j = 0; j < Math.min(cs.length, ps.length); j++)
    if (cs[j] !== ps[j] && ps[j]! <= cs[cs.length - 1]!)
      throw new Error(`internal: spawned run ${run.id} snapshot ${j} is at ${cs[j]} samples, its parent's at ${ps[j]}`)
  const s = plan.spec.spawn!
  const [A, C] = [s.at.length, s.children]
  const keep = new Set(run.attrs.weightSnapshots ?? [])
  // Child i = (parent index · A + point) · C + child: the C siblings of one (parent, point)
  // share everything up to k, so each parent snapshot is read once and written C times.
  for (let pi = 0; pi < s.parentNets.length; pi++)
    for (let a = 0; a < A; a++) {
      if (s.states![a] !== 'weights') continue
      const p = s.parentNets[pi]!
      const j = plan.atSnapshots[a]!
      const siblings = Array.from({ length: C }, (_, c) => (pi * A + a) * C + c)
      for (let t = 0; t <= j; t++) {
        const [tau, metrics] = [await parent.readTau(p, t), await parent.readMetricsAt(p, t)]
        // Read the weights only where a child keeps them, and at k, where they are its state.
        const w = keep.has(t) || t === j ? await parent.readWeights(p, t) : null
        for (const i of siblings) {
          await run.writeSnapshot(i, t, tau, metrics)
          if (w && keep.has(t)) await run.writeWeights(i, t, w)
        }
        if (t === j) {
          if (!w) throw new Error(`internal: run ${parent.id} network ${p} has no weights at snapshot ${j}`)
          for (const i of siblings) await run.writeState(i, j, w)
        }
      }
    }
  await run.flush()
  return run
}
