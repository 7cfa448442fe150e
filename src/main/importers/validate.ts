/**
 * Turns the arrays of a file into one validated run in memory: every shape, dtype and
 * value is checked before anything is written, and each problem is reported with the
 * file, the array, its shape and the shape expected.
 *
 *   outputs       [nets, snapshots, probe, classes]   (or [nets, snapshots, probe]: values)
 *   epochs        [snapshots]                          strictly increasing
 *   labels        [probe]                              integers, −1 where unknown
 *   metrics/NAME  [nets, snapshots]                    NaN = not recorded
 *   weights       [nets, snapshots, params]            optional
 *   probe_inputs  [probe, ...]                         optional
 */
import { elementCount, shapeText, unravel, type ArrayInfo, type NdArray, type Numbers } from './ndarray'
import { ImportError, throwIfAborted, type ArraySource, type ReadProgress } from './source'

export type OutputsKind = 'probabilities' | 'logits' | 'values'
export const OUTPUTS_KINDS: readonly OutputsKind[] = ['probabilities', 'logits', 'values']

/** Rows within this of summing to 1 (and non-negative) are read as probabilities. */
export const PROBABILITY_TOLERANCE = 1e-3

export interface ReadRunOptions {
  outputs?: OutputsKind
  /** Labels and epochs given separately (a bare .npy has only outputs). */
  labels?: NdArray
  epochs?: NdArray
  signal?: AbortSignal
  onProgress?: (p: ReadProgress) => void
}

export interface ImportedRun {
  file: string
  format: string
  nets: number
  snapshots: number
  probe: number
  /** null for `values`. */
  classes: number | null
  outputs: OutputsKind
  /** How `outputs` was decided: given, or guessed from the rows (and why). */
  outputsReason: string
  /** τ's per-point shape ([probe, classes] or [probe, outputs]). */
  pointShape: number[]
  /** The outputs as read, [nets, snapshots, ...pointShape] in C order (the writer applies the softmax to logits). */
  raw: Numbers
  epochs: Float64Array
  labels: Int32Array
  metricNames: string[]
  /** Each metric [nets, snapshots], NaN where not recorded. */
  metrics: Record<string, Numbers>
  weights?: { paramCount: number; values: Float32Array }
  probeInputs?: { shape: number[]; values: Float32Array }
  /** Arrays in the file that the import does not use. */
  ignored: string[]
}

const KNOWN = new Set(['outputs', 'epochs', 'labels', 'weights', 'probe_inputs'])

export async function readRun(source: ArraySource, opts: ReadRunOptions = {}): Promise<ImportedRun> {
  const file = source.file
  const names = source.names()
  const fail = (msg: string): never => {
    throw new ImportError(`${file}: ${msg}`)
  }
  const has = (n: string) => names.includes(n)
  const found = () => (names.length ? names.join(', ') : 'no arrays at all')

  // ---- Shapes first, from the headers: nothing is read until they all agree.
  if (!has('outputs'))
    fail(
      `no array "outputs" (expected outputs[nets, snapshots, probe, classes]); the ${source.format} file has: ${found()}`,
    )
  const out = source.info('outputs')
  if (out.shape.length !== 3 && out.shape.length !== 4)
    fail(
      `array "outputs" has shape ${shapeText(out.shape)}, expected [nets, snapshots, probe, classes] (or [nets, snapshots, probe] for values)`,
    )
  if (out.shape.some((d) => d === 0)) fail(`array "outputs" has shape ${shapeText(out.shape)}, with an empty axis`)
  const [nets, snapshots, probe] = out.shape
  const width = out.shape.length === 4 ? out.shape[3] : 1
  if (out.shape.length === 3 && opts.outputs && opts.outputs !== 'values')
    fail(
      `array "outputs" has shape ${shapeText(out.shape)} (one value per probe item), but --outputs ${opts.outputs} needs [nets, snapshots, probe, classes]`,
    )
  const dims: Record<string, number> = { nets, snapshots, probe }
  const from = `outputs is ${shapeText(out.shape)}`
  const expect = (name: string, info: ArrayInfo, want: (string | number)[]) => {
    const numbers = want.map((w) => (typeof w === 'number' ? w : dims[w]))
    const symbolic = want.map((w) => (typeof w === 'number' ? String(w) : w))
    const ok = info.shape.length === want.length && info.shape.every((d, i) => d === numbers[i])
    if (!ok)
      fail(
        `array "${name}" has shape ${shapeText(info.shape)}, expected ${shapeText(symbolic)} = ${shapeText(numbers)} (${from})`,
      )
  }
  const numeric = (name: string, info: ArrayInfo) => {
    if (!['float', 'int', 'uint'].includes(info.dtype.kind))
      fail(
        `array "${name}" ${shapeText(info.shape)} has dtype ${info.dtype.name}, expected a real number type (float32, float64, float16 or an integer type)`,
      )
  }
  numeric('outputs', out)

  const epochsInfo = opts.epochs ?? (has('epochs') ? source.info('epochs') : null)
  if (!epochsInfo)
    fail(
      source.format === 'NumPy .npy'
        ? `a bare .npy file holds only the outputs; give the snapshots' epochs with --epochs (e.g. --epochs 0,1,2,5, --epochs 0:${snapshots - 1} or --epochs epochs.npy) and the probe labels with --labels labels.npy`
        : `no array "epochs" (expected epochs[snapshots] = [${snapshots}], ${from}); the ${source.format} file has: ${found()}`,
    )
  expect('epochs', epochsInfo!, ['snapshots'])
  numeric('epochs', epochsInfo!)

  const labelsInfo = opts.labels ?? (has('labels') ? source.info('labels') : null)
  if (!labelsInfo)
    fail(
      source.format === 'NumPy .npy'
        ? `a bare .npy file holds only the outputs; give the probe labels with --labels labels.npy (an integer array [${probe}], −1 where unknown)`
        : `no array "labels" (expected labels[probe] = [${probe}], ${from}; −1 where unknown); the ${source.format} file has: ${found()}`,
    )
  expect('labels', labelsInfo!, ['probe'])
  numeric('labels', labelsInfo!)

  const metricNames = names.filter((n) => n.startsWith('metrics/')).map((n) => n.slice('metrics/'.length))
  for (const m of metricNames) {
    const info = source.info(`metrics/${m}`)
    expect(`metrics/${m}`, info, ['nets', 'snapshots'])
    numeric(`metrics/${m}`, info)
  }
  const weightsInfo = has('weights') ? source.info('weights') : null
  if (weightsInfo) {
    if (
      weightsInfo.shape.length !== 3 ||
      weightsInfo.shape[0] !== nets ||
      weightsInfo.shape[1] !== snapshots ||
      weightsInfo.shape[2] === 0
    )
      fail(
        `array "weights" has shape ${shapeText(weightsInfo.shape)}, expected [nets, snapshots, params] = [${nets}, ${snapshots}, params] (${from})`,
      )
    numeric('weights', weightsInfo)
  }
  const inputsInfo = has('probe_inputs') ? source.info('probe_inputs') : null
  if (inputsInfo) {
    if (inputsInfo.shape.length < 1 || inputsInfo.shape[0] !== probe)
      fail(
        `array "probe_inputs" has shape ${shapeText(inputsInfo.shape)}, expected [probe, ...] = [${probe}, ...] (${from})`,
      )
    numeric('probe_inputs', inputsInfo)
  }
  const ignored = names.filter((n) => !KNOWN.has(n) && !n.startsWith('metrics/'))

  // ---- Then the data, with progress over every byte to read.
  const toRead: [string, ArrayInfo][] = [['outputs', out]]
  if (!opts.epochs) toRead.push(['epochs', epochsInfo!])
  if (!opts.labels) toRead.push(['labels', labelsInfo!])
  for (const m of metricNames) toRead.push([`metrics/${m}`, source.info(`metrics/${m}`)])
  if (weightsInfo) toRead.push(['weights', weightsInfo])
  if (inputsInfo) toRead.push(['probe_inputs', inputsInfo])
  const total = toRead.reduce((s, [, i]) => s + elementCount(i.shape) * i.dtype.size, 0)
  let before = 0
  const data = new Map<string, NdArray>()
  for (const [name, info] of toRead) {
    throwIfAborted(opts.signal)
    const bytes = elementCount(info.shape) * info.dtype.size
    const report = (f: number) => opts.onProgress?.({ stage: `reading ${name}`, done: before + f * bytes, total })
    report(0)
    data.set(name, await source.read(name, { signal: opts.signal, onFraction: report }))
    before += bytes
    report(0)
  }
  throwIfAborted(opts.signal)

  // ---- Values.
  const outputs = data.get('outputs')!
  requireFinite(file, 'outputs', outputs)
  const epochsArr = opts.epochs ?? data.get('epochs')!
  requireFinite(file, 'epochs', epochsArr)
  const epochs = Float64Array.from(epochsArr.data)
  for (let j = 1; j < epochs.length; j++)
    if (!(epochs[j] > epochs[j - 1]))
      fail(
        `array "epochs" ${shapeText(epochsArr.shape)} is not strictly increasing: epochs[${j - 1}] = ${epochs[j - 1]}, epochs[${j}] = ${epochs[j]}`,
      )
  if (epochs[0] < 0) fail(`array "epochs" ${shapeText(epochsArr.shape)} starts at ${epochs[0]}; epochs must be ≥ 0`)

  const { kind, reason } = decideOutputs(file, outputs, width, opts.outputs)
  const classes = kind === 'values' ? null : width
  const labelsArr = opts.labels ?? data.get('labels')!
  const labels = new Int32Array(probe)
  for (let i = 0; i < probe; i++) {
    const v = labelsArr.data[i]
    if (!Number.isInteger(v))
      fail(
        `array "labels" ${shapeText(labelsArr.shape)} has ${v} at [${i}]; labels must be whole numbers (−1 where unknown)`,
      )
    if (v < -1 || (classes !== null && v >= classes))
      fail(
        `array "labels" ${shapeText(labelsArr.shape)} has ${v} at [${i}]; labels must be −1 (unknown) or a class 0…${classes !== null ? classes - 1 : '∞'} (outputs has ${width} classes)`,
      )
    labels[i] = v
  }

  const metrics: Record<string, Numbers> = {}
  for (const m of metricNames) {
    const a = data.get(`metrics/${m}`)!
    const inf = a.data.findIndex((v) => v === Infinity || v === -Infinity)
    if (inf >= 0)
      fail(
        `array "metrics/${m}" ${shapeText(a.shape)} has ${a.data[inf]} at ${shapeText(unravel(inf, a.shape))}; metrics must be finite (NaN where not recorded)`,
      )
    metrics[m] = a.data
  }

  let weights: ImportedRun['weights']
  if (weightsInfo) {
    const w = data.get('weights')!
    requireFinite(file, 'weights', w)
    weights = { paramCount: weightsInfo.shape[2], values: toFloat32(file, 'weights', w) }
  }
  let probeInputs: ImportedRun['probeInputs']
  if (inputsInfo) {
    const x = data.get('probe_inputs')!
    requireFinite(file, 'probe_inputs', x)
    probeInputs = { shape: x.shape, values: toFloat32(file, 'probe_inputs', x) }
  }
  if (kind !== 'logits') toFloat32(file, 'outputs', outputs) // probabilities and values are stored as float32: they must fit
  return {
    file,
    format: source.format,
    nets,
    snapshots,
    probe,
    classes,
    outputs: kind,
    outputsReason: reason,
    pointShape: [probe, width],
    raw: outputs.data,
    epochs,
    labels,
    metricNames,
    metrics,
    weights,
    probeInputs,
    ignored,
  }
}

/** Fails on the first NaN or ±inf, naming where it is and how many there are. */
export function requireFinite(file: string, name: string, a: NdArray): void {
  let first = -1
  let count = 0
  for (let i = 0; i < a.data.length; i++) {
    if (!Number.isFinite(a.data[i])) {
      if (first < 0) first = i
      count++
    }
  }
  if (first >= 0)
    throw new ImportError(
      `${file}: array "${name}" ${shapeText(a.shape)} has ${a.data[first]} at ${shapeText(unravel(first, a.shape))}` +
        `${count > 1 ? ` (${count} values are not finite)` : ''}; ${name} must be finite`,
    )
}

/** float32 copy; a value beyond float32's range is an error, not an infinity. */
function toFloat32(file: string, name: string, a: NdArray): Float32Array {
  const out = a.data instanceof Float32Array ? a.data : Float32Array.from(a.data)
  if (!(a.data instanceof Float32Array))
    for (let i = 0; i < out.length; i++)
      if (!Number.isFinite(out[i]))
        throw new ImportError(
          `${file}: array "${name}" ${shapeText(a.shape)} has ${a.data[i]} at ${shapeText(unravel(i, a.shape))}, beyond float32's range`,
        )
  return out
}

/** The first row (as an index into rows) that is not a probability vector, or −1. */
function firstNonProbabilityRow(x: Numbers, width: number): { row: number; sum: number; min: number } | null {
  for (let r = 0; r < x.length; r += width) {
    let sum = 0
    let min = Infinity
    for (let c = 0; c < width; c++) {
      sum += x[r + c]
      min = Math.min(min, x[r + c])
    }
    if (min < -PROBABILITY_TOLERANCE || Math.abs(sum - 1) > PROBABILITY_TOLERANCE) return { row: r / width, sum, min }
  }
  return null
}

function decideOutputs(
  file: string,
  outputs: NdArray,
  width: number,
  given?: OutputsKind,
): { kind: OutputsKind; reason: string } {
  if (outputs.shape.length === 3) return { kind: 'values', reason: 'one value per probe item: values' }
  if (given === 'probabilities') {
    const bad = firstNonProbabilityRow(outputs.data, width)
    if (bad) {
      const at = unravel(bad.row, outputs.shape.slice(0, 3)).join(', ')
      const what = bad.min < -PROBABILITY_TOLERANCE ? `has a negative entry (${bad.min})` : `sums to ${bad.sum}`
      throw new ImportError(
        `${file}: array "outputs" ${shapeText(outputs.shape)}: row [${at}, :] ${what}; --outputs probabilities needs every row to be non-negative and sum to 1 (within ${PROBABILITY_TOLERANCE}); give --outputs logits if these are logits`,
      )
    }
    return { kind: 'probabilities', reason: 'given' }
  }
  if (given) return { kind: given, reason: 'given' }
  if (width === 1) return { kind: 'values', reason: 'guessed: one output per probe item, so values' }
  const bad = firstNonProbabilityRow(outputs.data, width)
  if (!bad)
    return {
      kind: 'probabilities',
      reason: `guessed: every row is non-negative and sums to 1 within ${PROBABILITY_TOLERANCE}`,
    }
  const at = unravel(bad.row, outputs.shape.slice(0, 3)).join(', ')
  return {
    kind: 'logits',
    reason: `guessed: row [${at}, :] ${bad.min < -PROBABILITY_TOLERANCE ? `has a negative entry` : `sums to ${bad.sum.toPrecision(4)}`}, so not probabilities`,
  }
}
