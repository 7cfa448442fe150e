/**
 * A probe set given as arrays: `inputs` [P, ...] and `labels` [P], in one .npz or as
 * two .npy files (read with the importers' NumPy readers). Inputs become float32
 * (uint8 pixels / 255), labels int32 (−1 = unknown).
 */
import type { NdArray } from '../importers/ndarray'
import { readNpyFile } from '../importers/npy'
import { openNpz } from '../importers/npz'
import { ProbeError } from './probe-error'

export interface ProbeArrays {
  /** The file(s), for messages. */
  what: string
  count: number
  /** Shape of one item. */
  shape: number[]
  inputs: Float32Array
  labels: Int32Array
}

export type ProbeFiles = { npz: string } | { inputs: string; labels: string }

type Named = NdArray & { name: string }

export async function readProbeArrays(files: ProbeFiles): Promise<ProbeArrays> {
  if ('npz' in files) {
    const src = await openNpz(files.npz)
    try {
      const names = src.names()
      const absent = ['inputs', 'labels'].filter((n) => !names.includes(n))
      if (absent.length) {
        throw new ProbeError(
          `${files.npz} has no array ${absent.join(' or ')} (it has ${names.join(', ') || 'none'}); a probe .npz holds ` +
            '`inputs` [P, ...] and `labels` [P]',
        )
      }
      // Shapes are checked from the headers before any data is read.
      const shapes = { inputs: src.info('inputs').shape, labels: src.info('labels').shape }
      checkShapes(shapes.inputs, shapes.labels, `${files.npz}: inputs`, `${files.npz}: labels`)
      const inputs = { ...(await src.read('inputs')), name: `${files.npz}: inputs` }
      const labels = { ...(await src.read('labels')), name: `${files.npz}: labels` }
      return checkProbeArrays(inputs, labels, files.npz)
    } finally {
      await src.close()
    }
  }
  const inputs = { ...(await readNpyFile(files.inputs)), name: files.inputs }
  const labels = { ...(await readNpyFile(files.labels)), name: files.labels }
  return checkProbeArrays(inputs, labels, `${files.inputs} and ${files.labels}`)
}

function checkShapes(inputs: number[], labels: number[], inputsName: string, labelsName: string): void {
  if (inputs.length < 2) {
    throw new ProbeError(
      `${inputsName} has shape [${inputs.join(', ')}]: expected [P, ...] (one item per row, e.g. [P, 784] or [P, 1, 28, 28])`,
    )
  }
  if (labels.length !== 1)
    throw new ProbeError(`${labelsName} has shape [${labels.join(', ')}]: expected [P] (one label per item)`)
  const P = inputs[0]!
  if (P === 0) throw new ProbeError(`${inputsName} has no items (shape [${inputs.join(', ')}])`)
  if (labels[0] !== P)
    throw new ProbeError(
      `${labelsName} has shape [${labels.join(', ')}] but ${inputsName} has ${P} items: expected [${P}]`,
    )
}

/** Checks shapes, dtypes and values and converts; messages name the array, its shape and what was expected. */
export function checkProbeArrays(inputs: Named, labels: Named, what: string): ProbeArrays {
  checkShapes(inputs.shape, labels.shape, inputs.name, labels.name)
  const P = inputs.shape[0]!
  const k = inputs.dtype.kind
  if (!(k === 'float' || (k === 'uint' && inputs.dtype.size === 1))) {
    throw new ProbeError(
      `${inputs.name} has dtype ${inputs.dtype.name}: expected float32, float64 or uint8 (pixels, divided by 255)`,
    )
  }
  if (!['int', 'uint', 'float'].includes(labels.dtype.kind)) {
    throw new ProbeError(`${labels.name} has dtype ${labels.dtype.name}: expected integers (class indices)`)
  }
  const n = inputs.data.length
  const x = new Float32Array(n)
  const scale = k === 'uint' ? 255 : 1
  for (let i = 0; i < n; i++) {
    const v = inputs.data[i]! / scale
    if (!Number.isFinite(v))
      throw new ProbeError(`${inputs.name} holds ${v} at flat index ${i}: probe inputs must be finite`)
    x[i] = v
  }
  const y = new Int32Array(P)
  for (let i = 0; i < P; i++) {
    const v = labels.data[i]!
    if (!Number.isInteger(v) || v < -1 || v > 2 ** 31 - 1) {
      throw new ProbeError(`${labels.name}[${i}] is ${v}: labels are class indices ≥ 0 (or −1 for unknown)`)
    }
    y[i] = v
  }
  return { what, count: P, shape: inputs.shape.slice(1), inputs: x, labels: y }
}
