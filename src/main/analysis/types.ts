import type { NeighbourhoodScores, ShepardData, StartsReport, StressEstimate } from '../../shared/figures/data'

export type { StressEstimate }

/** What every embedding method returns. */
export type EmbeddingMethod = 'classical' | 'smacof' | 'landmark' | 'pca' | 'inpca' | 'tsne' | 'umap' | 'phate'

/** Embeddings are planar: coords are n×2, row-major (x₀, y₀, x₁, y₁, …). */
export const EMBEDDING_DIMS = 2

export interface EmbeddingResult {
  method: EmbeddingMethod
  /** n×2, row-major. */
  coords: Float64Array
  /**
   * Kruskal stress-1 against the input distances (see stress.ts). `inpca` compares D with the
   * Minkowski interval of the embedding instead; `landmark` from a row callback uses only the
   * landmark columns; `pca` without D is NaN.
   */
  stress: number
  /** Above the streaming size (streamed.ts) stress is estimated on a sample of pairs: its interval. */
  stressEstimate?: StressEstimate
  /** SMACOF: Guttman updates made. Eigen methods: Lanczos steps. */
  iterations?: number
  /** Eigen methods: the eigenvalues behind the two axes. */
  eigenvalues?: number[]
  /** inpca: +1 for a space-like axis (λ > 0), −1 for a time-like one (λ < 0). */
  axisSigns?: number[]
  /** smacof: stress-1 after each iteration, starting with the initial configuration. */
  stressHistory?: number[]
  /**
   * pca: the share of the points' total variance on the two axes, (λ₁ + λ₂)/Σλ. inpca: the share
   * of ‖W‖²_F (W = −½·J·D·J) on the two axes, (λ₁² + λ₂²)/Σλ², as W has negative eigenvalues.
   */
  explainedVariance?: number
  /** Trustworthiness, continuity and rank correlation against the input distances. */
  neighbourhood?: NeighbourhoodScores
  /** Each point's share of the stress (stress.ts pointStress; sums to 1), for colouring. */
  pointStress?: Float32Array
  /** Embedded against input distance of the pairs (a Shepard diagram). */
  shepard?: ShepardData
  /** phate: the diffusion time t used (the knee of the von Neumann entropy unless given). */
  diffusionTime?: number
  /** smacof from several starts: the starts' stresses and disagreements (smacof-starts.ts). */
  starts?: StartsReport
  /** landmark: the landmark points, in selection order. */
  landmarks?: number[]
  /** Placed into a frozen map (out-of-sample.ts): the first referencePoints kept, the rest added. */
  placement?: { referencePoints: number; addedPoints: number; referenceStress: number; addedStress: number }
  /** The run's derived metrics (metrics.ts) from the same distances, when the job's points were
   * exactly a run's complete snapshots (EmbedJob.ensemble): spares a second pass over τ. */
  derived?: { meanPairwise: number[]; meanStep: number[]; stepToSpread: number[]; distanceToFinalMean?: number[] }
}
