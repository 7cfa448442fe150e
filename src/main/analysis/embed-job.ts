/**
 * One embedding job: distances of a point set and their 2-D embedding. Runs in a
 * worker thread (embed-worker.ts) so that the host's event loop stays free while
 * SMACOF iterates (it is synchronous and takes seconds at fig1's size).
 */
import { startWorker } from '../engine/start-worker'
import { bhattacharyyaDistances } from './bhattacharyya-distances'
import { classesOf, hammingDistances } from './kappa-distances'
import { euclideanDistances } from './tau-distances'
import { defaultWorkerCount } from '../engine/pool'
import { defaultIterations, embed, type EmbeddingOptions } from './embedding'
import { bestOfStarts, runStart, startPlan, type SmacofStart } from './smacof-starts'
import { minkowskiStress } from './inpca'
import { memorySource, streamedLandmark, streamedPca, streams, type PointSource, type StreamView } from './streamed'
import { placeIntoFrozen } from './out-of-sample'
import { phateFinish, phatePrepare } from './phate'
import { distanceToFinalMean, ensembleSpread } from './metrics'
import { kruskalStress, pointStress } from './stress'
import { neighbourhoodScores } from './neighbourhood'
import { shepardData } from './shepard'
import type { EmbeddingMethod, EmbeddingResult } from './types'

export interface EmbedJob {
  /** n points of dimension d, row-major. */
  X: Float32Array
  n: number
  d: number
  /** [probe, classes] for MLP runs, [dim] for the stochastic model. */
  pointShape: number[]
  view: 'tau' | 'kappa'
  method: EmbeddingMethod
  options?: EmbeddingOptions
  /** Place into a frozen map: the first m of the n points are its reference, drawn at
   * refCoords (m×2); the others are placed out of sample (out-of-sample.ts). */
  frozen?: { m: number; refCoords: Float64Array; axisSigns?: number[] }
  /** The points are a whole run's complete snapshots, net-major: also return the run's derived
   * metrics (ensembleSpread, distanceToFinalMean) from this job's distances. */
  ensemble?: { nets: number; snapshots: number }
}

export interface EmbedProgress {
  stage: 'reading' | 'distances' | 'embedding' | 'diagnostics'
  done: number
  total: number
}

/** InPCA measures distances between class probabilities (τ); κ's one-hot classes have none. */
export const INPCA_KAPPA =
  'InPCA embeds Bhattacharyya distances between class probabilities, which κ (classes alone) does not have: ' +
  'use the τ view for InPCA, or another method for κ'

function oneHot(K: Uint8Array, n: number, P: number, C: number): Float32Array {
  const X = new Float32Array(n * P * C)
  for (let i = 0; i < n * P; i++) X[i * C + K[i]] = 1
  return X
}

export async function computeEmbedding(
  job: EmbedJob,
  onProgress?: (p: EmbedProgress) => void,
): Promise<EmbeddingResult> {
  const { X, n, d, method } = job
  if (n === 0) return { method, coords: new Float64Array(0), stress: 0 }
  const progress = (done: number, total: number) => onProgress?.({ stage: 'distances', done, total })
  const classes = (what: string) => {
    const [P, C] = job.pointShape
    if (C === undefined) throw new Error(`${what} needs class outputs; stochastic-model runs have only τ`)
    return { P, C }
  }
  const kappa =
    job.view === 'kappa'
      ? (() => {
          const { P, C } = classes('the κ view')
          return { K: classesOf(X, n * P, C), P, C }
        })()
      : null
  if (streams(method, n) && !job.frozen) {
    const [P, C] = job.pointShape
    const view: StreamView = kappa ? { kind: 'kappa', P: P!, C: C! } : { kind: 'tau' }
    return streamedEmbedding(memorySource(X, n, d), view, method, job.options, onProgress)
  }
  // Before the distances: they may centre X in place.
  const toFinalMean =
    job.ensemble && !kappa && method !== 'inpca' ? Array.from(distanceToFinalMean(X, d, job.ensemble).mean) : undefined
  let D: Float64Array
  if (method === 'inpca') {
    if (kappa) throw new Error(INPCA_KAPPA)
    const { P, C } = classes('InPCA')
    D = await bhattacharyyaDistances(X, n, P, C, { onProgress: progress })
  } else if (kappa) D = await hammingDistances(kappa.K, n, kappa.P, kappa.C, { onProgress: progress })
  // X is this job's own copy (sent to the worker), and after the distances only PCA reads it,
  // which centres anyway: centre it in place.
  else D = await euclideanDistances(X, n, d, { onProgress: progress, centreInPlace: true })
  onProgress?.({ stage: 'embedding', done: 0, total: 1 })
  let result: EmbeddingResult
  const maxIter = job.options?.maxIter ?? defaultIterations(method, n)
  const onIteration = (i: number) => {
    if (i % 10 === 0) onProgress?.({ stage: 'embedding', done: i, total: maxIter })
  }
  if (job.frozen) {
    const { m, refCoords, axisSigns } = job.frozen
    // Gower's formula needs squared distances: InPCA's D already is one, κ's Hamming fraction
    // times 2P is the squared distance of the one-hot rows PCA embedded.
    const squared = method === 'inpca' ? 1 : method === 'pca' && kappa ? 2 * kappa.P : 'square'
    const p = placeIntoFrozen(method, D, n, m, refCoords, { squared, maxIter, onIteration, axisSigns })
    result = {
      method,
      coords: p.coords,
      stress: method === 'inpca' ? minkowskiStress(D, p.coords, p.axisSigns, n) : kruskalStress(D, p.coords, n),
      iterations: p.iterations,
      placement: {
        referencePoints: m,
        addedPoints: n - m,
        referenceStress: p.referenceStress,
        addedStress: p.addedStress,
      },
    }
  } else if (method === 'pca') {
    result = kappa
      ? embed('pca', { n, D, X: oneHot(kappa.K, n, kappa.P, kappa.C), d: kappa.P * kappa.C })
      : embed('pca', { n, D, X, d })
  } else if (method === 'phate') {
    // The potential's rows are m-dimensional: their distances on the GEMM backend (tau-distances.ts).
    const prep = phatePrepare(D, n, job.options)
    const U = Float32Array.from(prep.potential)
    onProgress?.({ stage: 'embedding', done: 0, total: maxIter })
    const Dpot = await euclideanDistances(U, prep.m, prep.m)
    result = phateFinish(D, n, prep, Dpot, { ...job.options, onIteration })
  } else if (method === 'smacof' && (job.options?.starts ?? 1) > 1) {
    result = await smacofStartsParallel(D, n, job.options!.starts!, job.options, (done, total) =>
      onProgress?.({ stage: 'embedding', done, total }),
    )
  } else {
    result = embed(method, { n, D }, { ...job.options, onIteration })
  }
  onProgress?.({ stage: 'diagnostics', done: 0, total: 1 })
  result.neighbourhood = neighbourhoodScores(D, result.coords, n)
  result.shepard = shepardData(D, result.coords, n)
  result.pointStress = pointStress(D, result.coords, n)
  // InPCA's D is Bhattacharyya's, not the view's distance the derived metrics are of.
  if (job.ensemble && method !== 'inpca') {
    const spread = ensembleSpread(D, n, job.ensemble)
    result.derived = {
      meanPairwise: Array.from(spread.meanPairwise),
      meanStep: Array.from(spread.meanStep),
      stepToSpread: Array.from(spread.stepToSpread),
      ...(toFinalMean ? { distanceToFinalMean: toFinalMean } : {}),
    }
  }
  return result
}

/**
 * Landmark MDS or PCA streamed from a point source (streamed.ts): what every embedding of more than
 * STREAM_ABOVE points by these methods is. Stress is estimated on a sample of pairs.
 */
export async function streamedEmbedding(
  src: PointSource,
  view: StreamView,
  method: EmbeddingMethod,
  options: EmbeddingOptions = {},
  onProgress?: (p: EmbedProgress) => void,
): Promise<EmbeddingResult> {
  const opts = { ...(options.seed !== undefined ? { seed: options.seed } : {}) }
  if (method === 'landmark') {
    return streamedLandmark(src, view, {
      ...opts,
      ...(options.landmarks !== undefined ? { landmarks: options.landmarks } : {}),
      onProgress: (done, total) => onProgress?.({ stage: 'distances', done, total }),
    })
  }
  if (method === 'pca')
    return streamedPca(src, view, {
      ...opts,
      onProgress: (done, total) => onProgress?.({ stage: 'embedding', done, total }),
    })
  throw new Error(`embedding '${method}' cannot be streamed: it needs all n² distances`)
}

type StartReply =
  | { type: 'iteration'; start: number; iteration: number }
  | { type: 'start'; start: number; result: EmbeddingResult }
  | { type: 'error'; message: string }

/**
 * SMACOF from several starts, in parallel threads where there are cores (one per start at most):
 * the distances are shared (a SharedArrayBuffer), each thread runs its starts (round-robin) and
 * sends back their pictures. Stopping the job stops these threads with it (they are its workers).
 * The result does not depend on the number of threads: each start is seeded on its own.
 */
export async function smacofStartsParallel(
  D: Float64Array,
  n: number,
  starts: number,
  options: EmbeddingOptions = {},
  onProgress?: (done: number, total: number) => void,
  threads = defaultWorkerCount(),
): Promise<EmbeddingResult> {
  const plan = startPlan(starts, options)
  const { onIteration: _cb, init: _init, ...opts } = options
  const maxIter = opts.maxIter ?? defaultIterations('smacof', n)
  const total = plan.length * maxIter
  const reached = new Array<number>(plan.length).fill(0)
  let last = -Infinity
  const report = (force = false) => {
    const done = reached.reduce((a, b) => a + b, 0)
    if (force || done - last >= 10) {
      last = done
      onProgress?.(done, total)
    }
  }
  const T = Math.max(1, Math.min(threads, plan.length))
  if (T === 1) {
    const results = plan.map((s, k) =>
      runStart(D, n, s, {
        ...opts,
        onIteration: (i) => {
          reached[k] = i
          report()
        },
      }),
    )
    return bestOfStarts(plan, results, n)
  }
  const shared = new Float64Array(new SharedArrayBuffer(D.byteLength))
  shared.set(D)
  const results = new Array<EmbeddingResult>(plan.length)
  const entry = { from: import.meta.url, source: './embed-worker.ts', built: 'embed-worker.js' }
  const workers = Array.from({ length: T }, (_, t) => plan.map((_, k) => k).filter((k) => k % T === t))
  const running = workers.map((mine) => {
    const w = startWorker(entry, { starts: { D: shared, n, plan: mine.map((k) => ({ k, s: plan[k] })), opts } })
    return new Promise<void>((resolve, reject) => {
      let left = mine.length
      w.on('message', (m: StartReply) => {
        if (m.type === 'iteration') {
          reached[m.start] = m.iteration
          return report()
        }
        if (m.type === 'error') {
          void w.terminate()
          return reject(new Error(m.message))
        }
        results[m.start] = m.result
        reached[m.start] = maxIter
        report(true)
        if (--left === 0) {
          void w.terminate()
          resolve()
        }
      })
      w.on('error', reject)
      w.on('exit', (code) => {
        if (left > 0) reject(new Error(`a SMACOF start's worker exited unexpectedly (code ${code})`))
      })
    })
  })
  await Promise.all(running)
  return bestOfStarts(plan, results, n)
}

/** The worker side of smacofStartsParallel (embed-worker.ts). */
export function runStartsInWorker(
  a: { D: Float64Array; n: number; plan: { k: number; s: SmacofStart }[]; opts: EmbeddingOptions },
  post: (m: StartReply, transfer?: ArrayBuffer[]) => void,
): void {
  for (const { k, s } of a.plan) {
    const result = runStart(a.D, a.n, s, {
      ...a.opts,
      onIteration: (iteration) => {
        if (iteration % 10 === 0) post({ type: 'iteration', start: k, iteration })
      },
    })
    post({ type: 'start', start: k, result }, [result.coords.buffer as ArrayBuffer])
  }
}

type WorkerReply =
  | { type: 'progress'; progress: EmbedProgress }
  | { type: 'result'; result: EmbeddingResult }
  | { type: 'error'; message: string }

/** Runs a job in a worker thread; X is transferred, not copied. */
export function embedInWorker(job: EmbedJob, onProgress?: (p: EmbedProgress) => void): Promise<EmbeddingResult> {
  const entry = { from: import.meta.url, source: './embed-worker.ts', built: 'embed-worker.js' }
  const w = startWorker(entry, { job }, [job.X.buffer as ArrayBuffer])
  return new Promise<EmbeddingResult>((resolve, reject) => {
    let settled = false
    w.on('message', (m: WorkerReply) => {
      if (m.type === 'progress') return onProgress?.(m.progress)
      settled = true
      void w.terminate()
      if (m.type === 'result') resolve(m.result)
      else reject(new Error(m.message))
    })
    w.on('error', (e) => {
      settled = true
      reject(e)
    })
    w.on('exit', (code) => {
      if (!settled) reject(new Error(`the embedding worker exited unexpectedly (code ${code})`))
    })
  })
}
