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
