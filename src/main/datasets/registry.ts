/**
 * Turns a DatasetSpec into a Dataset: finds the files, reads and checks them, scales
 * or deskews the pixels (deskewed pixels come from the on-disk cache when possible)
 * and puts them in SharedArrayBuffers so worker threads can train on them without a
 * copy. Loads are memoised per process: asking twice returns the same object.
 */
import { createHash } from 'node:crypto'
import { resolve } from 'node:path'
import type { DatasetSpec } from '../../shared/spec'
import { defaultCacheDir, deskewCachePath, deskewCacheStats, readDeskewCache, writeDeskewCache } from './cache'
import { deskewAll } from './deskew'
import { checkPair, DatasetError, readImages, readLabels } from './idx'
import { fashionMnistPaths, mnistPaths, type IdxPaths } from './mnist'
import type { Dataset, ImageSet } from './types'

export interface LoadOptions {
  /** Where deskewed pixels are cached; default $SGDSCOPE_CACHE or ~/.cache/sgdscope. */
  cacheDir?: string
  /** Back pixels and labels by SharedArrayBuffer (default true). */
  shared?: boolean
}

const memo = new Map<string, Promise<Dataset>>()

/** Forgets every dataset loaded in this process (tests; or after files changed on disk). */
export function clearDatasetMemo(): void {
  memo.clear()
}

interface Source {
  id: string
  paths: IdxPaths
  /** Fixed class count, or null to take max label + 1 (arbitrary IDX files). */
  classes: number | null
}

function resolveSource(spec: DatasetSpec): Source {
  switch (spec.source) {
    case 'mnist':
      return { id: 'mnist', paths: mnistPaths(), classes: 10 }
    case 'fashion-mnist':
      return { id: 'fashion-mnist', paths: fashionMnistPaths(), classes: 10 }
    case 'idx': {
      const { trainImages, trainLabels, testImages, testLabels } = spec
      if (!trainImages || !trainLabels || !testImages || !testLabels) {
        throw new DatasetError('dataset source "idx" needs trainImages, trainLabels, testImages and testLabels')
      }
      const paths = { trainImages, trainLabels, testImages, testLabels }
      const abs = Object.values(paths).map((p) => resolve(p))
      const hash = createHash('sha1').update(abs.join('\0')).digest('hex').slice(0, 12)
      return { id: `idx-${hash}`, paths, classes: null }
    }
    default:
      throw new DatasetError(`unknown dataset source ${JSON.stringify((spec as { source: unknown }).source)}`)
  }
}

export function loadDataset(spec: DatasetSpec, opts: LoadOptions = {}): Promise<Dataset> {
  const shared = opts.shared ?? true
  let promise: Promise<Dataset>
  try {
    const source = resolveSource(spec)
    const id = spec.deskew ? `${source.id}-deskewed` : source.id
    const key = `${id}|${shared}`
    const known = memo.get(key)
    if (known) return known
    promise = Promise.resolve().then(() => build(spec, source, id, shared, opts.cacheDir ?? defaultCacheDir()))
    memo.set(key, promise)
    // A failed load is not remembered: the user may fix the files and try again.
    promise.catch(() => {
      if (memo.get(key) === promise) memo.delete(key)
    })
  } catch (e) {
    promise = Promise.reject(e)
  }
  return promise
}

function build(spec: DatasetSpec, source: Source, id: string, shared: boolean, cacheDir: string): Dataset {
  const { paths } = source
  // For arbitrary IDX files any byte is a valid label; the class count is computed afterwards.
  const limit = source.classes ?? 256
  const train = loadSplit(paths.trainImages, paths.trainLabels, limit, spec.deskew, shared, cacheDir)
  const test = loadSplit(paths.testImages, paths.testLabels, limit, spec.deskew, shared, cacheDir)
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new DatasetError(
      `train images (${paths.trainImages}) are ${train.rows}×${train.cols} but test images (${paths.testImages}) are ${test.rows}×${test.cols}`,
    )
  }
  const classes = source.classes ?? Math.max(maxOf(train.labels), maxOf(test.labels)) + 1
  return { id, source: spec.source, deskewed: spec.deskew, train: { ...train, classes }, test: { ...test, classes } }
}

function maxOf(a: Uint8Array): number {
  let m = 0
  for (let i = 0; i < a.length; i++) if (a[i]! > m) m = a[i]!
  return m
}

function floats(n: number, shared: boolean): Float32Array {
  return shared ? new Float32Array(new SharedArrayBuffer(4 * n)) : new Float32Array(n)
}

function loadSplit(
  imagesPath: string,
  labelsPath: string,
  classes: number,
  deskew: boolean,
  shared: boolean,
  cacheDir: string,
): Omit<ImageSet, 'classes'> {
  const raw = readLabels(labelsPath, classes)
  const labels = shared ? new Uint8Array(new SharedArrayBuffer(raw.length)) : new Uint8Array(raw.length)
  labels.set(raw)

  const cachePath = deskew ? deskewCachePath(cacheDir, imagesPath) : null
  if (cachePath) {
    const cached = readDeskewCache(cachePath, shared)
    if (cached) {
      checkPair(imagesPath, cached.count, labelsPath, labels.length)
      deskewCacheStats.hits++
      return { ...cached, labels }
    }
  }

  const images = readImages(imagesPath)
  checkPair(imagesPath, images.count, labelsPath, labels.length)
  const { count, rows, cols } = images
  const pixels = floats(count * rows * cols, shared)
  if (deskew) {
    deskewCacheStats.misses++
    deskewAll(images.pixels, count, rows, cols, pixels)
    if (cachePath) writeDeskewCache(cachePath, { count, rows, cols, pixels })
  } else {
    for (let i = 0; i < pixels.length; i++) pixels[i] = images.pixels[i]! / 255
  }
  return { count, rows, cols, pixels, labels }
}
