/**
 * SMACOF from several starts (issue 18 item 4): is the picture unique? SMACOF finds a local
 * minimum of the stress near its start; a picture that other starts do not reproduce (up to
 * rotation, reflection, scale and translation) says more about the start than about the data.
 * Start 0 is the one asked for (`start`: classical MDS by default, or landmark MDS, or random);
 * start 1 is the other deterministic one (landmark after classical, classical after landmark), so
 * that both cheap deterministic pictures are always among the starts; the others are
 * scikit-learn's uniform random starts with seeds seed + 2, seed + 3, … (start k has seed + k).
 * With `start: 'random'` every start is random (seeds seed, seed + 1, …). The lowest stress wins, and each start
 * is compared with it by orthogonal Procrustes (procrustes.ts): its residual (0 = the same
 * picture, 1 = no better than a single point) is the start's disagreement.
 */
import type { StartsReport } from '../../shared/figures/data'
import { procrustes } from './procrustes'
import { smacof, type SmacofOptions, type SmacofStartKind } from './smacof'
import type { EmbeddingResult } from './types'

/** Starts whose Procrustes residual against the best exceeds this draw another picture: 0.05 is
 * 5 % of the best picture's spread left unexplained by the best rotation, reflection and scale.
 * Starts that reach the same minimum agree to ~1e-3 (the stopping rule's eps); distinct minima
 * of path data differ by 0.1 and more. */
export const STARTS_DISAGREE = 0.05

/** Most starts of one embedding. */
export const MAX_STARTS = 32

export interface SmacofStart {
  init: SmacofStartKind
  seed?: number
}

/** The starts of a multi-start run, in order (deterministic by seed). */
export function startPlan(starts: number, opts: Pick<SmacofOptions, 'start' | 'seed'> = {}): SmacofStart[] {
  if (!Number.isInteger(starts) || starts < 1 || starts > MAX_STARTS)
    throw new Error(`starts must be a whole number from 1 to ${MAX_STARTS}, not ${starts}`)
  const seed = opts.seed ?? 0
  const first = opts.start ?? 'classical'
  const deterministic: SmacofStartKind[] =
    first === 'random' ? [] : first === 'landmark' ? ['landmark', 'classical'] : ['classical', 'landmark']
  return Array.from({ length: starts }, (_, k): SmacofStart =>
    k < deterministic.length ? { init: deterministic[k]! } : { init: 'random', seed: (seed + k) >>> 0 },
  )
}

/** One start of a plan: SMACOF with that start's initial configuration. */
export function runStart(D: Float64Array, n: number, s: SmacofStart, opts: SmacofOptions = {}): EmbeddingResult {
  const { init: _init, start: _start, seed: _seed, ...rest } = opts
  return smacof(D, n, { ...rest, start: s.init, ...(s.seed !== undefined ? { seed: s.seed } : {}) })
}

/** The best of the starts' results (lowest stress; the earlier start on a tie), with the report. */
export function bestOfStarts(plan: SmacofStart[], results: EmbeddingResult[], n: number): EmbeddingResult {
  let best = 0
  results.forEach((r, k) => {
    if (r.stress < results[best]!.stress) best = k
  })
  const b = results[best]!
  const starts = results.map((r, k) => ({
    ...plan[k]!,
    stress: r.stress,
    iterations: r.iterations ?? 0,
    disagreement: k === best || n < 2 ? 0 : procrustes(b.coords, r.coords, n).residual,
  }))
  const disagreement = Math.max(...starts.map((s) => s.disagreement))
  const report: StartsReport = {
    starts,
    best,
    disagreement,
    threshold: STARTS_DISAGREE,
    notUnique: disagreement > STARTS_DISAGREE,
  }
  return { ...b, starts: report }
}

/** All starts one after the other in this thread (embed-job.ts runs them in parallel threads). */
export function smacofStarts(
  D: Float64Array,
  n: number,
  starts: number,
  opts: SmacofOptions = {},
  onStart?: (done: number, total: number) => void,
): EmbeddingResult {
  const plan = startPlan(starts, opts)
  const results = plan.map((s, k) => {
    const r = runStart(D, n, s, opts)
    onStart?.(k + 1, plan.length)
    return r
  })
  return bestOfStarts(plan, results, n)
}
