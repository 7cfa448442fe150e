/**
 * Weight space vs function space: the distance between two networks
 * over training, in weight space after aligning their hidden units (assignment.ts) and
 * in function space (‖τ_a − τ_b‖, Euclidean on the probe outputs), so that the paper's
 * "memory of the initial weights" can be seen in both.
 *
 * Alignment `final` (default) finds one permutation at the last snapshot with kept
 * weights and applies it at every snapshot: the networks' units are matched by what
 * they became, and the curve shows how far the matched units travelled. Alignment `each`
 * matches the units afresh at every snapshot (the smallest distance up to relabelling
 * at each time). Weight distances exist only at snapshots with kept weights
 * (keepWeights: "all" gives every snapshot); τ distances at every recorded snapshot.
 */
import type { Project } from '../../archive/project'
import type { RunArchive } from '../../archive/run'
import type { WeightFunctionData, WeightFunctionReport } from '../../../shared/figures/beyond-data'
import { alignHidden, permuteHidden, weightDistance } from './assignment'
import { keptSnapshots, noWeights, runShape, weightsAt } from './barrier'
import { badRequest, conflict } from './errors'

export interface WeightFunctionOptions {
  /** Every pair of these networks (default: the first 5). */
  nets?: number[]
  /** Or these pairs. */
  pairs?: [number, number][]
  alignment?: 'final' | 'each'
}

function euclidean(x: Float32Array, y: Float32Array): number {
  let s = 0
  for (let i = 0; i < x.length; i++) s += (x[i] - y[i]) ** 2
  return Math.sqrt(s)
}

/** Per-network readers that read each chunk once. */
function cachedReads(run: RunArchive) {
  const tau = new Map<string, Promise<Float32Array>>()
  const w = new Map<string, Promise<Float32Array>>()
  const memo = (m: Map<string, Promise<Float32Array>>, key: string, f: () => Promise<Float32Array>) => {
    let p = m.get(key)
    if (!p) m.set(key, (p = f()))
    return p
  }
  return {
    tau: (net: number, j: number) => memo(tau, `${net}:${j}`, () => run.readTau(net, j)),
    weights: (net: number, j: number) => memo(w, `${net}:${j}`, () => weightsAt(run, net, j)),
  }
}

export async function weightVsFunction(
  project: Project,
  runId: string,
  opts: WeightFunctionOptions = {},
): Promise<WeightFunctionReport> {
  const run = await project.openRun(runId)
  const { shape } = await runShape(run)
  const N = run.attrs.nets
  const S = run.attrs.snapshots
  const alignment = opts.alignment ?? 'final'
  let pairs: [number, number][]
  if (opts.pairs?.length) pairs = opts.pairs
  else {
    const nets = [...new Set(opts.nets ?? Array.from({ length: Math.min(5, N) }, (_, k) => k))].sort((a, b) => a - b)
    pairs = []
    for (let x = 0; x < nets.length; x++) for (let y = x + 1; y < nets.length; y++) pairs.push([nets[x], nets[y]])
  }
  if (pairs.length === 0) throw badRequest('pairs', 'weight vs function needs at least one pair of networks')
  for (const [a, b] of pairs) {
    for (const k of [a, b])
      if (!Number.isInteger(k) || k < 0 || k >= N)
        throw badRequest('nets', `network ${k} is not in this run (it has networks 0–${N - 1})`)
    if (a === b) throw badRequest('pairs', `pair ${a}–${b}: two different networks are needed`)
  }
  const involved = [...new Set(pairs.flat())]
  const kept = await keptSnapshots(run, involved)
  if (kept.length === 0 && run.isExternal) throw noWeights(run, involved)
  if (kept.length === 0)
    throw conflict(
      `run ${run.id} has no snapshot with kept weights for networks ${involved.join(', ')}: start a run with Keep weights ` +
        `set to “every snapshot” or “at chosen epochs…” in New run (the form shows what it adds on disk; CLI: --set keepWeights='"all"')`,
      run.id,
    )
  const done = await run.readDone()
  const { epochs } = await run.readTimes()
  const read = cachedReads(run)
  const last = kept[kept.length - 1]
  const data: WeightFunctionData = {
    label: run.attrs.spec.name ?? runId,
    epochs: Array.from(epochs),
    alignment,
    pairs: [],
  }
  for (const [a, b] of pairs) {
    const finalPerm =
      alignment === 'final' ? alignHidden(await read.weights(a, last), await read.weights(b, last), shape).perm : null
    const weightRaw: (number | null)[] = Array(S).fill(null)
    const weightAligned: (number | null)[] = Array(S).fill(null)
    const tau: (number | null)[] = Array(S).fill(null)
    for (let j = 0; j < S; j++) {
      if (done[a * S + j] && done[b * S + j]) tau[j] = euclidean(await read.tau(a, j), await read.tau(b, j))
      if (!kept.includes(j)) continue
      const wa = await read.weights(a, j)
      const wb = await read.weights(b, j)
      weightRaw[j] = weightDistance(wa, wb)
      weightAligned[j] = weightDistance(
        wa,
        finalPerm ? permuteHidden(wb, shape, finalPerm) : alignHidden(wa, wb, shape).aligned,
      )
    }
    data.pairs.push({ a, b, weightRaw, weightAligned, tau })
  }
  const meanAt = (j: number) => {
    const mean = (f: (p: WeightFunctionData['pairs'][number]) => number | null) => {
      const v = data.pairs.map(f).filter((x): x is number => x !== null)
      return v.length ? v.reduce((s, x) => s + x, 0) / v.length : NaN
    }
    return {
      epoch: epochs[j],
      weightRaw: mean((p) => p.weightRaw[j]),
      weightAligned: mean((p) => p.weightAligned[j]),
      tau: mean((p) => p.tau[j]),
    }
  }
  return {
    runId,
    alignment,
    alignedAt: alignment === 'final' ? last : null,
    kept,
    figure: data,
    first: meanAt(kept[0]),
    last: meanAt(last),
  }
}
