/**
 * What goes wrong evaluating checkpoints, one class per case, in a module of its own so
 * that the service's error mapping (src/main/errors.ts) can tell them apart without
 * loading onnxruntime or the worker pool.
 */

/** A checkpoint folder or pattern that cannot be used, or checkpoints that do not make a
 * run; `field` is the argument at fault (the folder `dir`, or `pattern`). */
export class CheckpointError extends Error {
  override name = 'CheckpointError'
  constructor(
    message: string,
    readonly field: 'dir' | 'pattern' = 'dir',
  ) {
    super(message)
  }
}

/** A checkpoint file that cannot be read, loaded or run; `file` is its path. */
export class CheckpointFileError extends Error {
  override name = 'CheckpointFileError'
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message)
  }
}

/** A model whose input does not take the probe items (the probe set is the argument at fault). */
export class ModelShapeError extends Error {
  override name = 'ModelShapeError'
}

/** The evaluation was stopped by its signal; no run was written. */
export class CancelledError extends Error {
  override name = 'CancelledError'
  constructor() {
    super('checkpoint evaluation cancelled')
  }
}
