/**
 * Distances between the whole paths of networks (analysis/path-distances.ts) for the runs
 * of a project: every pair of networks within and across runs, an embedding with one point
 * per network, and for each pair of runs the question of Mao et al. (PNAS 2024): do
 * networks that start alike follow the same path, only at a different speed? Networks
 * "start alike" when their first recorded points coincide (the same seed and initial
 * weights in both runs).
 */
import type { Project } from '../../archive/project'
import type { PathDistancesReport } from '../../../shared/figures/beyond-data'
import { classicalMds } from '../classical'
import { classesOf, hammingDistances } from '../kappa-distances'
import { pathDistanceMatrices, type PathPoints, type ProgressKind } from '../path-distances'
import { gather, type Gathered, type View } from '../paths'
import { euclideanDistances } from '../tau-distances'
import { badRequest, conflict } from './errors'
import { median } from './stats'

export interface PathDistancesOptions {
  view?: View
  progress?: ProgressKind
  /** Networks of every run (default: all). */
  nets?: number[]
  /** Points on the progress grid (default 64). */
  grid?: number
}

/** Same-start pairs this much closer than strangers (median ratio) follow "the same path". */
export const SAME_PATH_RATIO = 0.25
/** Up to this ratio they are closer than strangers, but not on one path. */
export const CLOSER_RATIO = 0.75

export function samePathVerdict(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'cannot tell (no pairs to compare)'
  if (ratio <= SAME_PATH_RATIO) return 'the same path, at its own speed'
  if (ratio <= CLOSER_RATIO) return 'closer than networks from other starts, but not one path'
  return 'no closer than networks from other starts'
}

export async function pathDistances(
  project: Project,
  runIds: string[],
  opts: PathDistancesOptions = {},
  onProgress?: (stage: string, done: number, total: number) => void,
): Promise<PathDistancesReport> {
  const t0 = performance.now()
  if (runIds.length === 0) throw badRequest('runs', 'path distances need at least one run')
  const view = opts.view ?? 'tau'
  const progress = opts.progress ?? 'length'
  const gs: Gathered[] = []
  for (const runId of runIds)
    gs.push(await gather(project, runId, undefined, { runs: [runId], view, method: 'classical', nets: opts.nets }))
  const d = gs[0].d
  const odd = gs.find((g) => g.d !== d)
  if (odd)
    throw conflict(
      `run ${odd.run.id} records points of another size (another probe set): its paths cannot be compared with ${gs[0].run.id}'s`,
      odd.run.id,
    )
  // Points of every run, concatenated; a path is one network's points in snapshot order.
  const paths: (PathPoints & PathDistancesReport['paths'][number])[] = []
  let n = 0
  for (const g of gs) {
    const byNet = new Map<number, number[]>()
    g.rows.forEach((r, i) => {
      if (!byNet.has(r.net)) byNet.set(r.net, [])
      byNet.get(r.net)!.push(n + i)
    })
    for (const [net, points] of byNet) {
      const snaps = points.map((p) => g.rows[p - n].snapshot)
      paths.push({
        runId: g.run.id,
        label: g.label,
        net,
        snapshots: points.length,
        points,
        error: snaps.map((j) => g.testError(net, j)),
      })
    }
    n += g.rows.length
  }
  if (paths.length < 2) throw badRequest('nets', 'path distances need at least two networks with recorded snapshots')
  const X = new Float32Array(n * d)
  let o = 0
  for (const g of gs) {
    const x = await g.tau()
    X.set(x, o)
    o += x.length
  }
  const progressOf = (stage: string) => (done: number, total: number) => onProgress?.(stage, done, total)
  let Q: Float64Array
  if (view === 'kappa') {
    const [P, C] = gs[0].run.attrs.pointShape as [number, number]
    Q = await hammingDistances(classesOf(X, P, C), n, P, C, { onProgress: progressOf('distances') })
  } else {
    Q = await euclideanDistances(X, n, d, { onProgress: progressOf('distances') })
    for (let i = 0; i < Q.length; i++) Q[i] *= Q[i]
  }
  const scale = view === 'kappa' ? 'disagreement' : 'euclidean'
  const m = pathDistanceMatrices(Q, n, paths, scale, { progress, grid: opts.grid }, progressOf('paths'))
  const Pn = paths.length
  const rows = (a: Float64Array) => Array.from({ length: Pn }, (_, i) => Array.from(a.subarray(i * Pn, (i + 1) * Pn)))
  const of = m.unaligned.length === 0 ? 'aligned' : 'frechet'
  const mds = classicalMds(of === 'aligned' ? m.aligned : m.frechet, Pn)
  const at = (a: Float64Array, i: number, j: number) => a[i * Pn + j]
  const start = (k: number) => paths[k].points[0]
  const startDistance = (i: number, j: number) => Q[start(i) * n + start(j)]
  // Spread within each run, and same-start vs different-start pairs across each pair of runs.
  const spread = gs.map((g) => {
    const ks = paths.flatMap((p, k) => (p.runId === g.run.id ? [k] : []))
    const al: number[] = []
    const fr: number[] = []
    for (let x = 0; x < ks.length; x++)
      for (let y = x + 1; y < ks.length; y++) {
        al.push(at(m.aligned, ks[x], ks[y]))
        fr.push(at(m.frechet, ks[x], ks[y]))
      }
    return { runId: g.run.id, pairs: al.length, aligned: median(al), frechet: median(fr) }
  })
  const comparisons: PathDistancesReport['comparisons'] = []
  for (let u = 0; u < gs.length; u++)
    for (let v = u + 1; v < gs.length; v++) {
      const A = paths.flatMap((p, k) => (p.runId === gs[u].run.id ? [k] : []))
      const B = paths.flatMap((p, k) => (p.runId === gs[v].run.id ? [k] : []))
      const same = { al: [] as number[], fr: [] as number[] }
      const diff = { al: [] as number[], fr: [] as number[] }
      // Equal starts, up to round-off: squared start distance a millionth of the typical one in run u.
      const typical = median(A.flatMap((i, x) => A.slice(x + 1).map((j) => startDistance(i, j))))
      const tiny = 1e-6 * (Number.isFinite(typical) ? typical : 0)
      for (const i of A)
        for (const j of B) {
          const bucket = startDistance(i, j) <= tiny ? same : diff
          bucket.al.push(at(m.aligned, i, j))
          bucket.fr.push(at(m.frechet, i, j))
        }
      const ratio = median(same.al) / median(diff.al)
      comparisons.push({
        runs: [gs[u].run.id, gs[v].run.id],
        sameStart: { pairs: same.al.length, aligned: median(same.al), frechet: median(same.fr) },
        differentStart: { pairs: diff.al.length, aligned: median(diff.al), frechet: median(diff.fr) },
        ratio,
        verdict: samePathVerdict(ratio),
      })
    }
  return {
    view,
    progress,
    paths: paths.map(({ runId, label, net, snapshots }) => ({ runId, label, net, snapshots })),
    frechet: rows(m.frechet),
    aligned: rows(m.aligned).map((r) => r.map((x) => (Number.isFinite(x) ? x : null))),
    unaligned: m.unaligned,
    embedding: {
      of,
      coords: Array.from({ length: Pn }, (_, i) => [mds.coords[2 * i], mds.coords[2 * i + 1]] as [number, number]),
      stress: mds.stress,
    },
    comparisons,
    spread,
    seconds: (performance.now() - t0) / 1000,
  }
}
