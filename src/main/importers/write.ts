/**
 * Writes a validated import as a format-2 run (docs/run-format.md): the whole run is
 * built in `runs/.RUN_ID.creating-PID-RANDOM/` and renamed to `runs/RUN_ID` only when
 * complete, so a failed or cancelled import leaves nothing behind.
 */
import { createHash, randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import * as zarr from 'zarrita'
import FileSystemStore from '@zarrita/storage/fs'
import type { Project } from '../archive/project'
import { writeJsonAtomic } from '../archive/atomic'
import { SGDSCOPE_VERSION } from '../version'
import { ImportCancelled, throwIfAborted, yieldToLoop, type ReadProgress } from './source'
import { softmaxRows, type ImportedRun } from './validate'

export const IMPORT_FORMAT = 2

const bytes: zarr.CodecMetadata[] = [{ name: 'bytes', configuration: { endian: 'little' } }]

export interface WriteOptions {
  id: string
  name: string
  meta: Record<string, unknown>
  signal?: AbortSignal
  onProgress?: (p: ReadProgress) => void
}

const sha256 = (a: ArrayBufferView) => createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex')

function stridesOf(shape: number[]): number[] {
  const s = new Array<number>(shape.length)
  let acc = 1
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc
    acc *= shape[i]
  }
  return s
}

/** The run's group attributes (format 2, spec kind `external`, source `import`). */
export function importAttributes(run: ImportedRun, o: Pick<WriteOptions, 'id' | 'name' | 'meta'>): Record<string, unknown> {
  const now = new Date().toISOString()
  const S = run.snapshots
  return {
    sgdscope: { kind: 'run', format: IMPORT_FORMAT },
    id: o.id,
    spec: { kind: 'external', name: o.name, source: 'import', nets: run.nets, classes: run.classes, outputs: run.outputs, probe: run.probe, meta: o.meta },
    status: 'complete',
    created: now,
    updated: now,
    versions: { sgdscope: SGDSCOPE_VERSION },
    pointShape: run.pointShape,
    nets: run.nets,
    snapshots: S,
    metrics: run.metricNames,
    stateSize: 0,
    ...(run.weights ? { weightSnapshots: Array.from({ length: S }, (_, j) => j), paramCount: run.weights.paramCount } : {}),
    trainSeconds: 0,
    probe: {
      size: run.probe,
      labelsSha256: sha256(run.labels),
      ...(run.probeInputs ? { inputsSha256: sha256(run.probeInputs.values) } : {}),
    },
    imported: { file: path.resolve(run.file), format: run.format, outputs: run.outputsReason },
  }
}

/** Writes the run into the project and returns its folder; on any failure (or cancel) nothing remains. */
export async function writeImportedRun(project: Project, run: ImportedRun, o: WriteOptions): Promise<string> {
  const final = project.runDir(o.id)
  const runs = path.dirname(final)
  await fs.mkdir(runs, { recursive: true })
  const tmp = path.join(runs, `.${o.id}.creating-${process.pid}-${randomBytes(4).toString('hex')}`)
  await fs.mkdir(tmp)
  try {
    await writeArrays(tmp, run, o)
    throwIfAborted(o.signal)
    // The group's metadata last: a folder without it is not yet a run.
    await writeJsonAtomic(path.join(tmp, 'zarr.json'), { zarr_format: 3, node_type: 'group', attributes: importAttributes(run, o) })
    try {
      await fs.rename(tmp, final)
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'EEXIST' || code === 'ENOTEMPTY') throw new Error(`a run ${o.id} already exists in ${project.dir}`)
      throw e
    }
    return final
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true })
    throw e
  }
}

async function writeArrays(dir: string, run: ImportedRun, o: WriteOptions): Promise<void> {
  const root = zarr.root(new FileSystemStore(dir))
  const { nets, snapshots: S, pointShape: ps } = run
  const M = run.metricNames.length
  const pointDims = ['probe', 'output']
  const tau = await zarr.create(root.resolve('tau'), {
    shape: [nets, S, ...ps],
    chunkShape: [1, 1, ...ps],
    dtype: 'float32',
    codecs: bytes,
    fillValue: 0,
    dimensionNames: ['net', 'snapshot', ...pointDims],
    attributes: run.outputs === 'logits' ? { transform: 'softmax' } : {},
  })
  const metrics = await zarr.create(root.resolve('metrics'), {
    shape: [nets, S, M],
    chunkShape: [1, 1, Math.max(1, M)],
    dtype: 'float32',
    codecs: bytes,
    fillValue: NaN,
    dimensionNames: ['net', 'snapshot', 'metric'],
    attributes: { columns: run.metricNames },
  })
  const done = await zarr.create(root.resolve('done'), {
    shape: [nets, S],
    chunkShape: [1, 1],
    dtype: 'uint8',
    codecs: bytes,
    fillValue: 0,
    dimensionNames: ['net', 'snapshot'],
  })
  await zarr.create(root.resolve('state'), { shape: [nets, 1], chunkShape: [1, 1], dtype: 'float32', codecs: bytes, fillValue: NaN, dimensionNames: ['net', 'state'] })
  const P = run.weights?.paramCount ?? 0
  const weights = run.weights
    ? await zarr.create(root.resolve('weights'), {
        shape: [nets, S, P],
        chunkShape: [1, 1, P],
        dtype: 'float32',
        codecs: bytes,
        fillValue: NaN,
        dimensionNames: ['net', 'kept', 'param'],
        attributes: { snapshots: Array.from({ length: S }, (_, j) => j), layout: 'flat, as imported' },
      })
    : null
  // One chunk holding the whole array (epoch, samples, labels, probe inputs).
  const whole = async (name: string, dtype: 'float64' | 'int32' | 'float32', data: Float64Array | Int32Array | Float32Array, shape: number[], dims: string[]) => {
    const a = await zarr.create(root.resolve(name), { shape, chunkShape: shape, dtype: dtype as 'float64', codecs: bytes, fillValue: 0, dimensionNames: dims })
    await zarr.set(a, null, { data: data as Float64Array, shape, stride: stridesOf(shape) })
  }
  await whole('epoch', 'float64', run.epochs, [S], ['snapshot'])
  await whole('samples', 'float64', new Float64Array(S).fill(NaN), [S], ['snapshot'])
  await whole('labels', 'int32', run.labels, [run.probe], ['probe'])
  if (run.probeInputs) await whole('probe_inputs', 'float32', run.probeInputs.values, run.probeInputs.shape, run.probeInputs.shape.map((_, i) => (i === 0 ? 'probe' : `dim${i}`)))

  const point = ps.reduce((a, b) => a * b, 1)
  const tauValues = run.outputs === 'logits' ? softmaxRows(run.raw, ps[1]) : Float32Array.from(run.raw)
  const total = nets * S
  for (let k = 0; k < nets; k++) {
    for (let j = 0; j < S; j++) {
      if (o.signal?.aborted) throw new ImportCancelled()
      const i = k * S + j
      await zarr.set(tau, [k, j, null, null], { data: tauValues.subarray(i * point, (i + 1) * point), shape: ps, stride: stridesOf(ps) })
      if (M > 0) await zarr.set(metrics, [k, j, null], { data: run.metrics.subarray(i * M, (i + 1) * M), shape: [M], stride: [1] })
      if (weights && run.weights) await zarr.set(weights, [k, j, null], { data: run.weights.values.subarray(i * P, (i + 1) * P), shape: [P], stride: [1] })
      await zarr.set(done, [k, j], 1)
      if (i % 16 === 15 || i === total - 1) {
        o.onProgress?.({ stage: 'writing the run', done: i + 1, total })
        await yieldToLoop()
      }
    }
  }
}
