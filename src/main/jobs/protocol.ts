/** Messages between the job pool (pool.ts) and its worker threads (worker.ts). */
import type { ApiErrorShape } from '../../shared/api/errors'
import type { ErrorContext } from '../errors'
import type { JobProgress } from './tasks'

export interface JobRequest {
  id: number
  task: string
  args: unknown
  /** How the worker names the request in an error it reports. */
  context: ErrorContext
}

export type JobReply =
  | { id: number; type: 'progress'; progress: JobProgress }
  | { id: number; type: 'result'; result: unknown }
  | { id: number; type: 'error'; error: ApiErrorShape }
