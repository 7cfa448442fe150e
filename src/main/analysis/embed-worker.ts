/** Worker thread for one embedding job (see embed-job.ts). */
import { parentPort, workerData } from 'node:worker_threads'
import { computeEmbedding, type EmbedJob } from './embed-job'

const { job } = workerData as { job: EmbedJob }
try {
  const result = await computeEmbedding(job, (progress) => parentPort!.postMessage({ type: 'progress', progress }))
  parentPort!.postMessage({ type: 'result', result }, [result.coords.buffer as ArrayBuffer])
} catch (e) {
  parentPort!.postMessage({ type: 'error', message: (e as Error).message ?? String(e) })
}
