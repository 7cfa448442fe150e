import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { DatasetError, parseIdx, readIdxFile, readImages, readLabels, readPair } from '../../../src/main/datasets/idx'
import { idxBytes } from './helpers'

const dir = mkdtempSync(join(tmpdir(), 'sgdscope-idx-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function file(name: string, bytes: Uint8Array): string {
  const p = join(dir, name)
  writeFileSync(p, bytes)
  return p
}

// 3 images of 2×3: image k has pixel values 10k + i.
const imageData = Array.from({ length: 18 }, (_, j) => 10 * Math.floor(j / 6) + (j % 6))
const goodImages = idxBytes([3, 2, 3], imageData)
const goodLabels = idxBytes([3], [7, 0, 9])

/** Expects `fn` to throw a DatasetError whose message matches every pattern. */
function fails(fn: () => unknown, ...patterns: RegExp[]): void {
  let error: unknown
  try {
    fn()
  } catch (e) {
    error = e
  }
  expect(error).toBeInstanceOf(DatasetError)
  for (const p of patterns) expect((error as Error).message).toMatch(p)
}

describe('parseIdx', () => {
  it('reads the header and keeps the data', () => {
    const a = parseIdx(goodImages, 'mem')
    expect(a.type).toBe('u8')
    expect(a.dims).toEqual([3, 2, 3])
    expect([...a.data]).toEqual(imageData)
  })
  it('rejects a bad magic', () => {
    const b = goodImages.slice()
    b[0] = 0x50
    fails(() => parseIdx(b, 'bad.idx'), /^bad\.idx: /, /bad magic/, /two zero bytes/)
  })
  it('rejects type codes other than unsigned byte, naming the type', () => {
    fails(
      () => parseIdx(idxBytes([3], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 0x0d), 'f.idx'),
      /f\.idx/,
      /type code 0x0d/,
      /float32/,
      /only 0x08/,
    )
    fails(() => parseIdx(idxBytes([1], [0], 0x42), 'x'), /type code 0x42/, /unknown/)
  })
  it('rejects truncated headers', () => {
    fails(() => parseIdx(goodImages.subarray(0, 3), 'short'), /short: truncated header/, /3 bytes/)
    fails(
      () => parseIdx(goodImages.subarray(0, 10), 'short'),
      /truncated header/,
      /3 dimensions need 16 header bytes, file has 10/,
    )
  })
  it('rejects a length that does not match the dims', () => {
    fails(
      () => parseIdx(goodImages.subarray(0, goodImages.length - 1), 'cut'),
      /cut: file has 33 bytes, header declares 34/,
      /truncated/,
    )
    const long = new Uint8Array(goodImages.length + 5)
    long.set(goodImages)
    fails(() => parseIdx(long, 'long'), /file has 39 bytes, header declares 34/)
  })
  it('rejects zero dimensions', () => {
    fails(() => parseIdx(idxBytes([3, 0, 3], []), 'z'), /dimension 1 is 0/)
    fails(() => parseIdx(new Uint8Array([0, 0, 8, 0]), 'z'), /0 dimensions/)
  })
})

describe('IDX files', () => {
  it('reads images of any size', () => {
    const im = readImages(file('im', goodImages))
    expect(im).toMatchObject({ count: 3, rows: 2, cols: 3 })
    expect([...im.pixels]).toEqual(imageData)
  })
  it('reads gzipped files, detected by magic bytes not by name', () => {
    const p = file('im-gzipped-without-extension', gzipSync(goodImages))
    expect(readImages(p).pixels).toEqual(readImages(file('im', goodImages)).pixels)
    expect([...readLabels(file('lab.gz', gzipSync(goodLabels)))]).toEqual([7, 0, 9])
  })
  it('reads small gzipped files that inflate to more than a header (they were refused as corrupt)', () => {
    // 2 000 zero labels: 42 bytes of gzip that inflate to 2 008 bytes.
    const labels = idxBytes([2000], new Array<number>(2000).fill(0))
    const gz = gzipSync(labels)
    expect(gz.length).toBeLessThan(4096)
    expect(readLabels(file('small-labels.gz', gz)).length).toBe(2000)
    // 50 blank 28×28 images: a few hundred bytes compressed, 39 208 inflated.
    const images = idxBytes([50, 28, 28], new Array<number>(50 * 784).fill(0))
    const im = readImages(file('small-images.gz', gzipSync(images)))
    expect([im.count, im.rows, im.cols]).toEqual([50, 28, 28])
  })
  it('reports corrupt gzip data', () => {
    const gz = gzipSync(goodImages).subarray(0, 20)
    fails(() => readIdxFile(file('broken.gz', gz)), /broken\.gz: corrupt gzip/)
  })
  it('reads only regular files: a device or a folder fails at once, naming what it is', () => {
    fails(() => readIdxFile('/dev/zero'), /\/dev\/zero: not a regular file \(a device\)/)
    fails(() => readImages(dir), /not a regular file \(a folder\)/)
  })
  it('checks sizes against the header before reading: a header declaring too much, a gzip bomb', () => {
    // 65536 × 65536 × 2 bytes: more than sgdscope reads, refused from the header alone.
    fails(
      () => readIdxFile(file('huge', idxBytes([65536, 65536, 2], []))),
      /huge: header declares 65536×65536×2 values, more than the 4 GiB/,
    )
    // A gzip whose header says 3 labels but which inflates to 64 MiB of them.
    const bomb = new Uint8Array(8 + 64 * 2 ** 20)
    bomb.set(idxBytes([3], [1, 2, 3]).subarray(0, 8))
    fails(
      () => readIdxFile(file('bomb.gz', gzipSync(bomb))),
      /bomb\.gz: decompresses to more than the 11 bytes its header declares \(3 values\)/,
    )
  })
  it('never quotes the bytes of a file that is not IDX', () => {
    const secret = new TextEncoder().encode('PRIVATE KEY 0123456789')
    let message = ''
    try {
      readIdxFile(file('id_rsa', secret))
    } catch (e) {
      message = (e as Error).message
    }
    expect(message).toMatch(/id_rsa: bad magic: an IDX file starts with two zero bytes/)
    for (const leak of ['PRIV', '0x50', '50 52']) expect(message).not.toContain(leak)
  })
  it('reports a missing file', () => {
    fails(() => readIdxFile(join(dir, 'nope')), /nope: cannot read/)
  })
  it('checks the number of dimensions', () => {
    fails(
      () => readImages(file('lab-as-im', goodLabels)),
      /lab-as-im: expected an image file with 3 dimensions/,
      /found 1/,
      /label file\?/,
    )
    fails(
      () => readLabels(file('im-as-lab', goodImages)),
      /im-as-lab: expected a label file with 1 dimension/,
      /found 3/,
      /image file\?/,
    )
  })
  it('checks labels against the number of classes', () => {
    const p = file('lab', goodLabels)
    expect([...readLabels(p)]).toEqual([7, 0, 9])
    fails(() => readLabels(p, 8), /lab: label 9 at index 2 is out of range/, /< 8/)
    fails(() => readLabels(file('lab10', idxBytes([2], [3, 10]))), /label 10 at index 1 is out of range/, /< 10/)
  })
  it('checks that a pair has as many labels as images', () => {
    const { images, labels } = readPair(file('im', goodImages), file('lab', goodLabels))
    expect(images.count).toBe(labels.length)
    fails(
      () => readPair(file('im', goodImages), file('lab4', idxBytes([4], [1, 2, 3, 4]))),
      /image count ≠ label count/,
      /im has 3 images/,
      /lab4 has 4 labels/,
    )
  })
})
