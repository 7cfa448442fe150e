/** The dataset layer: IDX files → deskewed, shared-memory image sets. */
export type { Dataset, ImageSet } from './types'
export {
  DatasetError,
  parseIdx,
  readIdxFile,
  readImages,
  readLabels,
  readPair,
  type IdxArray,
  type RawImages,
} from './idx'
export { deskewImage, deskewAll, DESKEW_VERSION } from './deskew'
export { loadDataset, clearDatasetMemo, type LoadOptions } from './registry'
export { mnistPaths, fashionMnistPaths, type IdxPaths } from './mnist'
export { defaultCacheDir, deskewCacheStats } from './cache'
