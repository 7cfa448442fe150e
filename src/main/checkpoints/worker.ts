/**
 * Checkpoint worker thread: evaluates the checkpoints the coordinator hands it, one at
 * a time, and posts each model's outputs on the probe set (transferred, not copied).
 */
import { parentPort, workerData } from 'node:worker_threads'
import { evaluateModel } from './model'
import type { CheckpointWorkerInput, CheckpointWorkerMessage, EvaluateTask } from './protocol'

const port = parentPort!
const post = (m: CheckpointWorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer)
const input = workerData as CheckpointWorkerInput

// One task at a time: the coordinator sends the next only after this one's reply.
port.on('message', (task: EvaluateTask) => {
  evaluateModel(task.file, input).then(
    (r) => post({ type: 'result', index: task.index, ...r }, [r.outputs.buffer as ArrayBuffer]),
    (e: Error) => post({ type: 'failed', index: task.index, message: e.message ?? String(e) }),
  )
})
post({ type: 'ready' })
