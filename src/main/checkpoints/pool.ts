/**
 * Worker threads for checkpoint evaluation: one per core (never more than there are
 * checkpoints), each taking the next checkpoint as soon as it has finished one. The
 * probe inputs are shared with every worker through a SharedArrayBuffer.
 */
import { Worker } from 'node:worker_threads'
import { defaultWorkerCount } from '../engine/pool'
import type { CheckpointWorkerInput, CheckpointWorkerMessage, EvaluateTask } from './protocol'

export interface EvaluatedCheckpoint {
  index: number
  outputs: Float32Array
  outputShape: number[]
  inputName: string
  outputName: string
  modelInput: (number | string)[]
  runtime: string
}

export class CancelledError extends Error {
  override name = 'CancelledError'
  constructor() {
    super('checkpoint evaluation cancelled')
  }
}

/** The built worker sits beside the built bundle (out/main); from the TypeScript sources it
 * is started through the engine's tsx bootstrap. */
function spawn(input: CheckpointWorkerInput): Worker {
  const here = import.meta.url
  if (here.endsWith('.ts')) {
    const entry = new URL('./worker.ts', here).href
    return new Worker(new URL('../engine/dev-worker.mjs', here), { workerData: { ...input, __entry: entry } })
  }
  const built = 'checkpoint-worker.js' // not a literal in new URL(): the bundler must not treat it as an asset
  return new Worker(new URL(built, here), { workerData: input })
}

export interface PoolOptions {
  workers?: number
  signal?: AbortSignal
}

/**
 * Evaluates every file; `onResult` is called once per file as it finishes (in
 * completion order) and may be async: the next result waits for it. Rejects on the
 * first failed checkpoint, or with CancelledError when the signal fires; either way
 * every worker is terminated before the promise settles.
 */
export async function evaluateFiles(
  files: string[],
  probe: CheckpointWorkerInput,
  onResult: (r: EvaluatedCheckpoint) => void | Promise<void>,
  opts: PoolOptions = {},
): Promise<void> {
  if (files.length === 0) return
  if (opts.signal?.aborted) throw new CancelledError()
  const count = Math.max(1, Math.min(opts.workers || defaultWorkerCount(), files.length))
  const workers: Worker[] = []
  let next = 0
  let finished = 0
  // Results are handed on one at a time, in order of arrival.
  let chain: Promise<void> = Promise.resolve()
  let fail!: (e: Error) => void
  let succeed!: () => void
  const done = new Promise<void>((resolve, reject) => {
    succeed = resolve
    fail = reject
  })
  let settled = false
  const stop = (e: Error) => {
    if (settled) return
    settled = true
    fail(e)
  }
  const onAbort = () => stop(new CancelledError())
  opts.signal?.addEventListener('abort', onAbort)
  const give = (w: Worker) => {
    if (settled || next >= files.length) return
    const task: EvaluateTask = { type: 'evaluate', index: next, file: files[next]! }
    next++
    w.postMessage(task)
  }
  try {
    for (let i = 0; i < count; i++) {
      const w = spawn(probe)
      workers.push(w)
      w.on('message', (m: CheckpointWorkerMessage) => {
        if (settled) return
        if (m.type === 'ready') give(w)
        else if (m.type === 'result') {
          give(w)
          const { type: _t, ...r } = m
          chain = chain.then(async () => {
            if (settled) return
            await onResult(r)
            if (++finished === files.length) {
              settled = true
              succeed()
            }
          })
          chain.catch((e: Error) => stop(e))
        } else if (m.type === 'failed') stop(new Error(m.message))
        else stop(new Error(`checkpoint worker failed: ${m.message}`))
      })
      w.on('error', (e) => stop(new Error(`checkpoint worker crashed: ${e.message}`)))
      w.on('exit', (code) => {
        if (!settled) stop(new Error(`checkpoint worker exited unexpectedly (code ${code})`))
      })
    }
    await done
  } finally {
    opts.signal?.removeEventListener('abort', onAbort)
    settled = true
    await Promise.all(workers.map((w) => w.terminate()))
    // A result being written when the evaluation stopped finishes before we return.
    await chain.catch(() => {})
  }
}
