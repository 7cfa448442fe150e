/**
 * Starts a worker thread from either layout: built, the worker is a bundle beside the
 * caller's bundle (out/main); from the TypeScript sources it goes through the tsx bootstrap.
 */
import { Worker, type TransferListItem } from 'node:worker_threads'

export interface WorkerEntry {
  /** The caller's `import.meta.url`: both paths below are relative to it. */
  from: string
  /** The worker's TypeScript source, e.g. './worker.ts'. */
  source: string
  /** The built worker's file name, e.g. 'worker.js' (never a literal in new URL(): the bundler would
   * treat it as an asset). */
  built: string
}

export function startWorker(entry: WorkerEntry, workerData: object, transferList?: TransferListItem[]): Worker {
  if (entry.from.endsWith('.ts')) {
    const __entry = new URL(entry.source, entry.from).href
    return new Worker(new URL('./dev-worker.mjs', import.meta.url), {
      workerData: { ...workerData, __entry },
      transferList,
    })
  }
  return new Worker(new URL(entry.built, entry.from), { workerData, transferList })
}
