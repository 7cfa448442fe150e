/** The in-memory form of a dataset, as the engines consume it. */

/** One split (train or test): images as floats, labels as class indices. */
export interface ImageSet {
  count: number
  rows: number
  cols: number
  /** Number of classes; every label is < classes. */
  classes: number
  /** count*rows*cols, row-major, values in [0,1] (pixel/255, or deskewed). */
  pixels: Float32Array
  labels: Uint8Array
}

export interface Dataset {
  /** Stable name, e.g. 'mnist-deskewed', or 'idx-<hash of the paths>' for IDX files. */
  id: string
  /** The spec's source: 'mnist', 'fashion-mnist' or 'idx'. */
  source: string
  deskewed: boolean
  train: ImageSet
  test: ImageSet
}
