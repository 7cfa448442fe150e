/** `sgdscope spawn`: children of a run's networks from spawn points, trained as a new run (issue 21). */
import { ApiError } from '../../../shared/api/errors'
import type { SpawnNoise } from '../../../shared/spec'
import { Project } from '../../archive/project'
import { createSpawnRun, planSpawn, type SpawnRequest } from '../../experiments/spawn'
import { describeSpec } from '../../experiments/summary'
import { numberOption, parseNets } from '../args'
import { UsageError, projectDir, projectOption, type Command } from '../command'
import { trainFromTerminal } from '../train'

/** "order" | "none" | "perturb:0.01". */
export function parseNoise(s: string): SpawnNoise {
  if (s === 'order' || s === 'none') return { kind: s }
  const m = /^perturb:([\d.eE+-]+)$/.exec(s)
  if (m && Number(m[1]) > 0) return { kind: 'perturb', sigma: Number(m[1]) }
  throw new UsageError(`--noise takes order, none or perturb:σ (e.g. perturb:0.01), not "${s}"`)
}

export function parseEpochList(s: string): number[] {
  const xs = s.split(',').map((x) => Number(x.trim()))
  if (xs.length === 0 || xs.some((x) => !Number.isFinite(x) || x < 0))
    throw new UsageError(`--at takes epochs ≥ 0 separated by commas (e.g. 0,0.05,0.2,1,2), not "${s}"`)
  return xs
}

export const spawnCommand: Command = {
  summary: "spawn children from a run's networks at spawn points and train them (a new run linked to its parent)",
  usage: `sgdscope spawn RUN --at 0,0.05,0.2,1,2 [--children 2] [--nets 0-9] [--noise order|perturb:σ|none]
           [--epochs E] [--seed S] [--name NAME] [--replay] [--workers W] [--dry-run] [--project DIR]
           order: a new sample order from the spawn point; perturb:σ: weights + σ·N(0,1) there,
           the parent's order; none: the parent's own order (each child reproduces its parent).
           Each spawn point is the parent's first snapshot at or after the epoch given. The state
           there comes from the parent's kept weights when they are its whole state, else from a
           replay of its seeded run (--replay always replays).`,
  options: {
    ...projectOption,
    at: { type: 'string' },
    children: { type: 'string' },
    nets: { type: 'string' },
    noise: { type: 'string' },
    epochs: { type: 'string' },
    seed: { type: 'string' },
    name: { type: 'string' },
    replay: { type: 'boolean' },
    workers: { type: 'string', short: 'w' },
    'dry-run': { type: 'boolean' },
  },
  async run(positionals, v, io) {
    const [ref, ...rest] = positionals
    if (!ref || rest.length) throw new UsageError('spawn needs one run (its id, number or a unique part of its id)')
    if (v.at === undefined) throw new UsageError('spawn needs --at: the spawn points in epochs (e.g. 0,0.05,0.2,1,2)')
    const project = await Project.open(projectDir(v))
    const req: SpawnRequest = {
      parent: await project.resolveRunId(ref),
      at: parseEpochList(String(v.at)),
      children: numberOption(v, 'children', (x) => Number.isInteger(x) && x >= 1, 'a whole number ≥ 1') ?? 2,
      ...(v.nets !== undefined ? { nets: parseNets(String(v.nets)) } : {}),
      ...(v.noise !== undefined ? { noise: parseNoise(String(v.noise)) } : {}),
      ...(v.epochs !== undefined ? { epochs: numberOption(v, 'epochs', (x) => x > 0, 'epochs > 0') } : {}),
      ...(v.seed !== undefined
        ? { seed: numberOption(v, 'seed', (x) => Number.isInteger(x) && x >= 0, 'a whole number ≥ 0') }
        : {}),
      ...(v.name !== undefined ? { name: String(v.name) } : {}),
      ...(v.replay ? { replay: true } : {}),
    }
    try {
      const plan = await planSpawn(await project.openRun(req.parent), req)
      const s = plan.spec.spawn!
      io.out(
        `spawn from ${req.parent}: ${s.parentNets.length} parent network(s) × ${s.at.length} spawn point(s) (epochs ${s.at.map((x) => +x.toPrecision(4)).join(', ')}) × ${s.children} = ${plan.spec.nets} children; ` +
          `states from ${s.states!.map((x, a) => `${+s.at[a]!.toPrecision(4)}: ${x === 'weights' ? 'kept weights' : 'replay'}`).join(', ')}; ` +
          `${(plan.samplesToTrain / 1e6).toFixed(2)} M samples to train`,
      )
      if (v['dry-run']) {
        io.out(JSON.stringify(plan.spec, null, 2))
        return 0
      }
      const run = await createSpawnRun(project, req)
      io.out(`run ${run.id} in ${project.dir}: ${describeSpec(run.attrs.spec)}`)
      return await trainFromTerminal(project, run.id, v, io)
    } catch (e) {
      if (e instanceof ApiError && e.code === 'bad-input') throw new UsageError(e.message)
      throw e
    }
  },
}
