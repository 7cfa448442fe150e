/**
 * One ONNX checkpoint run on the probe set with onnxruntime-web's WebAssembly backend
 * (single-threaded: the evaluator runs one worker thread per core instead).
 */
import { fs } from '../archive/file-pool'
import * as ort from 'onnxruntime-web'
import { CheckpointFileError } from './errors'
import { batches, planInput } from './shape'

ort.env.wasm.numThreads = 1
ort.env.wasm.proxy = false
ort.env.logLevel = 'error'

export { CheckpointFileError }

export interface ProbeView {
  inputs: Float32Array
  count: number
  probeShape: number[]
  batch: number
}

export interface ModelOutputs {
  /** [count, ...outputShape], row-major. */
  outputs: Float32Array
  outputShape: number[]
  inputName: string
  outputName: string
  /** The model's input shape as its metadata says (symbolic axes as names). */
  modelInput: (number | string)[]
  /** onnxruntime-web's version, recorded in the run. */
  runtime: string
}

const product = (a: readonly number[]) => a.reduce((x, y) => x * y, 1)

/** Loads `file` and evaluates it on every probe item, in batches. Errors name the file. */
export async function evaluateModel(file: string, probe: ProbeView): Promise<ModelOutputs> {
  let bytes: Uint8Array
  try {
    bytes = await fs.readFile(file)
  } catch (e) {
    throw new CheckpointFileError(`${file}: cannot read: ${(e as Error).message}`, file)
  }
  let session: ort.InferenceSession
  try {
    session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' })
  } catch (e) {
    const why = (e as Error).message.replace(/^Can't create a session\. /, '')
    throw new CheckpointFileError(`${file} is not a loadable ONNX model (${bytes.length} bytes): ${why}`, file)
  }
  try {
    return await run(file, session, probe)
  } finally {
    await session.release()
  }
}

async function run(file: string, session: ort.InferenceSession, probe: ProbeView): Promise<ModelOutputs> {
  if (session.inputNames.length !== 1) {
    throw new CheckpointFileError(
      `${file}: the model has ${session.inputNames.length} inputs (${session.inputNames.join(', ')}); ` +
        'checkpoint evaluation feeds one input, the probe items',
      file,
    )
  }
  const inputName = session.inputNames[0]!
  const outputName = session.outputNames[0]!
  const meta = session.inputMetadata[0]!
  if (!meta.isTensor || meta.type !== 'float32') {
    throw new CheckpointFileError(
      `${file}: model input "${inputName}" is ${meta.isTensor ? meta.type : 'not a tensor'}; expected float32`,
      file,
    )
  }
  const modelInput = [...meta.shape]
  const itemValues = product(probe.probeShape)
  let plan
  try {
    plan = planInput(inputName, modelInput, itemValues, probe.probeShape)
  } catch (e) {
    throw new CheckpointFileError(`${file}: ${(e as Error).message}`, file)
  }
  const size = plan.fixedBatch ?? probe.batch
  let outputs: Float32Array | null = null
  let outputShape: number[] = []
  for (const [start, count] of batches(probe.count, size)) {
    // A fixed batch axis gets whole batches: the last one is padded with zeros.
    const n = plan.fixedBatch ?? count
    const data = new Float32Array(n * itemValues)
    data.set(probe.inputs.subarray(start * itemValues, (start + count) * itemValues))
    const feeds = { [inputName]: new ort.Tensor('float32', data, [n, ...plan.itemShape]) }
    const result = await session.run(feeds, [outputName])
    const out = result[outputName]!
    if (out.type !== 'float32')
      throw new CheckpointFileError(`${file}: output "${outputName}" is ${out.type}; expected float32`, file)
    if (out.dims.length < 2 || out.dims[0] !== n) {
      throw new CheckpointFileError(
        `${file}: output "${outputName}" has shape [${out.dims.join(', ')}] for a batch of ${n}; expected [${n}, outputs…]`,
        file,
      )
    }
    const shape = out.dims.slice(1)
    if (!outputs) {
      outputShape = shape
      outputs = new Float32Array(probe.count * product(shape))
    } else if (shape.join() !== outputShape.join()) {
      throw new CheckpointFileError(
        `${file}: output "${outputName}" changed shape between batches ([${outputShape}] then [${shape}])`,
        file,
      )
    }
    const per = product(shape)
    outputs.set((out.data as Float32Array).subarray(0, count * per), start * per)
    out.dispose()
  }
  const runtime = ort.env.versions?.web ?? 'unknown'
  return { outputs: outputs ?? new Float32Array(0), outputShape, inputName, outputName, modelInput, runtime }
}
