/**
 * Stability of SGD to its noise (issue 21; docs/method.md "Spawning and stability"), on a
 * spawned run (experiments/spawn.ts): for each spawn point k, how far apart do siblings —
 * children of one parent state at k that differ only in their later noise — end up? Measured
 * as the error and loss barrier between siblings at the end (raw, and after aligning hidden
 * units; barrier.ts), and their τ distance and κ disagreement at every snapshot after k.
 * Beside each, the same quantities for strangers: the first children of two different
 * parents at the same k (different initial weights), so a value reads between "same
 * network" (0) and "stranger". Frankle et al. (2020) call a network stable at k when the
 * mean error barrier between siblings is below 2 %; `firstStable` is the first such k, for
 * the mean over parents and for each parent alone (its spread is the uncertainty).
 */
import type { Project } from '../../archive/project'
import type { RunArchive } from '../../archive/run'
import type { PairStats, StabilityData, StabilityPoint, StabilityReport } from '../../../shared/figures/beyond-data'

export type { PairStats, StabilityPoint, StabilityReport }
import { classesOf, hammingRows } from '../kappa-distances'
import { euclideanRows } from '../tau-distances'
import { chooseSnapshot, evalSet, pairBarrier, runShape, weightsAt } from './barrier'
import { conflict, badRequest } from './errors'
import { linspace, summarise } from './stats'

export interface StabilityOptions {
  /** Error barrier below which siblings count as stable (default 0.02). */
  threshold?: number
  /** Values of α along each line (default 11). */
  points?: number
  on?: 'test' | 'train'
  /** Images evaluated per network (default 2000). */
  count?: number
  cacheDir?: string
  /** Pairs measured so far, after each pair. */
  onProgress?: (done: number, total: number) => void
  signal?: AbortSignal
}

/** Children of a spawned run: child i = (parent index · A + point) · C + child. */
export function childIndex(a: number, p: number, c: number, A: number, C: number): number {
  return (p * A + a) * C + c
}

/**
 * τ distance and κ disagreement of each pair at snapshots `from`…S−1, averaged over the
 * pairs of each set. Each network's τ is read once per snapshot (every pair set of a spawn
 * point shares them), with the distances of the τ and κ views (euclideanRows, hammingRows).
 */
async function pairDistances(
  run: RunArchive,
  nets: number[],
  sets: [number, number, number][][],
  from: number,
  signal?: AbortSignal,
): Promise<{ tau: Float64Array; kappa: Float64Array }[]> {
  const S = run.attrs.snapshots
  const [P, C] = run.attrs.pointShape as [number, number]
  const n = nets.length
  const at = new Map(nets.map((i, k) => [i, k]))
  const out = sets.map(() => ({ tau: new Float64Array(S - from), kappa: new Float64Array(S - from) }))
  const X = new Float32Array(n * P * C)
  for (let t = from; t < S; t++) {
    if (signal?.aborted) throw signal.reason ?? new Error('cancelled')
    await run.readTauInto(
      nets.map((net) => ({ net, snapshot: t })),
      X,
    )
    const tau = await euclideanRows(X, n, P * C)
    const kappa = hammingRows(classesOf(X, P, C), n, P, C)
    try {
      const rows = nets.map((_, k) => k)
      const [dt, dk] = [tau.rows(rows), kappa.rows(rows)]
      sets.forEach((pairs, s) => {
        for (const [i, j] of pairs) {
          const [a, b] = [at.get(i)!, at.get(j)!]
          out[s]!.tau[t - from] += dt[a * n + b]! / pairs.length
          out[s]!.kappa[t - from] += dk[a * n + b]! / pairs.length
        }
      })
    } finally {
      tau.dispose()
      kappa.dispose()
    }
  }
  return out
}

export async function stability(
  project: Project,
  runId: string,
  opts: StabilityOptions = {},
): Promise<StabilityReport> {
  const run: RunArchive = await project.openRun(runId)
  const spec = run.attrs.spec
  if (spec.kind !== 'mlp' || !spec.spawn)
    throw conflict(
      `run ${runId} was not spawned from another run: stability needs children of spawn points (sgdscope spawn ${runId} --at …)`,
      runId,
    )
  const s = spec.spawn
  const [A, C, Pn] = [s.at.length, s.children, s.parentNets.length]
  if (C < 2)
    throw conflict(
      `run ${runId} has one child per parent and spawn point: stability compares siblings (spawn with --children 2 or more)`,
      runId,
    )
  const threshold = opts.threshold ?? 0.02
  if (!(threshold > 0 && threshold < 1)) throw badRequest('threshold', 'must be a fraction between 0 and 1')
  const all = Array.from({ length: run.attrs.nets }, (_, i) => i)
  const { snapshot } = await chooseSnapshot(run, all)
  const { shape, loss } = await runShape(run)
  const data = await evalSet(run, opts.on ?? 'test', opts.count ?? 2000, opts.cacheDir, shape)
  const alphas = linspace(0, 1, opts.points ?? 11)
  const { epochs } = await run.readTimes()
  const parentEpochs = s.at

  // Pairs per spawn point: siblings (same parent), strangers (child 0 of two parents).
  const plan = parentEpochs.map((_, a) => {
    const siblings: [number, number, number][] = [] // [i, j, parent index]
    for (let p = 0; p < Pn; p++)
      for (let x = 0; x < C; x++)
        for (let y = x + 1; y < C; y++) siblings.push([childIndex(a, p, x, A, C), childIndex(a, p, y, A, C), p])
    const strangers: [number, number, number][] = []
    for (let p = 0; p < Pn; p++)
      for (let q = p + 1; q < Pn; q++) strangers.push([childIndex(a, p, 0, A, C), childIndex(a, q, 0, A, C), -1])
    return { siblings, strangers }
  })
  const total = plan.reduce((n, x) => n + x.siblings.length + x.strangers.length, 0)
  let done = 0
  opts.onProgress?.(0, total)

  const weights = new Map<number, Float32Array>()
  const w = async (i: number) => {
    let v = weights.get(i)
    if (!v) weights.set(i, (v = await weightsAt(run, i, snapshot)))
    return v
  }
  /** Barriers of each pair, then their τ and κ distances over time (`dist`). */
  const measure = async (
    pairs: [number, number, number][],
    dist: { tau: Float64Array; kappa: Float64Array },
  ): Promise<PairStats & { raw: number[] }> => {
    const raw: number[] = []
    const [eb, ea, lb, la] = [[], [], [], []] as number[][]
    for (const [i, j] of pairs) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('cancelled')
      const r = pairBarrier(await w(i), await w(j), shape, loss, data, alphas)
      raw.push(r.before.barrierError)
      eb!.push(r.before.barrierError)
      ea!.push(r.after.barrierError)
      lb!.push(r.before.barrierLoss)
      la!.push(r.after.barrierLoss)
      opts.onProgress?.(++done, total)
      await new Promise((r) => setImmediate(r)) // let progress and cancel through
    }
    return {
      errorBarrier: { before: summarise(eb!), after: summarise(ea!) },
      lossBarrier: { before: summarise(lb!), after: summarise(la!) },
      tauDistance: Array.from(dist.tau),
      kappaDisagreement: Array.from(dist.kappa),
      pairs: pairs.length,
      raw,
    }
  }

  const points: StabilityPoint[] = []
  for (let a = 0; a < A; a++) {
    const from = epochs.findIndex((e) => e >= parentEpochs[a]! - 1e-9)
    const { siblings, strangers } = plan[a]!
    const nets = [...new Set([...siblings, ...strangers].flatMap(([i, j]) => [i, j]))].sort((x, y) => x - y)
    const [ds, dn] = await pairDistances(run, nets, [siblings, strangers], from, opts.signal)
    const sib = await measure(siblings, ds!)
    const str = Pn >= 2 ? await measure(strangers, dn!) : null
    const perParent = Array.from({ length: Pn }, (_, p) => {
      const mine = sib.raw.filter((_, n) => plan[a]!.siblings[n]![2] === p)
      return mine.reduce((x, y) => x + y, 0) / mine.length
    })
    const strip = (x: (PairStats & { raw: number[] }) | null): PairStats | null =>
      x && {
        errorBarrier: x.errorBarrier,
        lossBarrier: x.lossBarrier,
        tauDistance: x.tauDistance,
        kappaDisagreement: x.kappaDisagreement,
        pairs: x.pairs,
      }
    points.push({
      at: parentEpochs[a]!,
      snapshot: from,
      epochs: Array.from(epochs.subarray(from)),
      siblings: strip(sib)!,
      strangers: strip(str),
      perParent,
    })
  }
  // Spawn points in increasing k; stable from the first k below the threshold.
  const order = points.map((_, a) => a).sort((x, y) => points[x]!.at - points[y]!.at)
  const firstBelow = (value: (a: number) => number) => {
    for (const a of order) if (value(a) < threshold) return points[a]!.at
    return null
  }
  const sorted = order.map((a) => points[a]!)
  const figure: StabilityData = {
    title: `${s.parentNets.length} ${s.parentNets.length === 1 ? 'parent' : 'parents'} × ${C} children, barriers at epoch ${+epochs[snapshot]!.toPrecision(4)}`,
    at: sorted.map((p) => p.at),
    siblings: sorted.map((p) => p.siblings.errorBarrier.before.mean),
    siblingsAligned: sorted.map((p) => p.siblings.errorBarrier.after.mean),
    perParent: s.parentNets.map((_, q) => sorted.map((p) => p.perParent[q]!)),
    strangers: Pn >= 2 ? sorted.map((p) => p.strangers!.errorBarrier.before.mean) : null,
    threshold,
  }
  return {
    figure,
    runId,
    parent: s.parent,
    threshold,
    snapshot,
    epoch: epochs[snapshot]!,
    evaluatedOn: { set: data.set, count: data.count },
    points,
    firstStable: {
      mean: firstBelow((a) => points[a]!.siblings.errorBarrier.before.mean),
      perParent: s.parentNets.map((_, p) => firstBelow((a) => points[a]!.perParent[p]!)),
    },
  }
}
