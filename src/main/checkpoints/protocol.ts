/** Messages between the checkpoint evaluator and its worker threads. */

export interface CheckpointWorkerInput {
  /** The probe inputs, P items of `probeShape`, row-major (SharedArrayBuffer-backed: shared, not copied). */
  inputs: Float32Array
  count: number
  probeShape: number[]
  /** Items per model call when the model accepts any batch size. */
  batch: number
}

/** coordinator → worker: evaluate one checkpoint file. */
export interface EvaluateTask {
  type: 'evaluate'
  index: number
  /** Absolute path of the .onnx file. */
  file: string
}

export type CheckpointWorkerMessage =
  | { type: 'ready' }
  | {
      type: 'result'
      index: number
      /** [count, ...outputShape], row-major. */
      outputs: Float32Array
      outputShape: number[]
      inputName: string
      outputName: string
      /** The model's input shape as its metadata says (symbolic axes as names). */
      modelInput: (number | string)[]
      runtime: string
    }
  | { type: 'failed'; index: number; message: string }
  | { type: 'error'; message: string; stack?: string }
