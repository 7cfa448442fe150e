/**
 * Training worker thread: trains its networks snapshot by snapshot, in lockstep, and
 * posts each (network, snapshot) as it is observed. The coordinator writes them.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { runNets } from './run-nets'
import type { WorkerInput, WorkerMessage } from './protocol'

const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(m, transfer)
const send = (m: WorkerMessage) =>
  m.type === 'snapshot'
    ? post(m, [m.tau.buffer as ArrayBuffer, m.metrics.buffer as ArrayBuffer, m.state.buffer as ArrayBuffer])
    : post(m)

try {
  const input = workerData as WorkerInput
  const cancelled =
    input.engine === 'tfjs'
      ? (await (await import('./tfjs/engine')).runTfjs(input, send, { backend: input.backend ?? 'wasm' })).cancelled
      : runNets(input, send)
  post({ type: 'finished', cancelled })
} catch (e) {
  const err = e as Error
  post({ type: 'error', message: err.message ?? String(e), stack: err.stack })
}
