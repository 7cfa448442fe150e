import * as path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { importRun, ImportCancelled, type ImportOptions } from '../../../src/main/importers'
import { tempDir } from '../../helpers/tmp'
import {
  expectClose,
  expected,
  expectSame,
  readBack,
  runsLeft,
  sha256,
  writeFixtures,
  writeZarrV3,
  type Dims,
} from './helpers'

const root = tempDir('sgdscope-import-')
const fx = path.join(root, 'fixtures')
let dims: Dims
let n = 0
/** A fresh project for each import, so that "nothing left behind" is checked exactly. */
const project = () => path.join(root, `p${++n}.sgdscope`)

beforeAll(() => {
  dims = writeFixtures(fx, { zip64: true })
})

async function imported(file: string, opts: ImportOptions = {}) {
  const p = project()
  const r = await importRun(p, path.join(fx, file), opts)
  return { r, run: await readBack(p, r.runId), p }
}

describe('import round trips: the stored numbers equal NumPy’s', () => {
  it('np.savez: float32 logits (softmax applied), metrics both spellings, weights, probe inputs', async () => {
    const { r, run } = await imported('savez.npz', { name: 'seeds', meta: { lr: 0.1 } })
    const { nets, snapshots: S, probe: P, classes: C, params: K } = dims
    expect(r).toMatchObject({
      name: 'seeds',
      format: 'NumPy .npz',
      nets,
      snapshots: S,
      probe: P,
      classes: C,
      outputs: 'logits',
      weights: true,
      probeInputs: true,
      ignored: ['notes'],
    })
    expect(r.outputsReason).toBe('guessed: row [0, 0, 0, :] has a negative entry, so not probabilities')
    expect(run.attrs).toMatchObject({
      sgdscope: { kind: 'run', format: 2 },
      status: 'complete',
      nets,
      snapshots: S,
      pointShape: [P, C],
      stateSize: 0,
      paramCount: K,
      spec: {
        kind: 'external',
        source: 'import',
        name: 'seeds',
        nets,
        classes: C,
        outputs: 'logits',
        probe: P,
        meta: { lr: 0.1 },
      },
    })
    expect(run.tau.shape).toEqual([nets, S, P, C])
    expect(run.tau.attrs).toMatchObject({ transform: 'softmax' })
    expectClose(run.tau.data, expected(fx, 'tau_logits', 'f32'), 'tau')
    expect(run.attrs.metrics).toEqual(['train_loss', 'test_error'])
    expectSame(run.metrics.data, expected(fx, 'metrics_train_loss_test_error', 'f32'), 'metrics') // NaN where not recorded
    expectSame(run.epochs, expected(fx, 'epochs', 'f64'), 'epochs')
    expectSame(run.labels, expected(fx, 'labels', 'i32'), 'labels')
    expectSame(run.weights!.data, expected(fx, 'weights', 'f32'), 'weights')
    expectSame(run.probeInputs!.data, expected(fx, 'probe_inputs', 'f32'), 'probe_inputs')
    expect(run.probeInputs!.shape).toEqual([P, 2, 3])
    expect(run.attrs.probe).toEqual({
      size: P,
      labelsSha256: sha256(expected(fx, 'labels', 'i32')),
      inputsSha256: sha256(expected(fx, 'probe_inputs', 'f32')),
    })
    expect([...run.done.data]).toEqual(new Array(nets * S).fill(1))
    expect(run.attrs.imported).toEqual({
      file: path.join(fx, 'savez.npz'),
      format: 'NumPy .npz',
      outputs: r.outputsReason,
    })
  })

  it('np.savez_compressed: float64 probabilities stored as given, float32 epochs, int16 labels', async () => {
    const { r, run } = await imported('compressed.npz')
    expect(r.outputs).toBe('probabilities')
    expect(r.outputsReason).toBe('guessed: every row is non-negative and sums to 1 within 0.001')
    expect(r.name).toBe('compressed')
    expect(run.tau.attrs).not.toHaveProperty('transform')
    expectSame(run.tau.data, expected(fx, 'tau_probs', 'f32'), 'tau')
    expectSame(run.epochs, expected(fx, 'epochs', 'f64'), 'epochs')
    expectSame(run.labels, expected(fx, 'labels', 'i32'), 'labels')
    expect(run.attrs.metrics).toEqual([])
    expect(run.weights).toBeNull()
  })

  it('a zip with zip64 end records (more than 65535 members)', async () => {
    const { r, run } = await imported('zip64.npz')
    expect(r).toMatchObject({ outputs: 'probabilities', ignored: [] })
    expectSame(run.tau.data, expected(fx, 'tau_probs', 'f32'), 'tau')
  })

  it('values: outputs [nets, snapshots, probe] are one value per probe item, κ undefined', async () => {
    const { r, run } = await imported('values.npz')
    expect(r).toMatchObject({ outputs: 'values', classes: null })
    expect(run.attrs.pointShape).toEqual([dims.probe, 1])
    expect(run.attrs.spec).toMatchObject({ outputs: 'values', classes: null })
    expectSame(run.tau.data, expected(fx, 'tau_values', 'f32'), 'tau')
  })

  it('a bare .npy (big-endian float64, Fortran order) with --labels and --epochs', async () => {
    const { r, run } = await imported('bare.npy', {
      labels: path.join(fx, 'labels.npy'),
      epochs: '0,0.5,1,3',
      outputs: 'logits',
    })
    expect(r).toMatchObject({ format: 'NumPy .npy', outputs: 'logits', outputsReason: 'given' })
    expectClose(run.tau.data, expected(fx, 'tau_logits', 'f32'), 'tau')
    expectSame(run.epochs, expected(fx, 'epochs', 'f64'), 'epochs')
    expectSame(run.labels, expected(fx, 'labels', 'i32'), 'labels')
  })

  it('.npy format versions 1.0, 2.0 and 3.0 (float16), epochs as first:last and as a .npy file', async () => {
    const labels = path.join(fx, 'labels.npy')
    const v1 = await imported('v1.npy', { labels, epochs: '0:3' })
    expectSame(v1.run.epochs, [0, 1, 2, 3], 'epochs')
    expectClose(v1.run.tau.data, expected(fx, 'tau_logits', 'f32'), 'tau v1')
    const v2 = await imported('v2.npy', { labels, epochs: path.join(fx, 'epochs.npy') })
    expectSame(v2.run.epochs, expected(fx, 'epochs', 'f64'), 'epochs')
    expectClose(v2.run.tau.data, expected(fx, 'tau_logits', 'f32'), 'tau v2')
    const v3 = await imported('v3.npy', { labels, epochs: '0:3' })
    expectClose(v3.run.tau.data, expected(fx, 'tau_logits_f16', 'f32'), 'tau v3 (float16)')
  })

  it('HDF5 from h5py: gzip-chunked float64 logits, big-endian epochs, metrics group', async () => {
    const { r, run } = await imported('run.h5')
    expect(r).toMatchObject({ format: 'HDF5', outputs: 'logits', weights: true })
    expectClose(run.tau.data, expected(fx, 'tau_logits', 'f32'), 'tau')
    expectSame(run.epochs, expected(fx, 'epochs', 'f64'), 'epochs')
    expectSame(run.labels, expected(fx, 'labels', 'i32'), 'labels')
    expectSame(run.weights!.data, expected(fx, 'weights', 'f32'), 'weights')
    // h5py lists datasets by name; the columns follow.
    expect(run.attrs.metrics).toEqual(['test_error', 'train_loss'])
    const both = expected(fx, 'metrics_train_loss_test_error', 'f32')
    const swapped = Float32Array.from(both, (_, i) => both[i % 2 === 0 ? i + 1 : i - 1])
    expectSame(run.metrics.data, swapped, 'metrics')
  })

  it('HDF5 float16 probabilities', async () => {
    const { r, run } = await imported('probs16.h5')
    expect(r.outputs).toBe('probabilities')
    expectSame(run.tau.data, expected(fx, 'tau_probs16', 'f32'), 'tau')
  })

  it('Zarr v2 written by hand: raw and zlib chunks, partial edge chunks, big-endian epochs, int64 labels', async () => {
    const { r, run } = await imported('v2.zarr')
    expect(r).toMatchObject({ format: 'Zarr v2', name: 'v2', metrics: ['train_loss'] })
    expectClose(run.tau.data, expected(fx, 'tau_logits', 'f32'), 'tau')
    expectSame(run.epochs, expected(fx, 'epochs', 'f64'), 'epochs')
    expectSame(run.labels, expected(fx, 'labels', 'i32'), 'labels')
    expectSame(run.metrics.data, expected(fx, 'metrics_train_loss', 'f32'), 'metrics')
    // The group's .zgroup stands for its folder (file dialogs that pick only files).
    expect((await imported('v2.zarr/.zgroup')).r).toMatchObject({ format: 'Zarr v2', name: 'v2' })
  })

  it('Zarr v3 written with zarrita: gzip probabilities, metrics group', async () => {
    const { nets, snapshots: S, probe: P } = dims
    const probs = expected(fx, 'tau_probs', 'f32') as Float32Array
    const C = dims.classes
    const err = Float64Array.from({ length: nets * S }, (_, i) => i / 100)
    const dir = path.join(fx, 'v3.zarr')
    await writeZarrV3(dir, [
      { name: 'outputs', dtype: 'float32', shape: [nets, S, P, C], data: probs, gzip: true },
      { name: 'epochs', dtype: 'float64', shape: [S], data: expected(fx, 'epochs', 'f64') as Float64Array },
      { name: 'labels', dtype: 'int32', shape: [P], data: expected(fx, 'labels', 'i32') as Int32Array },
      { name: 'metrics/test_error', dtype: 'float64', shape: [nets, S], data: err },
    ])
    const { r, run } = await imported('v3.zarr')
    expect(r).toMatchObject({ format: 'Zarr v3', outputs: 'probabilities', metrics: ['test_error'] })
    expectSame(run.tau.data, probs, 'tau')
    expectSame(run.metrics.data, Float32Array.from(err), 'metrics')
  })
})

describe('malformed files: a message naming the file, the array, its shape and the shape expected; no run left', () => {
  const cases: [string, ImportOptions, string][] = [
    [
      'truncated.npz',
      {},
      'truncated.npz is not a readable zip (.npz) file: no end-of-central-directory record (the file is truncated or not a zip)',
    ],
    ['bad_crc.npz', {}, 'bad_crc.npz is corrupt: member outputs.npy fails its CRC-32 check'],
    [
      'short_labels.npz',
      {},
      'short_labels.npz: array "labels" has shape [6], expected [probe] = [7] (outputs is [3, 4, 7, 5])',
    ],
    [
      'bad_metric.npz',
      {},
      'bad_metric.npz: array "metrics/train_loss" has shape [3, 3], expected [nets, snapshots] = [3, 4] (outputs is [3, 4, 7, 5])',
    ],
    [
      'no_epochs.npz',
      {},
      'no_epochs.npz: no array "epochs" (expected epochs[snapshots] = [4], outputs is [3, 4, 7, 5]); the NumPy .npz file has: outputs, labels',
    ],
    [
      'nan.npz',
      {},
      'nan.npz: array "outputs" [3, 4, 7, 5] has NaN at [1, 2, 3, 4] (2 values are not finite); outputs must be finite',
    ],
    [
      'strings.npz',
      {},
      'strings.npz: array "labels" [7] has dtype unicode string (<U3), expected a real number type (float32, float64, float16 or an integer type)',
    ],
    ['backwards.npz', {}, 'backwards.npz: array "epochs" [4] is not strictly increasing: epochs[0] = 3, epochs[1] = 1'],
    [
      'bad_label.npz',
      {},
      'bad_label.npz: array "labels" [7] has 9 at [4]; labels must be −1 (unknown) or a class 0…4 (outputs has 5 classes)',
    ],
    [
      'savez.npz',
      { outputs: 'probabilities' },
      'savez.npz: array "outputs" [3, 4, 7, 5]: row [0, 0, 0, :] has a negative entry (-5.769692420959473); --outputs probabilities needs every row to be non-negative and sum to 1 (within 0.001); give --outputs logits if these are logits',
    ],
    [
      'values.npz',
      { outputs: 'logits' },
      'values.npz: array "outputs" has shape [3, 4, 7] (one value per probe item), but --outputs logits needs [nets, snapshots, probe, classes]',
    ],
    [
      'bare.npy',
      {},
      "bare.npy: a bare .npy file holds only the outputs; give the snapshots' epochs with --epochs (e.g. --epochs 0,1,2,5, --epochs 0:3 or --epochs epochs.npy) and the probe labels with --labels labels.npy",
    ],
    [
      'truncated.npy',
      { epochs: '0:3', labels: 'labels.npy' },
      'truncated.npy is truncated: shape [3, 4, 7, 5] of float64 needs 3360 bytes of data, the file has 3260',
    ],
    [
      'corrupt_header.npy',
      {},
      "corrupt_header.npy: the .npy header is corrupt (\"{'descr': '<f8', 'shape': oops}': True, 'shape': (3, 4, 7, 5), }\")",
    ],
    [
      'bare.npy',
      { epochs: '0,1', labels: 'labels.npy' },
      'bare.npy: array "epochs" has shape [2], expected [snapshots] = [4] (outputs is [3, 4, 7, 5])',
    ],
    ['truncated.h5', {}, 'truncated.h5 is a corrupt or truncated HDF5 file (HDF5: file has been truncated)'],
    [
      'no_labels.h5',
      {},
      'no_labels.h5: no array "labels" (expected labels[probe] = [7], outputs is [3, 4, 7, 5]; −1 where unknown); the HDF5 file has: epochs, outputs',
    ],
    [
      'wrong_outputs.h5',
      {},
      'wrong_outputs.h5: array "epochs" has shape [4], expected [snapshots] = [7] (outputs is [4, 7, 5])',
    ],
    [
      'nan.h5',
      {},
      'nan.h5: array "outputs" [3, 4, 7, 5] has NaN at [1, 2, 3, 4] (2 values are not finite); outputs must be finite',
    ],
    [
      'corrupt_chunk.zarr',
      {},
      'corrupt_chunk.zarr: array "outputs" cannot be read: a chunk is corrupt or truncated (Failed to decode deflate)',
    ],
    [
      'labels.npy',
      {},
      'labels.npy: array "outputs" has shape [7], expected [nets, snapshots, probe, classes] (or [nets, snapshots, probe] for values)',
    ],
    ['missing.npz', {}, 'missing.npz does not exist'],
  ]
  for (const [file, opts, message] of cases) {
    it(`${file}${Object.keys(opts).length ? ` ${JSON.stringify(opts)}` : ''}`, async () => {
      const p = project()
      const o = { ...opts, ...(opts.labels ? { labels: path.join(fx, opts.labels) } : {}) }
      const err = await importRun(p, path.join(fx, file), o).then(
        () => null,
        (e: Error) => e,
      )
      expect(err?.name).toBe('ImportError')
      expect(err?.message.split(`${fx}${path.sep}`).join('')).toBe(message)
      expect(await runsLeft(p)).toEqual([])
    })
  }

  it('a file that is no format it reads says which formats it reads', async () => {
    await expect(importRun(project(), path.join(fx, 'expected_labels.bin'))).rejects.toThrow(
      /is not a format sgdscope imports \(unrecognised content\); it reads: NumPy \.npz .*; HDF5 \(h5py\); Zarr v2 or v3 group \(a folder\)$/,
    )
  })
})

describe('cancel', () => {
  for (const stage of ['reading outputs', 'writing the run']) {
    it(`while ${stage}: ImportCancelled and nothing left behind`, async () => {
      const p = project()
      const ac = new AbortController()
      const stages: string[] = []
      const err = await importRun(p, path.join(fx, 'savez.npz'), {
        signal: ac.signal,
        onProgress: (x) => {
          stages.push(x.stage)
          if (x.stage === stage) ac.abort()
        },
      }).then(
        () => null,
        (e: Error) => e,
      )
      expect(stages).toContain(stage)
      expect(err).toBeInstanceOf(ImportCancelled)
      expect(await runsLeft(p)).toEqual([])
    })
  }
})
