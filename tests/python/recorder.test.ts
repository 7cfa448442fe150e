/**
 * The Python package (python/): its own pytest suite, and the checks that need both
 * languages — a run recorded from Python read by TypeScript with the same numbers and
 * fingerprints, and a run trained by the engine read by `sgdscope.open_run` with the
 * engine's numbers.
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import * as zarr from 'zarrita'
import FileSystemStore from '@zarrita/storage/fs'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/cli-process'
import { tempDir } from '../helpers/tmp'
import { Project } from '../../src/main/archive/project'
import { createRun, trainRun } from '../../src/main/experiments/runner'
import { RunArchive } from '../../src/main/archive/run'

const PY = process.env.PYTHON ?? 'python3'
const TESTS = path.join(ROOT, 'python/tests')

function probePython(): string | null {
  const r = spawnSync(PY, ['-c', 'import numpy, pytest'], { encoding: 'utf8' })
  if (r.error) return `${PY} is not installed`
  if (r.status !== 0) return `${PY} lacks NumPy or pytest (${r.stderr.trim().split('\n').pop()})`
  return null
}
const missing = probePython()
if (missing) console.warn(`skipping the Python recorder tests: ${missing}`)

function python(args: string[], timeout = 600_000): string {
  const r = spawnSync(PY, args, {
    cwd: ROOT,
    encoding: 'utf8',
    timeout,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  })
  if (r.status !== 0)
    throw new Error(`${PY} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`)
  return r.stdout
}

/** Nulls (NaN in JSON) back to NaN. */
const nums = (a: (number | null)[]) => a.map((v) => (v === null ? NaN : v))

async function readArray(runDir: string, name: string) {
  const a = await zarr.open(zarr.root(new FileSystemStore(runDir)).resolve(name), { kind: 'array' })
  return { array: a, ...(await zarr.get(a)) }
}

describe.skipIf(missing !== null)('the Python recorder and reader', () => {
  it('passes its own test suite (pytest python/tests)', () => {
    const out = python(['-m', 'pytest', '-q', '-p', 'no:cacheprovider', TESTS])
    expect(out).toMatch(/\d+ passed/)
    expect(out).not.toMatch(/failed|error/)
  })

  it('writes runs that TypeScript reads with the same numbers and probe fingerprints', async () => {
    const project = path.join(tempDir(), 'cross.sgdscope')
    const want = JSON.parse(python([path.join(TESTS, 'crosslang.py'), 'record', project]))
    const dir = path.join(project, 'runs', 'cross')
    const group = JSON.parse(await fs.readFile(path.join(dir, 'zarr.json'), 'utf8'))
    const a = group.attributes
    expect(a).toMatchObject({
      sgdscope: { kind: 'run', format: 2 },
      id: 'cross',
      status: 'complete',
      nets: 3,
      snapshots: 4,
      pointShape: [40, 10],
      metrics: ['train_loss', 'train_error', 'test_loss', 'test_error'],
      stateSize: 0,
      spec: {
        kind: 'external',
        name: 'cross',
        source: 'python',
        nets: 3,
        classes: 10,
        outputs: 'logits',
        probe: 40,
        meta: { lr: 0.1, model: 'tiny' },
      },
      probe: { size: 40, id: 'test[0:40]' },
      paramCount: want.paramCount,
    })
    // Read with the project's own reader, as the app and the CLI do.
    const run = await RunArchive.open(dir)
    expect(run.isExternal).toBe(true)
    const S = run.attrs.snapshots
    const per = 40 * 10
    const tau = new Float32Array(3 * S * per)
    for (let k = 0; k < 3; k++) for (let j = 0; j < S; j++) tau.set(await run.readTau(k, j), (k * S + j) * per)
    expect(Array.from(tau)).toEqual(want.tau)
    expect(Array.from(await run.readMetrics())).toEqual(nums(want.metrics))
    expect(Array.from(await run.readDone())).toEqual(want.done)
    expect(want.done).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0])
    const times = await run.readTimes()
    expect(Array.from(times.epochs)).toEqual([0, 0.5, 1, 2])
    expect(Array.from(times.samples)).toEqual([0, 500, 1000, 2000])
    const n = want.paramCount
    for (let k = 0; k < 3; k++) {
      for (let j = 0; j < S; j++) {
        const w = await run.readWeights(k, j)
        const expected = nums(want.weights.slice((k * S + j) * n, (k * S + j + 1) * n))
        if (Number.isNaN(expected[0])) expect(w).toBeNull()
        else expect(Array.from(w!)).toEqual(expected)
      }
    }
    expect(await run.weightSnapshotsAvailable()).toEqual([0, 2])
    expect((await run.weightsAttributes())?.architecture).toMatchObject({ kind: 'mlp', inputs: 6, hidden: 2 })
    expect(Array.from((await run.readLabels())!)).toEqual(want.labels)
    // The fingerprints, computed here as the app computes them.
    const sha = (b: ArrayBufferView) =>
      createHash('sha256')
        .update(new Uint8Array(b.buffer, b.byteOffset, b.byteLength))
        .digest('hex')
    expect(a.probe.labelsSha256).toBe(sha(Int32Array.from(want.labels as number[])))
    const pixels = Float32Array.from(want.rawInputs as number[], (v) => v / 255)
    expect(a.probe.inputsSha256).toBe(sha(pixels))
    const inputs = await run.readProbeInputs()
    expect(inputs!.shape).toEqual([40, 2, 3])
    expect(Array.from(inputs!.data)).toEqual(Array.from(pixels))
    // The same bytes through zarrita directly: plain Zarr v3 that any reader opens.
    const raw = await readArray(dir, 'tau')
    expect(raw.array.attrs).toEqual({ transform: 'softmax' })
    expect(raw.shape).toEqual([3, S, 40, 10])
    expect(Array.from(raw.data as Float32Array)).toEqual(want.tau)
    // Softmax applied in Python sums to 1 here, to float32 round-off.
    expect(tau.subarray(0, 10).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6)
  })

  it('reads a run trained by the engine with the engine’s numbers (open_run)', async () => {
    const project = await Project.openOrCreate(path.join(tempDir(), 'engine.sgdscope'))
    const spec = {
      nets: 2,
      hidden: 10,
      epochs: 0.02,
      probe: 50,
      trainSubset: 500,
      dataset: { deskew: false },
      keepWeights: 'all',
    }
    const run = await createRun(project, spec)
    expect(await trainRun(project, run.id, { workers: 0 })).toBe('complete')
    const got = JSON.parse(python([path.join(TESTS, 'crosslang.py'), 'dump', run.dir]))
    const eng = await project.openRun(run.id)
    const { nets, snapshots: S, pointShape } = eng.attrs
    expect(got).toMatchObject({
      status: 'complete',
      nets,
      snapshots: S,
      pointShape,
      metricNames: eng.attrs.metrics,
      spec: { kind: 'mlp', hidden: 10 },
    })
    const P = pointShape[0] * pointShape[1]
    for (let k = 0; k < nets; k++) {
      for (let j = 0; j < S; j++) {
        const tau = Array.from(await eng.readTau(k, j))
        const at = (k * S + j) * P
        expect(got.tau.slice(at, at + P)).toEqual(tau)
        // κ: the argmax class of each probe item.
        const kappa = Array.from({ length: pointShape[0] }, (_, i) => {
          const row = tau.slice(i * pointShape[1], (i + 1) * pointShape[1])
          return row.indexOf(Math.max(...row))
        })
        expect(got.kappa.slice((k * S + j) * pointShape[0], (k * S + j + 1) * pointShape[0])).toEqual(kappa)
        const w = await eng.readWeights(k, j)
        const n = eng.attrs.paramCount!
        expect(got.weights.slice((k * S + j) * n, (k * S + j + 1) * n)).toEqual(Array.from(w!))
      }
    }
    expect(nums(got.metrics)).toEqual(Array.from(await eng.readMetrics()))
    expect(got.done).toEqual(Array.from(await eng.readDone()))
    const times = await eng.readTimes()
    expect(got.epochs).toEqual(Array.from(times.epochs))
    expect(got.samples).toEqual(Array.from(times.samples))
    expect(got.weightSnapshots).toEqual(eng.attrs.weightSnapshots)
    expect(got.probe).toEqual(eng.attrs.probe ?? null)
    expect(got.architecture).toEqual({
      kind: 'mlp',
      inputs: 784,
      hidden: 10,
      outputs: 10,
      activation: 'sigmoid',
      output: 'sigmoid',
    })
  })
})
