/**
 * UMAP (McInnes, Healy & Melville 2018) from a precomputed distance matrix, through umap-js.
 *
 * umap-js finds neighbours approximately (NN-descent) from vectors and a distance function; we
 * give it the exact k nearest neighbours of each point from D instead (`setPrecomputedKNN`, each
 * row starting with the point itself at distance 0, as umap-learn's k-NN does), so the points
 * are only their indices and nothing is approximated before the layout. Its random numbers
 * (random start in [−10, 10)², negative sampling) come from a seeded generator: the same seed
 * gives the same coordinates.
 *
 * UMAP's distances are not metric: the result is rescaled by the least-squares factor onto D
 * (as t-SNE's), so the axes are in distance units and stress-1 means what it can. Coincident
 * points (distance 0) are embedded once and share their place (distinct.ts).
 */
import { UMAP } from 'umap-js'
import { Rng } from '../engine/rng'
import { distinctPoints, spread } from './distinct'
import { nearest } from './neighbourhood'
import { checkSquare, kruskalStress } from './stress'
import { fitScale } from './tsne'
import { EMBEDDING_DIMS, type EmbeddingResult } from './types'

export interface UmapOptions {
  /** Neighbours per point, itself included (default 15, umap-learn's n_neighbors; at most n − 1). */
  nNeighbors?: number
  /** Default 0.1. */
  minDist?: number
  /** Optimisation epochs (default umap-js's: 500 up to 2 500 points, 400 up to 5 000, …). */
  maxIter?: number
  seed?: number
  /** Called after every epoch with (epoch, epochs in all). */
  onIteration?: (epoch: number, total: number) => void
}

/** Exact k-NN lists from D, each starting with the point itself (distance 0). */
export function knnFromDistances(
  D: Float64Array,
  n: number,
  k: number,
): { indices: number[][]; distances: number[][] } {
  const nb = new Int32Array(k - 1)
  const indices: number[][] = []
  const distances: number[][] = []
  for (let i = 0; i < n; i++) {
    nearest(D.subarray(i * n, (i + 1) * n), n, i, k - 1, nb)
    indices.push([i, ...nb])
    distances.push([0, ...Array.from(nb, (j) => D[i * n + j]!)])
  }
  return { indices, distances }
}

export function umap(D: Float64Array, n: number, opts: UmapOptions = {}): EmbeddingResult {
  checkSquare(D, n, 'umap')
  const dp = distinctPoints(D, n)
  if (dp.m < n) {
    // Copies share their point's place (distinct.ts).
    const r = umap(dp.D, dp.m, opts)
    const all = spread(r.coords, dp.of)
    fitScale(D, all, n)
    return { ...r, coords: all, stress: kruskalStress(D, all, n) }
  }
  const coords = new Float64Array(n * EMBEDDING_DIMS)
  if (n < 3) {
    if (n === 2) coords[2] = D[1]!
    return { method: 'umap', coords, stress: 0, iterations: 0 }
  }
  const k = Math.max(2, Math.min(opts.nNeighbors ?? 15, n - 1))
  if (opts.maxIter !== undefined && (!Number.isInteger(opts.maxIter) || opts.maxIter < 1))
    throw new Error(`umap: maxIter must be a whole number ≥ 1, not ${opts.maxIter}`)
  const rng = new Rng((opts.seed ?? 0) >>> 0)
  const u = new UMAP({
    nComponents: EMBEDDING_DIMS,
    nNeighbors: k,
    minDist: opts.minDist ?? 0.1,
    ...(opts.maxIter !== undefined ? { nEpochs: opts.maxIter } : {}),
    random: () => rng.next(),
    // Never called: the neighbours are precomputed (and umap-js's transform is not used).
    distanceFn: (a, b) => D[a[0]! * n + b[0]!]!,
  })
  const knn = knnFromDistances(D, n, k)
  u.setPrecomputedKNN(knn.indices, knn.distances)
  const total = u.initializeFit(Array.from({ length: n }, (_, i) => [i]))
  let epoch = 0
  while (epoch < total) {
    epoch = u.step()
    opts.onIteration?.(epoch, total)
  }
  const Y = u.getEmbedding()
  for (let i = 0; i < n; i++) {
    coords[2 * i] = Y[i]![0]!
    coords[2 * i + 1] = Y[i]![1]!
  }
  fitScale(D, coords, n)
  return { method: 'umap', coords, stress: kruskalStress(D, coords, n), iterations: epoch }
}
