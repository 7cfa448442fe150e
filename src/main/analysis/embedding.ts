/**
 * The embedding methods by name. Each takes what it needs from an EmbeddingInput: a distance
 * matrix D (classical, smacof, landmark, tsne, umap, phate, inpca — Bhattacharyya distances for inpca) or the
 * points X themselves (pca).
 */
import { classicalMds, type ClassicalOptions } from './classical'
import { inpca } from './inpca'
import { landmarkMdsFromMatrix, type LandmarkOptions } from './landmark'
import { pca } from './pca'
import { phate, type PhateOptions } from './phate'
import { smacof, type SmacofOptions } from './smacof'
import { tsne, type TsneOptions } from './tsne'
import { umap, type UmapOptions } from './umap'
import type { EmbeddingMethod, EmbeddingResult } from './types'

export interface EmbeddingInput {
  n: number
  /** n×n distances, row-major, symmetric (only the upper triangle is read by smacof). */
  D?: Float64Array
  /** n×d points, row-major (pca). */
  X?: Float32Array
  d?: number
}

export type EmbeddingOptions = ClassicalOptions &
  SmacofOptions &
  LandmarkOptions &
  TsneOptions &
  UmapOptions &
  PhateOptions & {
    /** SMACOF only: run from this many starts, keep the best (smacof-starts.ts; embed-job.ts runs them in parallel). */
    starts?: number
  }

/** Iterations a method makes when maxIter is not given (for progress): SMACOF's and t-SNE's
 * scikit-learn defaults, umap-js's epochs by size; PHATE's are its SMACOF passes. */
export function defaultIterations(method: EmbeddingMethod, n: number): number {
  if (method === 'tsne') return 1000
  if (method === 'umap') return n <= 2500 ? 500 : n <= 5000 ? 400 : n <= 7500 ? 300 : 200
  return 300
}

export type EmbeddingFn = (input: EmbeddingInput, opts?: EmbeddingOptions) => EmbeddingResult

function needD(input: EmbeddingInput, method: EmbeddingMethod): Float64Array {
  if (!input.D) throw new Error(`embedding '${method}' needs a distance matrix D`)
  return input.D
}

export const EMBEDDINGS: Record<EmbeddingMethod, EmbeddingFn> = {
  classical: (input, opts) => classicalMds(needD(input, 'classical'), input.n, opts),
  smacof: (input, opts) => smacof(needD(input, 'smacof'), input.n, opts),
  landmark: (input, opts) => landmarkMdsFromMatrix(needD(input, 'landmark'), input.n, opts),
  pca: (input) => {
    if (!input.X || input.d === undefined) throw new Error(`embedding 'pca' needs the points X and their dimension d`)
    return pca(input.X, input.n, input.d, { D: input.D })
  },
  inpca: (input) => inpca(needD(input, 'inpca'), input.n),
  tsne: (input, opts) => tsne(needD(input, 'tsne'), input.n, opts),
  umap: (input, opts) => umap(needD(input, 'umap'), input.n, opts),
  phate: (input, opts) => phate(needD(input, 'phate'), input.n, opts),
}

export function embed(method: EmbeddingMethod, input: EmbeddingInput, opts?: EmbeddingOptions): EmbeddingResult {
  const fn = EMBEDDINGS[method]
  if (!fn) throw new Error(`unknown embedding method '${String(method)}'`)
  return fn(input, opts)
}
