import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { deskewCacheStats } from '../../../src/main/datasets/cache'
import { DatasetError, readImages } from '../../../src/main/datasets/idx'
import { FASHION_MNIST_DIR, fashionMnistPaths, mnistPaths } from '../../../src/main/datasets/mnist'
import { clearDatasetMemo, loadDataset } from '../../../src/main/datasets/registry'
import type { ImageSet } from '../../../src/main/datasets/types'
import { DatasetSpec } from '../../../src/shared/spec'
import { idxBytes, moments } from './helpers'

const tmp = mkdtempSync(join(tmpdir(), 'sgdscope-datasets-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))
beforeEach(() => clearDatasetMemo())

const spec = (input: unknown) => DatasetSpec.parse(input)
const cacheFiles = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.f32')) : [])

function labelCounts(set: ImageSet): number[] {
  const counts = new Array<number>(set.classes).fill(0)
  for (const l of set.labels) counts[l]!++
  return counts
}

/** Index of the first difference, or -1 (toEqual on 47M floats takes minutes). */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length)
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i
  return -1
}

/** Mean over images of |cov(r,c)| / var(r), the slant the deskewing removes. */
function meanSlant(set: ImageSet, n: number): number {
  const size = set.rows * set.cols
  let sum = 0
  for (let k = 0; k < n; k++) {
    const m = moments(set.pixels, set.rows, set.cols, k * size)
    sum += Math.abs(m.cov) / m.varR
  }
  return sum / n
}

describe('MNIST', () => {
  const cacheDir = join(tmp, 'mnist-cache')

  it('has the known label counts and pixels in [0,1], in shared memory', async () => {
    const d = await loadDataset(spec({ deskew: false }), { cacheDir })
    expect(d).toMatchObject({ id: 'mnist', source: 'mnist', deskewed: false })
    expect(d.train).toMatchObject({ count: 60000, rows: 28, cols: 28, classes: 10 })
    expect(d.test).toMatchObject({ count: 10000, rows: 28, cols: 28, classes: 10 })
    expect(labelCounts(d.train)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
    expect(labelCounts(d.test)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
    for (const set of [d.train, d.test]) {
      expect(set.pixels.length).toBe(set.count * 784)
      expect(set.pixels.buffer).toBeInstanceOf(SharedArrayBuffer)
      expect(set.labels.buffer).toBeInstanceOf(SharedArrayBuffer)
      let min = Infinity
      let max = -Infinity
      for (const v of set.pixels) {
        if (v < min) min = v
        if (v > max) max = v
      }
      expect([min, max]).toEqual([0, 1])
    }
    // Raw pixels are the file's bytes / 255.
    const bytes = readImages(mnistPaths().testImages).pixels
    for (let i = 0; i < bytes.length; i++)
      if (d.test.pixels[i] !== Math.fround(bytes[i]! / 255)) throw new Error(`pixel ${i}`)
    expect(cacheFiles(cacheDir)).toEqual([]) // nothing to cache without deskewing
  })

  it('deskews (slant removed, centred), caches, and reuses the cache', async () => {
    const raw = await loadDataset(spec({ deskew: false }), { cacheDir })
    const missesBefore = deskewCacheStats.misses
    const d = await loadDataset(spec({ deskew: true }), { cacheDir })
    expect(deskewCacheStats.misses - missesBefore).toBe(2) // train and test computed
    expect(d).toMatchObject({ id: 'mnist-deskewed', deskewed: true })
    expect(labelCounts(d.test)).toEqual(labelCounts(raw.test))
    expect(d.train.pixels.buffer).toBeInstanceOf(SharedArrayBuffer)

    const n = 2000
    const before = meanSlant(raw.test, n)
    const after = meanSlant(d.test, n)
    expect(before).toBeGreaterThan(0.1)
    expect(after).toBeLessThan(before / 10)
    const m = moments(d.test.pixels, 28, 28, 0)
    expect(Math.abs(m.mr - 14)).toBeLessThan(0.5)
    expect(Math.abs(m.mc - 14)).toBeLessThan(0.5)
    for (const v of d.test.pixels) if (!(v >= 0 && v <= 1)) throw new Error(`pixel ${v} outside [0,1]`)

    // Second load in a fresh process state: from the cache, files untouched.
    const files = cacheFiles(cacheDir)
    expect(files).toHaveLength(2)
    const mtimes = files.map((f) => statSync(join(cacheDir, f)).mtimeMs)
    clearDatasetMemo()
    const { hits, misses } = deskewCacheStats
    const again = await loadDataset(spec({ deskew: true }), { cacheDir })
    // Not `expect(again).not.toBe(d)`: on distinct objects vitest's toBe runs a deep
    // comparison for its hint, which over 55M floats takes minutes.
    expect(again === d).toBe(false)
    expect(deskewCacheStats.misses).toBe(misses)
    expect(deskewCacheStats.hits - hits).toBe(2)
    expect(files.map((f) => statSync(join(cacheDir, f)).mtimeMs)).toEqual(mtimes)
    expect(firstDifference(again.train.pixels, d.train.pixels)).toBe(-1)
    expect(firstDifference(again.test.pixels, d.test.pixels)).toBe(-1)
    expect(again.train.pixels.buffer).toBeInstanceOf(SharedArrayBuffer)
  })

  it('returns the same object when loaded twice in one process', async () => {
    const [a, b] = await Promise.all([
      loadDataset(spec({ deskew: false }), { cacheDir }),
      loadDataset(spec({ deskew: false }), { cacheDir }),
    ])
    expect(a).toBe(b)
    expect(await loadDataset(spec({ deskew: false }), { cacheDir })).toBe(a)
    const plain = await loadDataset(spec({ deskew: false }), { cacheDir, shared: false })
    expect(plain === a).toBe(false)
    expect(plain.train.pixels.buffer).toBeInstanceOf(ArrayBuffer)
    expect(plain.train.labels.buffer).toBeInstanceOf(ArrayBuffer)
  })
})

describe('IDX datasets', () => {
  // Tiny 4×5 images of vertical or slanted strokes; the test files are gzipped. Labels
  // go up to 3, so classes = 4.
  const dir = join(tmp, 'idx')
  const stroke = (slant: number) =>
    Array.from({ length: 20 }, (_, j) => (j % 5 === 1 + Math.round(slant * Math.floor(j / 5)) ? 255 : 0))
  const paths = {
    trainImages: join(dir, 'train-images'),
    trainLabels: join(dir, 'train-labels'),
    testImages: join(dir, 'test-images.gz'),
    testLabels: join(dir, 'test-labels.gz'),
  }
  beforeEach(() => {
    rmSync(dir, { recursive: true, force: true })
    rmSync(join(tmp, 'idx-cache'), { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    writeFileSync(paths.trainImages, idxBytes([3, 4, 5], [...stroke(1), ...stroke(0), ...stroke(0.5)]))
    writeFileSync(paths.trainLabels, idxBytes([3], [0, 3, 1]))
    writeFileSync(paths.testImages, gzipSync(idxBytes([2, 4, 5], [...stroke(0), ...stroke(1)])))
    writeFileSync(paths.testLabels, gzipSync(idxBytes([2], [3, 0])))
  })

  it('loads any pair of IDX files; classes = max label + 1', async () => {
    const d = await loadDataset(spec({ source: 'idx', deskew: false, ...paths }), { cacheDir: join(tmp, 'idx-cache') })
    expect(d.id).toMatch(/^idx-[0-9a-f]{12}$/)
    expect(d.train).toMatchObject({ count: 3, rows: 4, cols: 5, classes: 4 })
    expect(d.test).toMatchObject({ count: 2, rows: 4, cols: 5, classes: 4 })
    expect([...d.test.labels]).toEqual([3, 0])
    expect([...d.train.pixels.subarray(0, 5)]).toEqual([0, 1, 0, 0, 0])
  })

  it('keys the cache on the data: a copy elsewhere reads the same entry, changed bytes at the same path do not', async () => {
    const cacheDir = join(tmp, 'idx-cache')
    const first = await loadDataset(spec({ source: 'idx', ...paths }), { cacheDir })
    expect(cacheFiles(cacheDir)).toHaveLength(2)
    // The same files in another folder (another install, another project): both from the cache.
    const copy = join(tmp, 'idx-copy')
    rmSync(copy, { recursive: true, force: true })
    mkdirSync(copy, { recursive: true })
    const moved = Object.fromEntries(Object.entries(paths).map(([k, f]) => [k, join(copy, basename(f))]))
    for (const [k, f] of Object.entries(paths)) copyFileSync(f, moved[k]!)
    clearDatasetMemo()
    const { hits, misses } = deskewCacheStats
    await loadDataset(spec({ source: 'idx', ...moved }), { cacheDir })
    expect([deskewCacheStats.hits - hits, deskewCacheStats.misses - misses]).toEqual([2, 0])
    // New pixels in the copy's training images, same path and size: deskewed afresh.
    writeFileSync(moved.trainImages!, idxBytes([3, 4, 5], [...stroke(0), ...stroke(1), ...stroke(0.5)]))
    utimesSync(moved.trainImages!, new Date(), new Date(Date.now() + 5000))
    clearDatasetMemo()
    const m2 = deskewCacheStats.misses
    const changed = await loadDataset(spec({ source: 'idx', ...moved }), { cacheDir })
    expect(deskewCacheStats.misses - m2).toBe(1)
    expect(cacheFiles(cacheDir)).toHaveLength(3)
    expect(firstDifference(changed.train.pixels, first.train.pixels)).not.toBe(-1)
    expect(firstDifference(changed.test.pixels, first.test.pixels)).toBe(-1)
  })

  it('recomputes a corrupt or short cache file silently', async () => {
    const cacheDir = join(tmp, 'idx-cache')
    const s = spec({ source: 'idx', ...paths })
    const first = await loadDataset(s, { cacheDir })
    expect(first.id).toMatch(/-deskewed$/)
    const files = cacheFiles(cacheDir)
    expect(files).toHaveLength(2)
    for (const f of files) truncateSync(join(cacheDir, f), 30)
    clearDatasetMemo()
    const misses = deskewCacheStats.misses
    const second = await loadDataset(s, { cacheDir })
    expect(deskewCacheStats.misses - misses).toBe(2)
    expect(firstDifference(second.train.pixels, first.train.pixels)).toBe(-1)
    expect(
      cacheFiles(cacheDir)
        .map((f) => statSync(join(cacheDir, f)).size)
        .sort(),
    ).toEqual([24 + 4 * 40, 24 + 4 * 60])
  })

  it('still loads when the cache cannot be written', async () => {
    const notADir = join(tmp, 'a-file')
    writeFileSync(notADir, '')
    const warnings: string[] = []
    const onWarning = (w: Error) => warnings.push(w.message)
    process.on('warning', onWarning)
    try {
      const d = await loadDataset(spec({ source: 'idx', ...paths }), { cacheDir: join(notADir, 'cache') })
      expect(d.train.count).toBe(3)
      await new Promise((r) => setImmediate(r)) // warnings are emitted on the next tick
      expect(warnings.join('\n')).toMatch(/could not write the deskew cache/)
    } finally {
      process.off('warning', onWarning)
    }
  })

  it('reports a count mismatch, naming both files', async () => {
    writeFileSync(paths.trainLabels, idxBytes([2], [0, 1]))
    await expect(
      loadDataset(spec({ source: 'idx', deskew: false, ...paths }), { cacheDir: join(tmp, 'idx-cache') }),
    ).rejects.toThrow(/train-images has 3 images but .*train-labels has 2 labels/)
  })

  it('reports train and test images of different sizes', async () => {
    writeFileSync(paths.testImages, idxBytes([2, 5, 4], new Array(40).fill(0)))
    await expect(
      loadDataset(spec({ source: 'idx', deskew: false, ...paths }), { cacheDir: join(tmp, 'idx-cache') }),
    ).rejects.toThrow(/4×5 but test images .* are 5×4/)
  })

  it('does not remember a failed load', async () => {
    writeFileSync(paths.trainLabels, idxBytes([2], [0, 1]))
    const s = spec({ source: 'idx', deskew: false, ...paths })
    await expect(loadDataset(s, { cacheDir: join(tmp, 'idx-cache') })).rejects.toBeInstanceOf(DatasetError)
    writeFileSync(paths.trainLabels, idxBytes([3], [0, 1, 2]))
    expect((await loadDataset(s, { cacheDir: join(tmp, 'idx-cache') })).train.count).toBe(3)
  })
})

describe('Fashion-MNIST', () => {
  it('says how to install it when missing', () => {
    expect(() => fashionMnistPaths(join(tmp, 'no-such-dir'))).toThrow(
      /apt-get install dataset-fashion-mnist.*source "idx"/,
    )
  })

  it('loads with 6000 train and 1000 test images per class', async (ctx) => {
    if (
      !existsSync(join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz')) &&
      !existsSync(join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte'))
    ) {
      ctx.skip(`Fashion-MNIST is not installed in ${FASHION_MNIST_DIR} (apt-get install dataset-fashion-mnist)`)
    }
    const d = await loadDataset(spec({ source: 'fashion-mnist', deskew: false }), {
      cacheDir: join(tmp, 'fashion-cache'),
    })
    expect(d).toMatchObject({ id: 'fashion-mnist', source: 'fashion-mnist' })
    expect(d.train).toMatchObject({ count: 60000, rows: 28, cols: 28, classes: 10 })
    expect(labelCounts(d.train)).toEqual(new Array(10).fill(6000))
    expect(labelCounts(d.test)).toEqual(new Array(10).fill(1000))
  })
})
