/**
 * A job-pool worker thread (see pool.ts): runs one task at a time, as the pool sends them,
 * and answers with its result or its error as an ApiError's plain data (an Error's class
 * does not survive postMessage, and the error code depends on it).
 */
import { parentPort } from 'node:worker_threads'
import { toApiError } from '../errors'
import { TASKS, type JobProgress, type TaskName } from './tasks'
import type { JobReply, JobRequest } from './protocol'

const port = parentPort!
/** At most ten progress messages a second, and every change of stage. */
const PROGRESS_INTERVAL_MS = 100

port.on('message', (m: JobRequest) => void run(m))

async function run(m: JobRequest): Promise<void> {
  let last = { stage: '', at: 0 }
  const progress = (p: JobProgress) => {
    const now = Date.now()
    if (p.stage === last.stage && now - last.at < PROGRESS_INTERVAL_MS && p.done < p.total) return
    last = { stage: p.stage, at: now }
    port.postMessage({ id: m.id, type: 'progress', progress: p } satisfies JobReply)
  }
  try {
    const task = TASKS[m.task as TaskName] as (args: unknown, ctx: { progress: typeof progress }) => Promise<unknown>
    if (!task) throw new Error(`unknown job ${JSON.stringify(m.task)}`)
    const result = await task(m.args, { progress })
    port.postMessage({ id: m.id, type: 'result', result } satisfies JobReply)
  } catch (e) {
    const error = toApiError(e, m.context).toJSON()
    port.postMessage({ id: m.id, type: 'error', error } satisfies JobReply)
  }
}
