/**
 * The job pool: heavy requests (derived metrics, embeddings, analyses, figure rendering)
 * run in a few long-lived worker threads, so the host's event loop only reads requests,
 * forwards progress and writes replies. Interactive jobs (what the user waits for) go
 * ahead of background jobs (precomputation), and background jobs never take the last
 * free thread. A job is cancelled by its AbortSignal: queued, it is dropped; running, its
 * thread is stopped (tasks write nothing but atomic cache files, so nothing is left
 * half-written) and a fresh one takes its place when needed.
 */
import type { Worker } from 'node:worker_threads'
import { ApiError } from '../../shared/api/errors'
import { defaultWorkerCount } from '../engine/pool'
import { startWorker } from '../engine/start-worker'
import type { ErrorContext } from '../errors'
import type { JobReply, JobRequest } from './protocol'
import type { JobProgress, TaskArgs, TaskName, TaskResult } from './tasks'

export type JobPriority = 'interactive' | 'background'

export interface JobOptions {
  priority?: JobPriority
  signal?: AbortSignal
  onProgress?: (p: JobProgress) => void
  /** The request the job serves, for its error messages. */
  context?: ErrorContext
}

interface Job {
  id: number
  task: TaskName
  args: unknown
  opts: JobOptions
  resolve(v: unknown): void
  reject(e: Error): void
  onAbort?: () => void
}

interface Slot {
  worker: Worker
  job: Job | null
}

const spawn = (): Worker => startWorker({ from: import.meta.url, source: './worker.ts', built: 'job-worker.js' }, {})

export class JobPool {
  private slots: Slot[] = []
  private queue: Job[] = []
  private next = 1
  private closed = false

  /** size: threads at most (default: one per core). */
  constructor(readonly size = defaultWorkerCount()) {}

  /** Jobs running and waiting (for tests and diagnostics). */
  get load(): { running: number; queued: number; threads: number } {
    return { running: this.slots.filter((s) => s.job).length, queued: this.queue.length, threads: this.slots.length }
  }

  run<N extends TaskName>(task: N, args: TaskArgs<N>, opts: JobOptions = {}): Promise<TaskResult<N>> {
    const request = opts.context?.request || task
    if (this.closed) return Promise.reject(cancelled(request, 'sgdscope is shutting down'))
    if (opts.signal?.aborted) return Promise.reject(cancelled(request))
    return new Promise<TaskResult<N>>((resolve, reject) => {
      const job: Job = { id: this.next++, task, args, opts, resolve: resolve as (v: unknown) => void, reject }
      if (opts.signal) {
        job.onAbort = () => this.cancel(job, cancelled(request))
        opts.signal.addEventListener('abort', job.onAbort, { once: true })
      }
      this.queue.push(job)
      this.dispatch()
    })
  }

  /** Starts the threads before they are needed (a thread loads every task's modules first). */
  warm(): void {
    if (this.closed) return
    while (this.slots.length < this.size) {
      const slot: Slot = { worker: spawn(), job: null }
      this.watch(slot)
      slot.worker.unref()
      this.slots.push(slot)
    }
  }

  /** Stops every thread; jobs still running or waiting end `cancelled`. */
  async close(): Promise<void> {
    this.closed = true
    const jobs = [...this.queue, ...this.slots.flatMap((s) => (s.job ? [s.job] : []))]
    this.queue = []
    const workers = this.slots.map((s) => s.worker)
    this.slots = []
    for (const j of jobs)
      this.settle(j, () => j.reject(cancelled(j.opts.context?.request || j.task, 'sgdscope is shutting down')))
    await Promise.all(workers.map((w) => w.terminate()))
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const running = this.slots.filter((s) => s.job)
      const free = this.size - running.length
      if (free <= 0) return
      // Interactive work first; background work leaves one thread free for it.
      let i = this.queue.findIndex((j) => (j.opts.priority ?? 'interactive') === 'interactive')
      if (i < 0) {
        const background = running.filter((s) => s.job!.opts.priority === 'background').length
        if (background >= Math.max(1, this.size - 1)) return
        i = 0
      }
      const [job] = this.queue.splice(i, 1)
      this.start(job)
    }
  }

  private start(job: Job): void {
    let slot = this.slots.find((s) => !s.job)
    if (!slot) {
      slot = { worker: spawn(), job: null }
      this.watch(slot)
      this.slots.push(slot)
    }
    slot.job = job
    slot.worker.ref()
    const message: JobRequest = { id: job.id, task: job.task, args: job.args, context: job.opts.context ?? {} }
    slot.worker.postMessage(message)
  }

  private watch(slot: Slot): void {
    slot.worker.on('message', (m: JobReply) => {
      const job = slot.job
      if (!job || m.id !== job.id) return
      if (m.type === 'progress') {
        job.opts.onProgress?.(m.progress)
        return
      }
      slot.job = null
      slot.worker.unref()
      this.settle(job, () => (m.type === 'result' ? job.resolve(m.result) : job.reject(ApiError.from(m.error))))
      this.dispatch()
    })
    const lost = (why: string) => {
      this.slots = this.slots.filter((s) => s !== slot)
      const job = slot.job
      slot.job = null
      if (job) this.settle(job, () => job.reject(new ApiError('internal', `${job.task}: the job's thread ${why}`, {})))
      if (!this.closed) this.dispatch()
    }
    slot.worker.on('error', (e) => lost(`failed: ${e.message}`))
    slot.worker.on('exit', (code) => {
      if (this.slots.includes(slot)) lost(`exited unexpectedly (code ${code})`)
    })
  }

  private cancel(job: Job, error: ApiError): void {
    const queued = this.queue.indexOf(job)
    if (queued >= 0) this.queue.splice(queued, 1)
    const slot = this.slots.find((s) => s.job === job)
    if (slot) {
      // A synchronous loop cannot be interrupted from outside: stop the thread.
      this.slots = this.slots.filter((s) => s !== slot)
      slot.job = null
      void slot.worker.terminate()
    }
    this.settle(job, () => job.reject(error))
    this.dispatch()
  }

  private settle(job: Job, how: () => void): void {
    if (job.onAbort) job.opts.signal?.removeEventListener('abort', job.onAbort)
    job.onAbort = undefined
    how()
  }
}

function cancelled(request: string, why = 'cancelled'): ApiError<'cancelled'> {
  return new ApiError('cancelled', `${request}: ${why}`, { request })
}
