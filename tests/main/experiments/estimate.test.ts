import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { checkDatasetFiles } from '../../../src/main/datasets/check'
import { estimateSpec, preflightSpec, type EngineSpeed } from '../../../src/main/experiments/estimate'
import { parseSpec, type MlpSpec } from '../../../src/shared/spec'
import { idxBytes } from '../datasets/helpers'

const dir = mkdtempSync(join(tmpdir(), 'sgdscope-estimate-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const file = (name: string, bytes: Uint8Array) => {
  const p = join(dir, name)
  writeFileSync(p, bytes)
  return p
}
const images = (n: number, side = 4) => idxBytes([n, side, side], new Array<number>(n * side * side).fill(1))
const labels = (n: number) =>
  idxBytes(
    [n],
    Array.from({ length: n }, (_, i) => i % 3),
  )
const files = {
  trainImages: file('train-im', images(40)),
  trainLabels: file('train-lab.gz', gzipSync(labels(40))),
  testImages: file('test-im.gz', gzipSync(images(20))),
  testLabels: file('test-lab', labels(20)),
}
/** A speed chosen for round numbers (the real one is measured by the job pool). */
const SPEED: EngineSpeed = { trainPerSec: 1e6, evalPerSec: 2e6, stochasticStepsPerSec: 1e8, kernel: 'test' }

describe('dataset files checked before Start', () => {
  it('reads the shape from the headers and the classes from the labels', () => {
    expect(checkDatasetFiles({ source: 'idx', deskew: false, ...files })).toEqual({
      issues: [],
      shape: { trainCount: 40, testCount: 20, inputs: 16, classes: 3 },
    })
  })
  it('puts each problem on its field: missing, not IDX, a label file as images, counts that differ', () => {
    const bad = {
      source: 'idx' as const,
      deskew: false,
      trainImages: join(dir, 'nope'),
      trainLabels: file('text', new TextEncoder().encode('hello world')),
      testImages: files.testLabels,
      testLabels: files.testLabels,
    }
    const byField = Object.fromEntries(checkDatasetFiles(bad).issues.map((i) => [i.path, i.message]))
    expect(byField['dataset.trainImages']).toMatch(/nope: cannot read: no such file/)
    expect(byField['dataset.trainLabels']).toMatch(/text: bad magic/)
    expect(byField['dataset.testImages']).toMatch(/expected an image file with 3 dimensions.*is this a label file\?/)
    const counts = checkDatasetFiles({ ...bad, ...files, testLabels: file('test-lab-21', labels(21)) }).issues
    expect(counts.map((i) => [i.path, i.message])).toEqual([
      ['dataset.testLabels', expect.stringMatching(/image count ≠ label count: .* has 20 images but .* has 21 labels/)],
    ])
  })
  it('finds a truncated file from its size, plain or gzipped (the length gzip records at its end)', () => {
    const plain = checkDatasetFiles({
      source: 'idx',
      deskew: false,
      ...files,
      testImages: file('cut', images(20).subarray(0, 100)),
    })
    expect(plain.issues[0]!.message).toMatch(/cut: file has 100 bytes, header declares 336 .*truncated\?/)
    // A header declaring 20 images over the data of 10.
    const gz = gzipSync(idxBytes([20, 4, 4], new Array<number>(10 * 16).fill(1)))
    const zipped = checkDatasetFiles({ source: 'idx', deskew: false, ...files, testImages: file('cut.gz', gz) })
    expect(zipped.issues[0]!.message).toMatch(/cut\.gz: inflates to 176 bytes, header declares 336 .*truncated\?/)
  })
})

describe('estimate of a spec', () => {
  const spec = parseSpec({
    nets: 2,
    hidden: 10,
    probe: 50,
    trainSubset: 100,
    epochs: 1,
    snapshots: { firstEpoch: 2 },
    keepWeights: 'all',
    dataset: { source: 'idx', ...files },
  }) as MlpSpec
  const shape = { trainCount: 40, testCount: 20, inputs: 16, classes: 3 }
  it('sizes the archive exactly: τ, weights, metrics, flags and resume state', () => {
    // Snapshots at epochs 0, 0.5, 1: S = 3. P = min(50, 20) = 20 probe images, C = 3.
    // Parameters: (16 + 1)·10 + (10 + 1)·3 = 203.
    const e = estimateSpec(spec, shape, SPEED, 1)
    expect(e.snapshots).toBe(3)
    expect(e.disk.tau).toBe(2 * 3 * 20 * 3 * 4) // 1 440 bytes of float32
    expect(e.disk.weights).toBe(2 * 3 * 203 * 4) // 4 872
    expect(e.disk.state).toBe(2 * (1 + 203) * 4) // 1 632
    expect(e.disk.other).toBe(2 * 3 * (4 * 4 + 1)) // 102
    expect(e.disk.total).toBe(1440 + 4872 + 1632 + 102)
    expect(estimateSpec({ ...spec, keepWeights: 'final' }, shape, SPEED, 1).disk.weights).toBe(2 * 1 * 203 * 4)
    expect(estimateSpec({ ...spec, keepWeights: [0.4] }, shape, SPEED, 1).weightSnapshots).toBe(1)
    expect(estimateSpec({ ...spec, keepWeights: 'none' }, shape, SPEED, 1).disk.weights).toBe(0)
    expect(e.memory.analysis).toBe((2 * 3) ** 2 * 8)
  })
  it('times training and evaluation from the measured speed, scaled to the network and shared by threads', () => {
    // Work of a sample relative to 784-100-10 with 150 non-zeros: 10·(8 + 3) / (100·160);
    // 8 = half of 16 inputs (not MNIST: assumed half dense).
    const work = (10 * 11) / (100 * 160)
    // 40 samples trained; 3 snapshots each evaluating 40 train-subset + 20 test images.
    const perNet = (40 * work) / 1e6 + (3 * 60 * work) / 2e6
    expect(estimateSpec(spec, shape, SPEED, 1).seconds).toBeCloseTo(2 * perNet, 15)
    expect(estimateSpec(spec, shape, SPEED, 2).seconds).toBeCloseTo(perNet, 15)
    expect(estimateSpec(spec, shape, SPEED, 8).threads).toBe(2)
  })
  it('asks for confirmation above an hour or 5 GB, and says which', () => {
    const big = parseSpec({ nets: 1000, epochs: 200, keepWeights: 'all' })
    const e = estimateSpec(big, { trainCount: 60_000, testCount: 10_000, inputs: 784, classes: 10 }, SPEED, 2)
    expect(e.confirm).toBe('more than an hour of training and more than 5 GB on disk')
    expect(estimateSpec(spec, shape, SPEED, 1).confirm).toBeNull()
  })
  it('preflight: the spec’s problems and the files’ together; an estimate only for a spec without any', async () => {
    let measured = 0
    const speed = async () => (measured++, SPEED)
    const bad = await preflightSpec({ lr: -1, dataset: { source: 'idx', ...files, trainImages: '/no/such' } }, 1, speed)
    expect(bad.problems.map((p) => p.path).sort()).toEqual(['dataset.trainImages', 'lr'])
    expect(bad.estimate).toBeNull()
    expect(measured).toBe(0)
    const good = await preflightSpec({ ...spec, kind: 'mlp' }, 1, speed)
    expect(good.problems).toEqual([])
    expect(good.estimate?.disk.tau).toBe(1440)
  })
})
