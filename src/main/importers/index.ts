/**
 * `sgdscope import`: a file of saved outputs (.npz, .npy, HDF5, Zarr) becomes a run of
 * the project. The file is read and validated whole in memory, then written as one
 * format-2 run in a temporary folder that is renamed into place only when complete.
 */
import * as path from 'node:path'
import { Project } from '../archive/project'
import { dtypeOf, shapeText, type NdArray } from './ndarray'
import { readNpyFile } from './npy'
import { importTarget, openSource } from './registry'
import { ImportError, throwIfAborted, type ReadProgress } from './source'
import { OUTPUTS_KINDS, readRun, type ImportedRun, type OutputsKind } from './validate'
import { writeImportedRun } from './write'

export { IMPORTERS } from './registry'
export { ImportCancelled, ImportError } from './source'
export { OUTPUTS_KINDS, type OutputsKind } from './validate'

export interface ImportOptions {
  outputs?: OutputsKind
  /** The run's name (default: the file's name). */
  name?: string
  meta?: Record<string, unknown>
  /** A .npy of labels, for files without them (a bare .npy). */
  labels?: string
  /** The snapshots' epochs: "0,1,2,5", "first:last" (evenly spaced) or a .npy file. */
  epochs?: string
  signal?: AbortSignal
  onProgress?: (p: ReadProgress) => void
}

export interface ImportResult {
  runId: string
  dir: string
  name: string
  format: string
  nets: number
  snapshots: number
  probe: number
  classes: number | null
  outputs: OutputsKind
  outputsReason: string
  metrics: string[]
  weights: boolean
  probeInputs: boolean
  ignored: string[]
}

/** "key=value" pairs; values that parse as JSON (numbers, true, …) are kept as such. */
export function parseMeta(pairs: readonly string[]): Record<string, unknown> {
  const meta: Record<string, unknown> = {}
  for (const kv of pairs) {
    const eq = kv.indexOf('=')
    if (eq < 1) throw new ImportError(`--meta takes key=value (e.g. --meta lr=0.1), not "${kv}"`, 'meta')
    const raw = kv.slice(eq + 1)
    let value: unknown = raw
    try {
      value = JSON.parse(raw)
    } catch {
      /* a plain string */
    }
    meta[kv.slice(0, eq)] = value
  }
  return meta
}

/** A bad file given by an option is that option's fault (cancellation and bugs pass through). */
function asOption(e: unknown, field: 'labels' | 'epochs'): unknown {
  return e instanceof ImportError && e.field === 'file' ? new ImportError(e.message, field) : e
}

/** The epochs option for `snapshots` snapshots. */
export async function parseEpochs(spec: string, snapshots: number, signal?: AbortSignal): Promise<NdArray> {
  if (/\.npy$/i.test(spec))
    return readNpyFile(spec, { signal }).catch((e: unknown) => Promise.reject(asOption(e, 'epochs')))
  const range = /^\s*([-\d.eE+]+)\s*:\s*([-\d.eE+]+)\s*$/.exec(spec)
  let values: number[]
  if (range) {
    const [a, b] = [Number(range[1]), Number(range[2])]
    if (!Number.isFinite(a) || !Number.isFinite(b) || !(b > a))
      throw new ImportError(`--epochs ${spec}: first:last needs numbers with last > first`, 'epochs')
    values = Array.from({ length: snapshots }, (_, j) => (snapshots === 1 ? a : a + ((b - a) * j) / (snapshots - 1)))
  } else {
    values = spec.split(',').map((s) => Number(s.trim()))
    if (values.some((v) => !Number.isFinite(v)) || spec.trim() === '')
      throw new ImportError(
        `--epochs takes a list (0,1,2,5), a range first:last or a .npy file, not "${spec}"`,
        'epochs',
      )
  }
  return { dtype: dtypeOf('float', 8), shape: [values.length], data: Float64Array.from(values) }
}

/** Reads and validates a file without writing anything. */
export async function readImport(file: string, opts: ImportOptions = {}): Promise<ImportedRun> {
  if (opts.outputs && !OUTPUTS_KINDS.includes(opts.outputs))
    throw new ImportError(`--outputs is ${OUTPUTS_KINDS.join(', ')}, not "${opts.outputs}"`, 'outputs')
  const source = await openSource(file)
  try {
    const outShape = source.names().includes('outputs') ? source.info('outputs').shape : []
    const epochs = opts.epochs !== undefined ? await parseEpochs(opts.epochs, outShape[1] ?? 0, opts.signal) : undefined
    let labels: NdArray | undefined
    if (opts.labels !== undefined) {
      try {
        labels = await readNpyFile(opts.labels, { signal: opts.signal })
      } catch (e) {
        if (e instanceof ImportError) throw asOption(e, 'labels')
        throw new ImportError(`--labels ${opts.labels} cannot be read: ${(e as Error).message}`, 'labels')
      }
      if (labels.shape.length !== 1)
        throw new ImportError(
          `--labels ${opts.labels} has shape ${shapeText(labels.shape)}, expected [probe] = [${outShape[2] ?? 'probe'}]`,
          'labels',
        )
    }
    return await readRun(source, {
      outputs: opts.outputs,
      epochs,
      labels,
      signal: opts.signal,
      onProgress: opts.onProgress,
    })
  } finally {
    await source.close()
  }
}

/** Imports a file as a new run of the project at projectDir (created if missing, once the
 * file has passed every check). */
export async function importRun(projectDir: string, file: string, opts: ImportOptions = {}): Promise<ImportResult> {
  const run = await readImport(file, opts)
  throwIfAborted(opts.signal)
  const name =
    opts.name ??
    path.basename(importTarget(file).replace(/[\\/]+$/, '')).replace(/\.(npz|npy|h5|hdf5|hdf|he5|zarr)$/i, '')
  const runId = (await Project.openOrCreate(projectDir)).newRunId(name)
  const archive = await writeImportedRun(projectDir, run, {
    id: runId,
    name,
    meta: opts.meta ?? {},
    signal: opts.signal,
    onProgress: opts.onProgress,
  })
  const dir = archive.dir
  return {
    runId,
    dir,
    name,
    format: run.format,
    nets: run.nets,
    snapshots: run.snapshots,
    probe: run.probe,
    classes: run.classes,
    outputs: run.outputs,
    outputsReason: run.outputsReason,
    metrics: run.metricNames,
    weights: !!run.weights,
    probeInputs: !!run.probeInputs,
    ignored: run.ignored,
  }
}
