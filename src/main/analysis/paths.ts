/**
 * From run archives to figure data: gathers the (run, network, snapshot) points a view
 * asks for, computes their distances and embedding (cached in the archive, keyed by
 * everything that determines the result), and derives the ensemble metrics.
 */
import { createHash } from 'node:crypto'
import type { Project } from '../archive/project'
import type { RunArchive } from '../archive/run'
import type {
  GoodnessOfFit,
  MetricsData,
  NeighbourhoodScores,
  PathsData,
  ShepardData,
  StartsReport,
  StressEstimate,
} from '../../shared/figures/data'
import type { DerivedMetrics, PointNeighbours, PointRef } from '../../shared/api/contract'
import { ApiError } from '../../shared/api/errors'
import { preferredRunColor, runLegend } from '../../shared/run-display'
import { bhattacharyyaRows } from './bhattacharyya-distances'
import { classesOf, hammingDistances, hammingRows } from './kappa-distances'
import { nearest } from './neighbourhood'
import { euclideanDistances, euclideanRows } from './tau-distances'
import { embedInWorker, INPCA_KAPPA, streamedEmbedding, type EmbedJob, type EmbedProgress } from './embed-job'
import { archiveSource, STREAM_ABOVE, streamedSpread, streams, type StreamView } from './streamed'
import type { EmbeddingOptions } from './embedding'
import { ensembleSpread, distanceToFinalMean } from './metrics'
import { BAD_PLACEMENT_RATIO } from './out-of-sample'
import { procrustes } from './procrustes'
import { externalLabels, probeError, requireClasses, requireSameProbe } from './probe-set'
import type { EmbeddingMethod, EmbeddingResult } from './types'

/** The metric computed for recorded runs from τ and their labels. */
export const PROBE_ERROR = 'probe_error'

export const EMBEDDING_METHODS: EmbeddingMethod[] = [
  'smacof',
  'classical',
  'landmark',
  'pca',
  'inpca',
  'tsne',
  'umap',
  'phate',
]
export type View = 'tau' | 'kappa'

export interface PathQuery {
  /** Run ids (one, or several to compare). */
  runs: string[]
  /** Labels of the runs in legends (default: their names or ids). */
  labels?: string[]
  view: View
  method: EmbeddingMethod
  /** Network subset (default: all). */
  nets?: number[]
  /** Epoch window [from, to]; null = open. */
  epochs?: [number | null, number | null]
  /** Several runs: one embedding of all points (`joint`, default), or each run embedded
   * alone and rotated onto the first by orthogonal Procrustes (`procrustes`). */
  align?: 'joint' | 'procrustes'
  options?: EmbeddingOptions
  /** Place the points into a frozen map instead of re-fitting: the embedding of `runs` (this
   * query's view, method and options), or exactly the cached one with `key`. */
  into?: FrozenMapQuery
}

export interface FrozenMapQuery {
  runs: string[]
  nets?: number[]
  epochs?: [number | null, number | null]
  key?: string
}

export type { EmbedProgress } from './embed-job'

export interface EmbeddedPaths extends PathsData {
  cached: boolean
  seconds: number
  points: number
  /** The cache key of the embedding drawn (of the map, when placed into one): freezing the
   * view passes it back as `into.key`. Absent for Procrustes-aligned runs. */
  key?: string
}

export interface Gathered {
  run: RunArchive
  label: string
  rows: { net: number; snapshot: number }[]
  /** The rows' τ (read on first use: a cached embedding needs only the rows). */
  tau(): Promise<Float32Array>
  /** τ for the caller to keep (e.g. to transfer to a worker): a later tau() reads it again. */
  takeTau(): Promise<Float32Array>
  d: number
  epochs: Float64Array
  samples: Float64Array
  testError: (net: number, snapshot: number) => number | undefined
  /** Snapshots 0..complete−1 are recorded for every network of the run. */
  complete: number
}

function inWindow(e: number, w?: [number | null, number | null]): boolean {
  if (!w) return true
  const [a, b] = w
  return (a === null || e >= a - 1e-9) && (b === null || e <= b + 1e-9)
}

/** The recorded points of one run that a query selects, with their τ. */
export async function gather(
  project: Project,
  runId: string,
  label: string | undefined,
  q: PathQuery,
  onProgress?: (p: EmbedProgress) => void,
  only?: Set<string>,
): Promise<Gathered> {
  const run = await project.openRun(runId)
  if (q.view === 'kappa') requireClasses(run, 'the κ view')
  if (q.method === 'inpca') requireClasses(run, 'InPCA (distances between class probabilities)')
  return gatherFrom(run, runId, label, q, onProgress, only)
}

/** Probe errors (colours of runs without a test error) are computed from τ read in blocks of this many values. */
const PROBE_ERROR_BLOCK = 16 * 1024 * 1024

/** How many points a query selects (before any τ is read): what the default method and the
 * scale warning depend on. */
export async function countPoints(project: Project, q: Pick<PathQuery, 'runs' | 'nets' | 'epochs'>): Promise<number> {
  let n = 0
  for (const id of q.runs) {
    const run = await project.openRun(id)
    const { nets, snapshots: S } = run.attrs
    const done = await run.readDone()
    const { epochs } = await run.readTimes()
    const netList = (q.nets ?? Array.from({ length: nets }, (_, k) => k)).filter((k) => k >= 0 && k < nets)
    for (const net of netList) for (let j = 0; j < S; j++) if (done[net * S + j] && inWindow(epochs[j], q.epochs)) n++
  }
  return n
}

/** Reading progress is reported every this many τ chunks. */
const TAU_READS = 32

async function gatherFrom(
  run: RunArchive,
  runId: string,
  label: string | undefined,
  q: PathQuery,
  onProgress?: (p: EmbedProgress) => void,
  /** Only these points (`net:snapshot`), e.g. those of a frozen map. */
  only?: Set<string>,
): Promise<Gathered> {
  const { nets, snapshots: S, pointShape, metrics: names } = run.attrs
  const done = await run.readDone()
  const { epochs, samples } = await run.readTimes()
  const complete = completeSnapshots(done, nets, S)
  const netList = (q.nets ?? Array.from({ length: nets }, (_, k) => k)).filter((k) => k >= 0 && k < nets)
  const rows: { net: number; snapshot: number }[] = []
  for (const net of netList)
    for (let j = 0; j < S; j++)
      if (done[net * S + j] && inWindow(epochs[j], q.epochs) && (!only || only.has(`${net}:${j}`)))
        rows.push({ net, snapshot: j })
  const d = pointShape.reduce((a, b) => a * b, 1)
  let read: Promise<Float32Array> | null = null
  const tau = () =>
    (read ??= (async () => {
      const X = new Float32Array(rows.length * d)
      // Several chunks at a time, straight into X (RunArchive.readTauInto).
      await run.readTauInto(rows, X, (done) => {
        if (done % TAU_READS === 0 || done === rows.length) onProgress?.({ stage: 'reading', done, total: rows.length })
      })
      return X
    })())
  const m = await run.readMetrics()
  const te = names.indexOf('test_error')
  const M = names.length
  // Runs recorded outside sgdscope without a test error are coloured by their probe error.
  const labels = te < 0 ? await externalLabels(run) : null
  const probeErrors = new Map<string, number>()
  if (labels) {
    // In blocks: a large run's τ is never held whole for its colours (issue 23).
    const B = Math.max(1, Math.floor(PROBE_ERROR_BLOCK / Math.max(1, d)))
    const buf = new Float32Array(Math.min(rows.length, B) * d)
    for (let i0 = 0; i0 < rows.length; i0 += B) {
      const part = rows.slice(i0, i0 + B)
      await run.readTauInto(part, buf)
      part.forEach((r, i) =>
        probeErrors.set(
          `${r.net}:${r.snapshot}`,
          probeError(buf.subarray(i * d, (i + 1) * d), labels, pointShape[0], pointShape[1]),
        ),
      )
    }
  }
  return {
    run,
    label: label ?? runLegend(runId, run.attrs.spec.name, run.attrs.display),
    rows,
    tau,
    takeTau: async () => {
      const X = await tau()
      read = null
      return X
    },
    d,
    epochs,
    samples,
    complete,
    testError: (net, j) => {
      if (labels) return probeErrors.get(`${net}:${j}`)
      return te >= 0 && !Number.isNaN(m[(net * S + j) * M + te]) ? m[(net * S + j) * M + te] : undefined
    },
  }
}

/** How many leading snapshots every network of the run has recorded. */
function completeSnapshots(done: ArrayLike<number>, nets: number, S: number): number {
  let complete = 0
  while (complete < S && Array.from({ length: nets }, (_, k) => done[k * S + complete]).every(Boolean)) complete++
  return complete
}

/** Derived metrics are cached by the complete snapshots: snapshots once written never change. */
function derivedCacheName(view: View, nets: number, S: number, complete: number): string {
  return `derived-${view}-${nets}x${S}-${complete}`
}

/** Whether g's rows are exactly its run's complete snapshots, net-major (what runMetrics reads). */
function isWholeRun(g: Gathered): boolean {
  const { nets } = g.run.attrs
  const S = g.complete
  return (
    S > 0 && g.rows.length === nets * S && g.rows.every((r, i) => r.net === Math.floor(i / S) && r.snapshot === i % S)
  )
}

function dataVersion(g: Gathered): string {
  return `${g.run.id}:${g.rows.length}:${g.run.attrs.snapshots}`
}

/** Embeds a set of points (all gathered runs' rows, concatenated), in a worker thread
 * so that the host (the app's main process, the browser host) stays responsive. */
async function embedPoints(
  gs: Gathered[],
  q: PathQuery,
  onProgress?: (p: EmbedProgress) => void,
): Promise<EmbeddingResult> {
  const n = gs.reduce((a, g) => a + g.rows.length, 0)
  const d = checkEmbeddable(gs, q)
  if (streams(q.method, n)) {
    // Straight from the archives, block by block: neither all of τ nor n×n distances are held.
    const [P, C] = gs[0].run.attrs.pointShape
    const view: StreamView = q.view === 'kappa' ? { kind: 'kappa', P: P!, C: C! } : { kind: 'tau' }
    return streamedEmbedding(archiveSource(gs, d), view, q.method, q.options, onProgress)
  }
  // Transferred to the worker, not copied: a copy of fig1's 124 MB costs 0.65 s CPU in first touches alone.
  const X = gs.length === 1 ? await gs[0].takeTau() : concat(await Promise.all(gs.map((g) => g.tau())), n * d)
  const job: EmbedJob = {
    X,
    n,
    d,
    pointShape: gs[0].run.attrs.pointShape,
    view: q.view,
    method: q.method,
    ...(q.options ? { options: q.options } : {}),
    // One run's complete snapshots: the derived metrics come from the same distances.
    ...(gs.length === 1 && isWholeRun(gs[0])
      ? { ensemble: { nets: gs[0].run.attrs.nets, snapshots: gs[0].complete } }
      : {}),
  }
  return embedInWorker(job, onProgress)
}

/** Whether these runs' points can share an embedding of this query; their dimension. */
function checkEmbeddable(gs: Gathered[], q: PathQuery): number {
  const d = gs[0].d
  const odd = gs.find((g) => g.d !== d)
  if (odd) {
    const message =
      'these runs record points of different sizes (e.g. different probe sets) and cannot share an embedding'
    throw new ApiError('conflict', message, { reason: 'not-applicable', run: odd.run.id })
  }
  // Checked here, not in the worker: an error from the worker arrives as text only.
  const classless = gs.find((g) => g.run.attrs.pointShape[1] === undefined)
  if (classless && (q.view === 'kappa' || q.method === 'inpca')) {
    const what = q.view === 'kappa' ? 'the κ view' : 'InPCA'
    const message = `${what} needs class outputs; stochastic-model runs have only τ`
    throw new ApiError('conflict', message, { reason: 'not-applicable', run: classless.run.id })
  }
  if (q.view === 'kappa' && q.method === 'inpca')
    throw new ApiError('conflict', INPCA_KAPPA, { reason: 'not-applicable', run: gs[0].run.id })
  return d
}

function concat(parts: Float32Array[], length: number): Float32Array {
  const out = new Float32Array(length)
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

/** Embedding of a query, from the cache in the first run's archive when it is there. */
async function cachedEmbedding(
  gs: Gathered[],
  q: PathQuery,
  onProgress?: (p: EmbedProgress) => void,
): Promise<{ result: EmbeddingResult; cached: boolean; key: string }> {
  const key = createHash('sha1')
    .update(
      JSON.stringify({
        v: 3,
        data: gs.map(dataVersion),
        rows: gs.map((g) => g.rows),
        view: q.view,
        method: q.method,
        options: q.options ?? {},
        // Several starts: plan 2 has the landmark start second (before, a random one).
        ...((q.options?.starts ?? 1) > 1 ? { plan: 2 } : {}),
      }),
    )
    .digest('hex')
    .slice(0, 20)
  const home = gs[0].run
  const result = await readCachedEmbedding(home, key, q.method)
  if (result) {
    // Embeddings cached before maps could be frozen did not record their points.
    if (!(await home.readEmbedding(`${key}-rows`))) await writeRows(home, key, gs).catch(() => undefined)
    return { result, cached: true, key }
  }
  const fresh = await embedPoints(gs, q, onProgress)
  await writeEmbeddingCache(home, key, fresh, q, gs)
  if (fresh.derived) {
    const g = gs[0]
    const derived: DerivedMetrics = { epochs: Array.from(g.epochs.subarray(0, g.complete)), ...fresh.derived }
    await home
      .writeCache(derivedCacheName(q.view, g.run.attrs.nets, g.run.attrs.snapshots, g.complete), derived)
      .catch(() => {
        /* a read-only archive: runMetrics computes them itself */
      })
  }
  return { result: fresh, cached: false, key }
}

async function readCachedEmbedding(home: RunArchive, key: string, method: EmbeddingMethod) {
  const hit = await home.readEmbedding(key)
  if (!hit) return null
  const a = hit.attrs
  const result: EmbeddingResult = { method, coords: hit.coords, stress: Number(a.stress ?? NaN) }
  if (typeof a.explainedVariance === 'number') result.explainedVariance = a.explainedVariance
  if (a.stressEstimate) result.stressEstimate = a.stressEstimate as StressEstimate
  if (Array.isArray(a.axisSigns)) result.axisSigns = a.axisSigns as number[]
  if (a.neighbourhood) result.neighbourhood = fromJson(a.neighbourhood as NeighbourhoodScores)
  if (a.starts) result.starts = a.starts as StartsReport
  if (typeof a.diffusionTime === 'number') result.diffusionTime = a.diffusionTime
  const shepard = await readShepard(home, key)
  if (shepard) result.shepard = shepard
  const ps = await readPointStress(home, key, hit.coords.length / 2)
  if (ps) result.pointStress = ps
  return result
}

async function writeEmbeddingCache(
  home: RunArchive,
  key: string,
  result: EmbeddingResult,
  q: PathQuery,
  gs: Gathered[],
): Promise<void> {
  if (result.shepard) await writeShepard(home, key, result.shepard)
  if (result.pointStress) await writePointStress(home, key, result.pointStress)
  await writeRows(home, key, gs)
  await home.writeEmbedding(key, result.coords, {
    method: q.method,
    view: q.view,
    stress: result.stress,
    ...(result.explainedVariance !== undefined ? { explainedVariance: result.explainedVariance } : {}),
    ...(result.stressEstimate ? { stressEstimate: result.stressEstimate } : {}),
    ...(result.axisSigns ? { axisSigns: result.axisSigns } : {}),
    ...(result.neighbourhood ? { neighbourhood: result.neighbourhood } : {}),
    ...(result.starts ? { starts: result.starts } : {}),
    ...(result.diffusionTime !== undefined ? { diffusionTime: result.diffusionTime } : {}),
    runs: gs.map((g) => g.run.id),
    points: gs.map((g) => g.rows.length),
    created: new Date().toISOString(),
  })
}

/** The embedded points as (net, snapshot) pairs beside the embedding, so that the map can be
 * frozen: later snapshots of a live run are placed into exactly these points' picture. */
async function writeRows(run: RunArchive, key: string, gs: Gathered[]): Promise<void> {
  const rows = gs.flatMap((g) => g.rows.flatMap((r) => [r.net, r.snapshot]))
  if (rows.length === 0) return
  await run.writeEmbedding(`${key}-rows`, Float64Array.from(rows), { runs: gs.map((g) => g.run.id) })
}

/** The Shepard data beside its embedding: the pairs (or the bin counts) as an m×2 array, the rest in
 * its attributes. */
async function writeShepard(run: RunArchive, key: string, sh: ShepardData): Promise<void> {
  const { points, bins, ...rest } = sh
  const values = Float64Array.from(points ?? bins?.counts ?? [])
  if (values.length % 2 !== 0 || values.length === 0) return // nothing to store as m×2: recomputed next time
  const binShape = bins ? { nx: bins.nx, ny: bins.ny, xMax: bins.xMax, yMax: bins.yMax } : undefined
  await run.writeEmbedding(`${key}-shepard`, values, { shepard: rest, ...(binShape ? { bins: binShape } : {}) })
}

async function readShepard(run: RunArchive, key: string): Promise<ShepardData | null> {
  const hit = await run.readEmbedding(`${key}-shepard`)
  const rest = hit?.attrs.shepard as Omit<ShepardData, 'points' | 'bins'> | undefined
  if (!hit || !rest) return null
  const bins = hit.attrs.bins as Omit<NonNullable<ShepardData['bins']>, 'counts'> | undefined
  const values = Array.from(hit.coords)
  return bins ? { ...rest, bins: { ...bins, counts: values } } : { ...rest, points: values }
}

/** Each point's stress share beside its embedding, as float64 (exact for the float32 shares), padded
 * to n×2 with a zero when n is odd. */
async function writePointStress(run: RunArchive, key: string, ps: Float32Array): Promise<void> {
  if (ps.length === 0) return
  const values = new Float64Array(ps.length + (ps.length % 2))
  values.set(ps)
  await run.writeEmbedding(`${key}-stress`, values, { pointStress: ps.length })
}

async function readPointStress(run: RunArchive, key: string, n: number): Promise<Float32Array | null> {
  const hit = await run.readEmbedding(`${key}-stress`)
  if (!hit || hit.attrs.pointStress !== n) return null
  return Float32Array.from(hit.coords.subarray(0, n))
}

/** A NaN (k ≥ n/2) in the stored attributes comes back as null or "NaN". */
function fromJson(s: NeighbourhoodScores): NeighbourhoodScores {
  const num = (v: unknown) => (typeof v === 'number' ? v : NaN)
  return {
    ...s,
    trustworthiness: s.trustworthiness.map(num),
    continuity: s.continuity.map(num),
    rankCorrelation: num(s.rankCorrelation),
  }
}

/** The method's own goodness of fit: explained variance for PCA and InPCA, trustworthiness at
 * k = 10 for t-SNE, UMAP and PHATE (which keep neighbourhoods or diffusion potentials, not the
 * distances), stress-1 otherwise. */
export function goodnessOfFit(r: EmbeddingResult): GoodnessOfFit {
  if ((r.method === 'pca' || r.method === 'inpca') && r.explainedVariance !== undefined)
    return { name: 'explained variance', value: r.explainedVariance }
  const at10 = r.neighbourhood?.k.indexOf(10) ?? -1
  if (
    (r.method === 'tsne' || r.method === 'umap' || r.method === 'phate') &&
    at10 >= 0 &&
    Number.isFinite(r.neighbourhood!.trustworthiness[at10])
  )
    return { name: 'trustworthiness (k = 10)', value: r.neighbourhood!.trustworthiness[at10]! }
  return { name: 'stress-1', value: r.stress, ...(r.stressEstimate ? { estimate: r.stressEstimate } : {}) }
}

function worstScores(all: (NeighbourhoodScores | undefined)[]): NeighbourhoodScores | undefined {
  if (all.some((s) => !s)) return undefined
  const list = all as NeighbourhoodScores[]
  const min = (f: (s: NeighbourhoodScores) => number) => Math.min(...list.map(f))
  return {
    k: list[0]!.k,
    trustworthiness: list[0]!.k.map((_, a) => min((s) => s.trustworthiness[a]!)),
    continuity: list[0]!.k.map((_, a) => min((s) => s.continuity[a]!)),
    rankCorrelation: min((s) => s.rankCorrelation),
    pairs: min((s) => s.pairs),
  }
}

/** A point's τ as a key: equal keys are the same function on the probe set. */
function tauKey(X: Float32Array, d: number, i: number): string {
  const row = X.subarray(i * d, (i + 1) * d)
  return createHash('sha256')
    .update(new Uint8Array(row.buffer, row.byteOffset, row.byteLength))
    .digest('base64')
}

/**
 * The points of run `g` and of the reference that Procrustes should bring together, as
 * [reference index, g index]. Points with identical τ are the same network state (networks
 * of the same seed before training, or runs that agree), so when there are at least three,
 * the alignment is fitted on them alone: fitting on every (network, snapshot) pair as well
 * would pull those identical points apart to match paths that differ by design (another
 * batch size, rate). Without three, the same network at the same epoch (not snapshot index:
 * schedules may differ) is paired.
 */
async function alignmentPairs(ref: Gathered, g: Gathered): Promise<[number, number][]> {
  if (ref.d === g.d) {
    const [refX, gX] = [await ref.tau(), await g.tau()]
    const byTau = new Map<string, number>()
    ref.rows.forEach((_, i) => byTau.set(tauKey(refX, ref.d, i), i))
    const same: [number, number][] = []
    const used = new Set<number>()
    g.rows.forEach((_, i) => {
      const a = byTau.get(tauKey(gX, g.d, i))
      if (a !== undefined && !used.has(a)) {
        used.add(a)
        same.push([a, i])
      }
    })
    if (same.length >= 3) return same
  }
  const at = (net: number, epoch: number) => `${net}:${epoch.toPrecision(12)}`
  const byNetEpoch = new Map(ref.rows.map((r, i) => [at(r.net, ref.epochs[r.snapshot]), i]))
  return g.rows
    .map((r, i) => [byNetEpoch.get(at(r.net, g.epochs[r.snapshot])), i] as const)
    .filter(([a]) => a !== undefined) as [number, number][]
}

/** The embedded paths of one or more runs, ready for the `paths` figure. */
export async function embedPaths(
  project: Project,
  q: PathQuery,
  onProgress?: (p: EmbedProgress) => void,
  cacheDir?: string,
): Promise<EmbeddedPaths> {
  if (q.runs.length === 0) throw new Error('no runs to embed')
  if ((q.options?.starts ?? 1) > 1 && q.method !== 'smacof') {
    const message = `several starts apply to SMACOF only, not to ${q.method} (its result does not depend on a start, or it has a seed)`
    throw new ApiError('bad-input', message, {
      issues: [{ path: 'options.starts', problem: { kind: 'invalid' }, message }],
    })
  }
  const t0 = performance.now()
  if (q.into) return embedIntoMap(project, q, onProgress, cacheDir, t0)
  if (q.runs.length > 1) await requireSameProbe(await Promise.all(q.runs.map((id) => project.openRun(id))), cacheDir)
  const gs: Gathered[] = []
  for (const [i, id] of q.runs.entries()) gs.push(await gather(project, id, q.labels?.[i], q, onProgress))
  let coords: Float64Array[]
  /** Each run's points' stress shares (of the picture they were drawn in). */
  let shares: (Float32Array | undefined)[]
  let stress: number
  let stressEstimate: StressEstimate | undefined
  let fit: GoodnessOfFit
  let neighbourhood: NeighbourhoodScores | undefined
  let shepard: ShepardData | undefined
  let starts: StartsReport | undefined
  let diffusionTime: number | undefined
  let cached = true
  let key: string | undefined
  if (gs.length === 1 || (q.align ?? 'joint') === 'joint') {
    const r = await cachedEmbedding(gs, q, onProgress)
    cached = r.cached
    key = r.key
    stress = r.result.stress
    stressEstimate = r.result.stressEstimate
    fit = goodnessOfFit(r.result)
    neighbourhood = r.result.neighbourhood
    shepard = r.result.shepard
    starts = r.result.starts
    diffusionTime = r.result.diffusionTime
    coords = []
    shares = []
    let o = 0
    for (const g of gs) {
      coords.push(r.result.coords.subarray(o * 2, (o + g.rows.length) * 2))
      shares.push(r.result.pointStress?.subarray(o, o + g.rows.length))
      o += g.rows.length
    }
  } else {
    // Each run alone, then rotated (and reflected, scaled) onto the first through the
    // points they have in common: the same (network, snapshot index).
    const each: EmbeddingResult[] = []
    for (const g of gs) {
      const r = await cachedEmbedding([g], q, onProgress)
      cached &&= r.cached
      each.push(r.result)
    }
    coords = [each[0].coords]
    shares = each.map((e) => e.pointStress)
    for (let k = 1; k < gs.length; k++) {
      const common = await alignmentPairs(gs[0], gs[k])
      if (common.length < 3) {
        const message = `run ${gs[k].run.id} shares fewer than 3 points (the same network at the same epoch) with ${gs[0].run.id}; use joint embedding`
        throw new ApiError('conflict', message, { reason: 'not-applicable', run: gs[k].run.id })
      }
      const A = new Float64Array(common.length * 2)
      const B = new Float64Array(common.length * 2)
      common.forEach(([a, b], i) => {
        A[2 * i] = each[0].coords[2 * a]
        A[2 * i + 1] = each[0].coords[2 * a + 1]
        B[2 * i] = each[k].coords[2 * b]
        B[2 * i + 1] = each[k].coords[2 * b + 1]
      })
      const fit = procrustes(A, B, common.length)
      const [r00, r01, r10, r11] = fit.rotation
      const src = each[k].coords
      const out = new Float64Array(src.length)
      for (let i = 0; i < src.length / 2; i++) {
        const x = src[2 * i]
        const y = src[2 * i + 1]
        out[2 * i] = fit.scale * (x * r00 + y * r10) + fit.translation[0]
        out[2 * i + 1] = fit.scale * (x * r01 + y * r11) + fit.translation[1]
      }
      coords.push(out)
    }
    // Several pictures: the worst of each number speaks for them all.
    stress = Math.max(...each.map((e) => e.stress))
    const fits = each.map(goodnessOfFit)
    fit =
      fits[0]!.name === 'stress-1' ? { ...fits[0]!, value: stress } : fits.reduce((a, b) => (b.value < a.value ? b : a))
    neighbourhood = worstScores(each.map((e) => e.neighbourhood))
    // One t for the view only when every picture chose the same.
    if (each.every((e) => e.diffusionTime === each[0].diffusionTime)) diffusionTime = each[0].diffusionTime
  }
  return {
    runs: pathsRuns(gs, coords, shares),
    view: q.view,
    method: q.method,
    stress,
    ...(stressEstimate ? { stressEstimate } : {}),
    fit,
    ...(neighbourhood ? { neighbourhood } : {}),
    ...(shepard ? { shepard } : {}),
    ...(starts ? { starts } : {}),
    ...(diffusionTime !== undefined ? { diffusionTime } : {}),
    cached,
    seconds: (performance.now() - t0) / 1000,
    points: gs.reduce((a, g) => a + g.rows.length, 0),
    ...(key ? { key } : {}),
  }
}

/** The figure's runs: each gathered run's points at its coordinates (rows × 2). */
function pathsRuns(
  gs: Gathered[],
  coords: Float64Array[],
  shares: (Float32Array | undefined)[] = [],
): PathsData['runs'] {
  return gs.map((g, gi) => {
    const byNet = new Map<number, PathsData['runs'][number]['nets'][number]>()
    g.rows.forEach((r, i) => {
      let entry = byNet.get(r.net)
      if (!entry) byNet.set(r.net, (entry = { net: r.net, points: [] }))
      const te = g.testError(r.net, r.snapshot)
      entry.points.push({
        x: coords[gi][2 * i],
        y: coords[gi][2 * i + 1],
        epoch: g.epochs[r.snapshot],
        samples: g.samples[r.snapshot],
        snapshot: r.snapshot,
        ...(te !== undefined ? { testError: te } : {}),
        ...(shares[gi] ? { stress: shares[gi][i] } : {}),
      })
    })
    return { label: g.label, color: preferredRunColor(g.run.id, g.run.attrs.display), nets: [...byNet.values()] }
  })
}

/** Above this many points (map and added ones), placing needs a distance matrix too big to hold. */
const PLACE_LIMIT = 12_000

/**
 * The paths of a query placed into a frozen map (issue 22): the map's points keep their
 * coordinates, the query's other points are placed out of sample (out-of-sample.ts), in a
 * worker. The map's runs that the query does not show are drawn too, as the map's context.
 */
async function embedIntoMap(
  project: Project,
  q: PathQuery,
  onProgress: ((p: EmbedProgress) => void) | undefined,
  cacheDir: string | undefined,
  t0: number,
): Promise<EmbeddedPaths> {
  const into = q.into!
  // t-SNE, UMAP and PHATE have no out-of-sample rule here: their maps are not metric in D, so
  // placing points by distances (Gower, SMACOF) would draw them where the map's distances are not.
  if (q.method === 'tsne' || q.method === 'umap' || q.method === 'phate')
    throw new ApiError(
      'conflict',
      `a ${q.method} map cannot take new points: freeze an MDS, PCA or InPCA map, or re-fit`,
      {
        reason: 'not-applicable',
        run: q.runs[0]!,
      },
    )
  const all = [...new Set([...q.runs, ...into.runs])]
  if (all.length > 1) await requireSameProbe(await Promise.all(all.map((id) => project.openRun(id))), cacheDir)
  const refQ: PathQuery = {
    runs: into.runs,
    view: q.view,
    method: q.method,
    ...(into.nets ? { nets: into.nets } : {}),
    ...(into.epochs ? { epochs: into.epochs } : {}),
    ...(q.options ? { options: q.options } : {}),
  }
  const refGs: Gathered[] = []
  let map: EmbeddingResult
  let key: string
  let cached = true
  if (into.key) {
    key = into.key
    const homeId = into.runs[0]!
    const home = await project.openRun(homeId)
    const [hit, rows] = [await readCachedEmbedding(home, key, q.method), await home.readEmbedding(`${key}-rows`)]
    const stale = (why: string) =>
      new ApiError('conflict', `the frozen map ${key} of run ${homeId} ${why}: re-fit the map`, {
        reason: 'not-applicable',
        run: homeId,
      })
    if (!hit || !rows) throw stale('is no longer in its cache')
    const attrs = (await home.readEmbedding(key))!.attrs
    const counts = attrs.points as number[] | undefined
    if (attrs.view !== q.view || attrs.method !== q.method)
      throw stale(
        `is a ${String(attrs.method)} map of ${String(attrs.view)}, not of this view's ${q.method} / ${q.view}`,
      )
    if (!counts || (attrs.runs as string[] | undefined)?.join('\n') !== into.runs.join('\n'))
      throw stale(`is not a map of runs ${into.runs.join(', ')}`)
    let o = 0
    for (const [i, id] of into.runs.entries()) {
      const only = new Set<string>()
      for (let r = 0; r < counts[i]!; r++, o++) only.add(`${rows.coords[2 * o]}:${rows.coords[2 * o + 1]}`)
      const g = await gather(project, id, undefined, { ...refQ, nets: undefined, epochs: undefined }, onProgress, only)
      if (g.rows.length !== only.size) throw stale(`has points that run ${id} no longer records`)
      refGs.push(g)
    }
    map = hit
  } else {
    for (const id of into.runs) refGs.push(await gather(project, id, undefined, refQ, onProgress))
    const r = await cachedEmbedding(refGs, refQ, onProgress)
    ;({ result: map, key, cached } = r)
  }
  const m = refGs.reduce((a, g) => a + g.rows.length, 0)
  if (map.coords.length !== 2 * m) throw new Error(`the frozen map has ${map.coords.length / 2} points, expected ${m}`)

  // The query's points: those of the map keep its coordinates, the others are added.
  const refIndex = new Map<string, number>()
  let o = 0
  for (const g of refGs) for (const r of g.rows) refIndex.set(`${g.run.id}|${r.net}:${r.snapshot}`, o++)
  const qGs: Gathered[] = []
  for (const [i, id] of q.runs.entries()) qGs.push(await gather(project, id, q.labels?.[i], q, onProgress))
  const added: { g: Gathered; i: number }[] = []
  const where = qGs.map((g) =>
    g.rows.map((r, i) => {
      const at = refIndex.get(`${g.run.id}|${r.net}:${r.snapshot}`)
      if (at !== undefined) return at
      added.push({ g, i })
      return m + added.length - 1
    }),
  )
  const n = m + added.length
  const d = checkEmbeddable([...refGs, ...qGs], q)
  let result: EmbeddingResult
  if (added.length === 0) {
    result = { ...map, placement: { referencePoints: m, addedPoints: 0, referenceStress: map.stress, addedStress: 0 } }
  } else {
    if (n > PLACE_LIMIT) {
      const message = `placing ${added.length} points into a map of ${m} needs all ${n}² distances; at most ${PLACE_LIMIT} points can be placed together: pick fewer networks or epochs`
      throw new ApiError('conflict', message, { reason: 'not-applicable', run: q.runs[0]! })
    }
    const X = new Float32Array(n * d)
    let at = 0
    for (const g of refGs) {
      X.set(await g.tau(), at)
      at += g.rows.length * d
    }
    for (const { g, i } of added) {
      X.set((await g.tau()).subarray(i * d, (i + 1) * d), at)
      at += d
    }
    const job: EmbedJob = {
      X,
      n,
      d,
      pointShape: refGs[0]!.run.attrs.pointShape,
      view: q.view,
      method: q.method,
      ...(q.options ? { options: q.options } : {}),
      frozen: { m, refCoords: map.coords, ...(map.axisSigns ? { axisSigns: map.axisSigns } : {}) },
    }
    result = await embedInWorker(job, onProgress)
    cached = false
  }
  const pl = result.placement!
  const sharesOf = (idx: number[]) =>
    result.pointStress ? Float32Array.from(idx, (k) => result.pointStress![k]!) : undefined
  const coordsOf = (idx: number[]) => {
    const c = new Float64Array(2 * idx.length)
    idx.forEach((k, i) => c.set(result.coords.subarray(2 * k, 2 * k + 2), 2 * i))
    return c
  }
  const context = refGs.filter((g) => !q.runs.includes(g.run.id))
  let begin = 0
  const contextShares = refGs.flatMap((g) => {
    // The map's runs that the query does not show are drawn as the map draws them, shares included.
    const c = map.pointStress?.subarray(begin, begin + g.rows.length)
    begin += g.rows.length
    return q.runs.includes(g.run.id) ? [] : [c]
  })
  let start = 0
  const contextCoords = refGs.flatMap((g) => {
    const c = map.coords.subarray(2 * start, 2 * (start + g.rows.length))
    start += g.rows.length
    return q.runs.includes(g.run.id) ? [] : [c]
  })
  return {
    runs: pathsRuns(
      [...qGs, ...context],
      [...where.map(coordsOf), ...contextCoords],
      [...where.map(sharesOf), ...contextShares],
    ),
    view: q.view,
    method: q.method,
    stress: result.stress,
    fit: goodnessOfFit(map),
    ...(result.neighbourhood ? { neighbourhood: result.neighbourhood } : {}),
    ...(result.shepard ? { shepard: result.shepard } : {}),
    frozen: {
      runs: into.runs,
      key,
      referencePoints: m,
      addedPoints: pl.addedPoints,
      referenceStress: pl.referenceStress,
      addedStress: pl.addedStress,
      badlyRepresented: pl.addedPoints > 0 && pl.addedStress > BAD_PLACEMENT_RATIO * pl.referenceStress,
    },
    cached,
    seconds: (performance.now() - t0) / 1000,
    points: qGs.reduce((a, g) => a + g.rows.length, 0) + context.reduce((a, g) => a + g.rows.length, 0),
    key,
  }
}

export type { PointNeighbours, PointRef } from '../../shared/api/contract'

/** A point's true nearest neighbours among the points of a query (issue 18 item 2): one row of
 * distances, computed on request rather than stored for every point. */
export async function pointNeighbours(
  project: Project,
  q: PathQuery,
  point: PointRef,
  k = 5,
  onProgress?: (p: EmbedProgress) => void,
): Promise<PointNeighbours> {
  const gs: Gathered[] = []
  for (const [i, id] of q.runs.entries()) gs.push(await gather(project, id, q.labels?.[i], q, onProgress))
  const d = checkEmbeddable(gs, q)
  const g = gs[point.run]
  const at = g?.rows.findIndex((r) => r.net === point.net && r.snapshot === point.snapshot) ?? -1
  if (!g || at < 0) {
    const which = `run ${q.runs[point.run] ?? `#${point.run}`}, network ${point.net}, snapshot ${point.snapshot}`
    const message = `no such point in this view: ${which}`
    throw new ApiError('bad-input', message, { issues: [{ path: 'point', problem: { kind: 'invalid' }, message }] })
  }
  const offsets: number[] = []
  let n = 0
  for (const x of gs) {
    offsets.push(n)
    n += x.rows.length
  }
  const X = gs.length === 1 ? await gs[0]!.tau() : concat(await Promise.all(gs.map((x) => x.tau())), n * d)
  const [P, C] = gs[0]!.run.attrs.pointShape
  const rows =
    q.method === 'inpca'
      ? bhattacharyyaRows(X, n, P!, C!)
      : q.view === 'kappa'
        ? hammingRows(classesOf(X, n * P!, C!), n, P!, C!)
        : await euclideanRows(X, n, d)
  const i = offsets[point.run]! + at
  let row: Float64Array
  try {
    row = rows.rows([i])
  } finally {
    rows.dispose()
  }
  const kk = Math.max(0, Math.min(k, n - 1))
  const out = new Int32Array(kk)
  nearest(row, n, i, kk, out)
  const refOf = (j: number) => {
    let r = 0
    while (r + 1 < gs.length && offsets[r + 1]! <= j) r++
    const { net, snapshot } = gs[r]!.rows[j - offsets[r]!]!
    return { run: r, net, snapshot, epoch: gs[r]!.epochs[snapshot]! }
  }
  return {
    point: { ...point, epoch: g.epochs[point.snapshot]! },
    neighbours: Array.from(out, (j) => ({ ...refOf(j), distance: row[j]! })),
  }
}

/** Per-snapshot metrics of a run's networks, plus the derived ensemble metrics of a view.
 * Only snapshots recorded by every network are used for the derived metrics. */
export async function runMetrics(
  project: Project,
  runId: string,
  view: View = 'tau',
  label?: string,
  withDerived = true,
  onProgress?: (p: EmbedProgress) => void,
): Promise<{ data: MetricsData; derived: DerivedMetrics }> {
  const run = await project.openRun(runId)
  const { nets, snapshots: S, metrics: names } = run.attrs
  const m = await run.readMetrics()
  const { epochs } = await run.readTimes()
  const M = names.length
  const series = names.map((name, c) => ({
    name,
    perNet: Array.from({ length: nets }, (_, k) => Array.from({ length: S }, (_, j) => m[(k * S + j) * M + c])),
  }))
  const done = await run.readDone()
  const labels = names.includes(PROBE_ERROR) ? null : await externalLabels(run)
  if (labels) {
    // τ's argmax against the recorded labels: an error curve for every recorded run with classes.
    const [P, C] = run.attrs.pointShape
    const perNet: number[][] = []
    for (let k = 0; k < nets; k++) {
      const row: number[] = []
      for (let j = 0; j < S; j++) row.push(done[k * S + j] ? probeError(await run.readTau(k, j), labels, P, C) : NaN)
      perNet.push(row)
    }
    series.push({ name: PROBE_ERROR, perNet })
  }
  const data: MetricsData = {
    runs: [
      {
        label: label ?? runLegend(runId, run.attrs.spec.name, run.attrs.display),
        color: preferredRunColor(runId, run.attrs.display),
        epochs: Array.from(epochs),
        series,
      },
    ],
  }
  if (!withDerived) return { data, derived: { epochs: [], meanPairwise: [], meanStep: [], stepToSpread: [] } }
  if (view === 'kappa') requireClasses(run, 'the κ view')
  const complete = completeSnapshots(done, nets, S)
  // Snapshots once written never change: the complete ones identify the result (an embedding of
  // the whole run writes the same entry from its own distances).
  const cacheName = derivedCacheName(view, nets, S, complete)
  const hit = await run.readCache<Record<string, (number | null)[]>>(cacheName)
  if (hit && Array.isArray(hit.meanPairwise) && hit.meanPairwise.length === complete) {
    // JSON has no NaN (a step of one snapshot, an undefined ratio): it was written as null.
    const derived = Object.fromEntries(
      Object.entries(hit).map(([k, v]) => [k, Array.isArray(v) ? v.map((x) => x ?? NaN) : v]),
    ) as unknown as DerivedMetrics
    return { data, derived }
  }
  const g = await gatherFrom(
    run,
    runId,
    label,
    {
      runs: [runId],
      view,
      method: 'classical',
      epochs: [null, complete > 0 ? epochs[complete - 1] : -1],
    },
    onProgress,
  )
  const n = g.rows.length
  const layout = { nets, snapshots: complete }
  if (n > STREAM_ABOVE && complete > 0) {
    // Snapshot by snapshot from the archive: neither n×n distances nor all of τ (issue 23).
    const [P, C] = run.attrs.pointShape
    const sview: StreamView = view === 'kappa' ? { kind: 'kappa', P: P!, C: C! } : { kind: 'tau' }
    const spread = await streamedSpread(archiveSource([g], g.d), sview, layout, (done, total) =>
      onProgress?.({ stage: 'distances', done, total }),
    )
    const derived: DerivedMetrics = { epochs: Array.from(epochs.subarray(0, complete)), ...spread }
    await run.writeCache(cacheName, derived).catch(() => undefined)
    return { data, derived }
  }
  const X = await g.tau()
  const distances = { onProgress: (done: number, total: number) => onProgress?.({ stage: 'distances', done, total }) }
  let D: Float64Array
  if (view === 'kappa') {
    const [P, C] = run.attrs.pointShape
    D = await hammingDistances(classesOf(X, n * P, C), n, P, C, distances)
  } else D = await euclideanDistances(X, n, g.d, distances)
  const spread =
    complete > 0
      ? ensembleSpread(D, n, layout)
      : { meanPairwise: new Float64Array(), meanStep: new Float64Array(), stepToSpread: new Float64Array() }
  const derived: DerivedMetrics = {
    epochs: Array.from(epochs.subarray(0, complete)),
    meanPairwise: Array.from(spread.meanPairwise),
    meanStep: Array.from(spread.meanStep),
    stepToSpread: Array.from(spread.stepToSpread),
  }
  if (view === 'tau' && complete > 0) derived.distanceToFinalMean = Array.from(distanceToFinalMean(X, g.d, layout).mean)
  await run.writeCache(cacheName, derived).catch(() => {
    /* a read-only archive: the result is still returned */
  })
  return { data, derived }
}
