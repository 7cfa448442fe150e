/**
 * The data a figure draws. Plain JSON-friendly objects so they cross IPC and
 * WebSocket boundaries unchanged; the analysis layer produces them from archives.
 */

/** One snapshot of one network in the 2-D embedding. */
export interface PathPoint {
  x: number
  y: number
  /** Epochs trained at this snapshot (0 = the initial weights; fractional inside an epoch). */
  epoch: number
  /** Training samples seen at this snapshot. */
  samples: number
  /** Test error (fraction in [0, 1]) at this snapshot, when recorded. */
  testError?: number
  /** The snapshot's index in its run (identifies the point, e.g. to ask for its true neighbours). */
  snapshot?: number
  /** The point's share of the embedding's stress (all points' shares sum to 1; 1/n is average). */
  stress?: number
}

/** The 2-D embedding of each network's snapshots, in snapshot order, for one or
 * more runs embedded jointly (or aligned), so that all share one coordinate frame. */
export interface PathsData {
  runs: {
    label: string
    /** The colour the run asks for (run-display.ts); figures keep runs of one view distinct. */
    color?: string
    nets: { net: number; points: PathPoint[] }[]
  }[]
  /** τ (outputs, Euclidean) or κ (classifications, Hamming). */
  view: 'tau' | 'kappa'
  /** Embedding method: `mds`, `classical`, `pca`, `landmark`, `inpca`, … */
  method: string
  /** Kruskal stress-1 of the embedding, when it has one. */
  stress?: number
  /** The stress was estimated on a sample of pairs (large n): its interval. */
  stressEstimate?: StressEstimate
  /** The method's own goodness of fit, by name and on its own scale (stress-1 for MDS, explained
   * variance for PCA and InPCA). */
  fit?: GoodnessOfFit
  /** Neighbourhood faithfulness of the picture to the distances it was drawn from. */
  neighbourhood?: NeighbourhoodScores
  /** Embedded against original distance of the pairs (the `shepard` figure). */
  shepard?: ShepardData
  /** Drawn into a frozen map: new points placed without re-fitting it. */
  frozen?: FrozenMapInfo
  /** SMACOF from several starts: each start's stress and disagreement with the best (drawn). */
  starts?: StartsReport
  /** PHATE: the diffusion time t used (the knee of the von Neumann entropy unless given). */
  diffusionTime?: number
}

/** SMACOF run from several starts (issue 18 item 4): the best is drawn; starts that draw another
 * picture (Procrustes residual against the best above the threshold) make it not unique. */
export interface StartsReport {
  starts: {
    init: 'classical' | 'landmark' | 'random'
    seed?: number
    stress: number
    iterations: number
    /** Procrustes residual of this start's picture against the best's (0 = the same picture). */
    disagreement: number
  }[]
  /** The index of the best (lowest-stress) start. */
  best: number
  /** The largest disagreement of a start with the best. */
  disagreement: number
  threshold: number
  /** Some start draws another picture: the picture is not unique. */
  notUnique: boolean
}

/** A view placed into a frozen map (issue 22): the map's points stay where it drew them, the
 * others are placed into it out of sample (Gower's formula, or SMACOF over the new points). */
export interface FrozenMapInfo {
  /** The runs whose embedding is the map, and its cache key (in the first run). */
  runs: string[]
  key: string
  referencePoints: number
  addedPoints: number
  /** Stress-1 of the map's own pairs, and of the pairs with an added point (Minkowski for InPCA). */
  referenceStress: number
  addedStress: number
  /** The added points' stress is well above the map's: they are badly represented, re-fit. */
  badlyRepresented: boolean
}

/** A Shepard diagram: each pair's embedded against its original distance, and a monotone fit. */
export interface ShepardData {
  /** Pairs i < j of the embedded points. */
  pairs: number
  /** Every pair's (original, embedded) distance, interleaved, in order (0,1), (0,2), …, (1,2), …;
   * absent when there are too many pairs and `bins` holds their density instead. */
  points?: number[]
  /** Pair counts in nx × ny bins over [0, xMax] × [0, yMax], row-major from the bottom row. */
  bins?: { nx: number; ny: number; xMax: number; yMax: number; counts: number[] }
  /** Isotonic regression of embedded on original distance: (original, fitted) knots, interleaved. */
  fit: number[]
}

/** A goodness-of-fit number with its name: `stress-1` (0 = perfect, lower is better) or
 * `explained variance` (fraction in [0, 1], higher is better). */
export interface GoodnessOfFit {
  /** t-SNE and UMAP aim at neighbourhoods, not distances: their fit is trustworthiness at k = 10. */
  name: 'stress-1' | 'explained variance' | 'trustworthiness (k = 10)'
  value: number
  /** Stress-1 estimated on a sample of pairs (large embeddings), not computed over all pairs. */
  estimate?: StressEstimate
}

/** Stress-1 estimated from all pairs among a seeded sample of points, with its 95 % interval
 * (delete-one-point jackknife). */
export interface StressEstimate {
  value: number
  low: number
  high: number
  pairs: number
  points: number
}

/** Trustworthiness and continuity (Venna & Kaski) at each k, and Spearman's ρ of the distances. */
export interface NeighbourhoodScores {
  /** The neighbourhood sizes, ascending. */
  k: number[]
  /** Trustworthiness at each k, in [0, 1]; NaN (null in JSON) where k ≥ n/2. */
  trustworthiness: number[]
  /** Continuity at each k (trustworthiness with the two spaces' roles swapped). */
  continuity: number[]
  /** Spearman correlation of original vs embedded distances over the pairs. */
  rankCorrelation: number
  /** Pairs the rank correlation was computed on (all of them, or a seeded sample). */
  pairs: number
}

/** Per-snapshot metrics of every network of one or more runs. */
export interface MetricsData {
  runs: {
    label: string
    /** The colour the run asks for (run-display.ts); figures keep runs of one view distinct. */
    color?: string
    /** Epoch of each snapshot. */
    epochs: number[]
    series: {
      /** `test_error`, `train_error` (fractions in [0, 1]), `train_loss`, `test_loss`, or any other name. */
      name: 'test_error' | 'train_error' | 'train_loss' | 'test_loss' | (string & {})
      /** Values [net][snapshot]; NaN or non-finite = not recorded. */
      perNet: number[][]
    }[]
  }[]
}
