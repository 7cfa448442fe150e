/**
 * The probe set checkpoints are evaluated on, from a `--probe` argument:
 *
 *   mnist:1000, fashion-mnist:N, mnist-deskewed:N, fashion-mnist-deskewed:N
 *       the first N test images of a built-in dataset, pixels / 255 (or deskewed, as the
 *       in-app runs with deskew see them), so runs compare with in-app runs
 *   idx:IMAGES,LABELS[:N]       an IDX image file and its label file
 *   FILE.npz[:N]                arrays `inputs` [P, ...] and `labels` [P]
 *   npy:INPUTS.npy,LABELS.npy[:N]  the same as two .npy files
 *
 * Inputs become float32 (uint8 pixels are divided by 255, as for images everywhere in
 * sgdscope); labels become int32, −1 meaning unknown.
 */
import * as path from 'node:path'
import { loadDataset } from '../datasets/registry'
import { checkPair, readImages, readLabels } from '../datasets/idx'
import { readProbeArrays } from './probe-arrays'
import { ProbeError } from './probe-error'

export { ProbeError }

export interface ProbeSet {
  /** Where the items come from, e.g. "mnist:test[0:1000]". */
  id: string
  /** Number of items, P. */
  count: number
  /** Shape of one item, e.g. [28, 28]. */
  shape: number[]
  /** P × item values, row-major, SharedArrayBuffer-backed (shared with the workers). */
  inputs: Float32Array
  labels: Int32Array
  /** Number of classes when the source knows it (built-in datasets), else null. */
  classes: number | null
}

export const PROBE_PRESETS = ['mnist', 'fashion-mnist', 'mnist-deskewed', 'fashion-mnist-deskewed'] as const
export const DEFAULT_PROBE_SIZE = 1000

export const PROBE_USAGE =
  'mnist:N, fashion-mnist:N, mnist-deskewed:N, fashion-mnist-deskewed:N, idx:IMAGES,LABELS[:N], FILE.npz[:N] ' +
  'or npy:INPUTS.npy,LABELS.npy[:N]'

/** Splits a trailing ":N" (a count) off an argument. */
function splitCount(s: string, arg: string): { rest: string; n: number | null } {
  const m = /^(.*):(\d*)$/.exec(s)
  if (!m) return { rest: s, n: null }
  const n = Number(m[2])
  if (m[2] === '' || !Number.isInteger(n) || n < 1)
    throw new ProbeError(`--probe ${arg}: the count after ":" must be a whole number ≥ 1`)
  return { rest: m[1]!, n }
}

function sharedFloats(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(4 * n))
}

function take(arg: string, have: number, n: number | null, what: string): number {
  const P = n ?? have
  if (P > have) throw new ProbeError(`--probe ${arg}: asks for ${P} items but ${what} has ${have}`)
  return P
}

/** Loads the probe set an argument names; every message names the argument and the file. */
export async function loadProbe(arg: string, opts: { cacheDir?: string } = {}): Promise<ProbeSet> {
  const preset = /^([a-z-]+)(?::(.*))?$/.exec(arg)
  if (preset && (PROBE_PRESETS as readonly string[]).includes(preset[1]!)) {
    const { n } = splitCount(arg, arg)
    return presetProbe(arg, preset[1]!, n ?? DEFAULT_PROBE_SIZE, opts.cacheDir)
  }
  if (arg.startsWith('idx:')) {
    const { rest, n } = splitCount(arg.slice(4), arg)
    const [images, labels, ...extra] = rest.split(',')
    if (!images || !labels || extra.length)
      throw new ProbeError(`--probe ${arg}: idx: takes IMAGES,LABELS[:N] (two files)`)
    return idxProbe(arg, images, labels, n)
  }
  if (arg.startsWith('npy:')) {
    const { rest, n } = splitCount(arg.slice(4), arg)
    const [inputs, labels, ...extra] = rest.split(',')
    if (!inputs || !labels || extra.length)
      throw new ProbeError(`--probe ${arg}: npy: takes INPUTS.npy,LABELS.npy[:N] (two files)`)
    return arrayProbe(arg, { inputs, labels }, n)
  }
  const { rest, n } = /\.npz(:\d*)?$/i.test(arg) ? splitCount(arg, arg) : { rest: arg, n: null }
  if (/\.npz$/i.test(rest)) return arrayProbe(arg, { npz: rest }, n)
  if (/\.npy$/i.test(rest)) {
    throw new ProbeError(
      `--probe ${arg}: one .npy file holds one array; give inputs and labels as npy:INPUTS.npy,LABELS.npy or as a .npz`,
    )
  }
  throw new ProbeError(`--probe ${arg}: unknown probe set (use ${PROBE_USAGE})`)
}

async function presetProbe(arg: string, name: string, n: number, cacheDir?: string): Promise<ProbeSet> {
  const deskew = name.endsWith('-deskewed')
  const source = deskew ? name.slice(0, -'-deskewed'.length) : name
  const data = await loadDataset({ source: source as 'mnist' | 'fashion-mnist', deskew }, { cacheDir, shared: false })
  const t = data.test
  const P = take(arg, t.count, n, `the ${name} test set`)
  const values = t.rows * t.cols
  const inputs = sharedFloats(P * values)
  inputs.set(t.pixels.subarray(0, P * values))
  return {
    id: `${name}:test[0:${P}]`,
    count: P,
    shape: [t.rows, t.cols],
    inputs,
    labels: Int32Array.from(t.labels.subarray(0, P)),
    classes: t.classes,
  }
}

function idxProbe(arg: string, imagesPath: string, labelsPath: string, n: number | null): ProbeSet {
  const images = readImages(imagesPath)
  const labels = readLabels(labelsPath, 256)
  checkPair(imagesPath, images.count, labelsPath, labels.length)
  const P = take(arg, images.count, n, imagesPath)
  const values = images.rows * images.cols
  const inputs = sharedFloats(P * values)
  for (let i = 0; i < P * values; i++) inputs[i] = images.pixels[i]! / 255
  return {
    id: `idx:${path.basename(imagesPath)}[0:${P}]`,
    count: P,
    shape: [images.rows, images.cols],
    inputs,
    labels: Int32Array.from(labels.subarray(0, P)),
    classes: null,
  }
}

async function arrayProbe(
  arg: string,
  files: { npz: string } | { inputs: string; labels: string },
  n: number | null,
): Promise<ProbeSet> {
  const a = await readProbeArrays(files)
  const P = take(arg, a.count, n, a.what)
  const values = a.shape.reduce((x, y) => x * y, 1)
  const inputs = sharedFloats(P * values)
  inputs.set(a.inputs.subarray(0, P * values))
  const name = 'npz' in files ? path.basename(files.npz) : path.basename(files.inputs)
  return {
    id: `${'npz' in files ? 'npz' : 'npy'}:${name}[0:${P}]`,
    count: P,
    shape: a.shape,
    inputs,
    labels: a.labels.slice(0, P),
    classes: null,
  }
}
