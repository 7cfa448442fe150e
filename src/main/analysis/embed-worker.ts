/** Worker thread for one embedding job (see embed-job.ts). */
import { parentPort, workerData } from 'node:worker_threads'
import { computeEmbedding, runStartsInWorker, type EmbedJob } from './embed-job'

const data = workerData as { job?: EmbedJob; starts?: Parameters<typeof runStartsInWorker>[0] }
try {
  if (data.starts) {
    // Some SMACOF starts of a multi-start embedding (smacofStartsParallel).
    runStartsInWorker(data.starts, (m, transfer) => parentPort!.postMessage(m, transfer ?? []))
  } else {
    const job = data.job!
    const result = await computeEmbedding(job, (progress) => parentPort!.postMessage({ type: 'progress', progress }))
    parentPort!.postMessage({ type: 'result', result }, [result.coords.buffer as ArrayBuffer])
  }
} catch (e) {
  parentPort!.postMessage({ type: 'error', message: (e as Error).message ?? String(e) })
}
