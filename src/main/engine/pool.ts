/**
 * Worker threads for training. Each worker gets a share of the networks; the
 * dataset is passed as SharedArrayBuffer-backed arrays, so it is shared, not copied.
 */
import { Worker } from 'node:worker_threads'
import * as os from 'node:os'
import type { WorkerInput, WorkerMessage } from './protocol'
import { startWorker } from './start-worker'

export function defaultWorkerCount(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length
}

const spawn = (input: WorkerInput): Worker =>
  startWorker({ from: import.meta.url, source: './worker.ts', built: 'worker.js' }, input)

/** Splits nets round-robin over at most `workers` workers (never more than nets). */
export function shareNets<T>(items: T[], workers: number): T[][] {
  const w = Math.max(1, Math.min(workers, items.length))
  const shares: T[][] = Array.from({ length: w }, () => [])
  items.forEach((it, i) => shares[i % w].push(it))
  return shares.filter((s) => s.length > 0)
}

/**
 * Runs one worker per input and forwards their messages. Resolves when all have
 * finished; rejects on the first worker error (after stopping the others).
 */
export async function runWorkers(
  inputs: WorkerInput[],
  onMessage: (m: WorkerMessage) => void,
): Promise<{ cancelled: boolean }> {
  const workers = inputs.map(spawn)
  let cancelled = false
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            let finished = false
            w.on('message', (m: WorkerMessage) => {
              if (m.type === 'finished') {
                finished = true
                cancelled ||= m.cancelled
                resolve()
              } else if (m.type === 'error') {
                reject(new Error(`training worker failed: ${m.message}`))
              } else {
                try {
                  onMessage(m)
                } catch (e) {
                  reject(e)
                }
              }
            })
            w.on('error', (e) => reject(new Error(`training worker crashed: ${e.message}`)))
            w.on('exit', (code) => {
              if (!finished) reject(new Error(`training worker exited unexpectedly (code ${code})`))
            })
          }),
      ),
    )
  } finally {
    // A failed worker leaves others running: stop them all.
    for (const i of inputs) Atomics.store(i.cancel, 0, 1)
    await Promise.all(workers.map((w) => w.terminate()))
  }
  return { cancelled }
}
