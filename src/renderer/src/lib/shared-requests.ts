/**
 * Requests several views may wait for at once (an embedding, a run's metrics, an analysis):
 * one request per cache key, its progress shown while it runs, and cancelled in the host
 * when the last view waiting for it gives up (it went away, or asks something else now).
 */
import { markRaw, ref } from 'vue'
import type { CallOptions, JobProgressEvent } from '../../../shared/api/contract'
import { callKey } from '../api/client'
import { api, RequestError } from './api'

/** A line for a job's progress: "Computing distances 3 / 10". */
export function progressLine(p: Pick<JobProgressEvent, 'stage' | 'done' | 'total'>): string {
  const of = p.total > 0 ? ` ${p.done} / ${p.total}` : ''
  switch (p.stage) {
    case 'reading':
      return `Reading snapshots${of}`
    case 'distances':
      return `Computing distances${of}`
    case 'embedding':
      return p.done > 0 ? `Embedding: pass ${p.done} of at most ${p.total}` : 'Embedding…'
    case 'diagnostics':
      return 'Checking neighbourhoods and ranks…'
    case 'pairs':
      return `Measuring pairs${of}`
    case 'frames':
      return `Drawing frames${of}`
    case 'encoding':
      return 'Encoding the animation…'
    default:
      return `${p.stage}${of}`
  }
}

/** A request several views may wait for: it is cancelled when the last of them gives up. */
export interface Shared<T> {
  promise: Promise<T>
  abort: AbortController
  waiting: number
  /** Someone waits without a signal: never cancelled. */
  kept: boolean
  settled: boolean
}

const cancelled = (what: string) => new RequestError('cancelled', `${what}: cancelled`, { request: what })

/** True for the rejection of a request its caller gave up on (nothing to show). */
export function isCancelled(e: unknown): boolean {
  return e instanceof RequestError && e.code === 'cancelled'
}

/** In-flight counting and progress for a store's shared requests. */
export function sharedRequests() {
  const inFlight = ref(0)
  const progress = ref<string | null>(null)

  /**
   * One request per cache key, shared by every view that asks while it runs. A view gives
   * up through its signal (it went away, or asks something else now); when every view
   * waiting for a request has given up, the request is cancelled in the host too.
   */
  function shared<T extends object>(
    cache: Map<string, Shared<T>>,
    key: string,
    fresh: boolean,
    what: string,
    start: (opts: CallOptions) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    if (signal?.aborted) return Promise.reject(cancelled(what))
    let entry = fresh ? undefined : cache.get(key)
    if (!entry) {
      const abort = new AbortController()
      const call = callKey()
      const off = api().on('job.progress', (p) => {
        if (p.key === call) progress.value = progressLine(p)
      })
      inFlight.value++
      const e: Shared<T> = { abort, waiting: 0, kept: false, settled: false, promise: null as never }
      e.promise = start({ signal: abort.signal, key: call })
        .then((r) => markRaw(r))
        .finally(() => {
          off()
          e.settled = true
          if (--inFlight.value === 0) progress.value = null
        })
      e.promise.catch(() => {
        if (cache.get(key) === e) cache.delete(key)
      })
      cache.set(key, e)
      entry = e
    }
    const e = entry
    if (!signal) {
      e.kept = true
      return e.promise
    }
    e.waiting++
    return new Promise<T>((resolve, reject) => {
      let done = false
      const finish = () => {
        done = true
        e.waiting--
        signal.removeEventListener('abort', onAbort)
      }
      const onAbort = () => {
        if (done) return
        finish()
        reject(cancelled(what))
        if (e.waiting === 0 && !e.kept && !e.settled) {
          e.abort.abort()
          if (cache.get(key) === e) cache.delete(key)
        }
      }
      signal.addEventListener('abort', onAbort, { once: true })
      e.promise.then(
        (v) => {
          if (done) return
          finish()
          resolve(v)
        },
        (err: unknown) => {
          if (done) return
          finish()
          reject(err as Error)
        },
      )
    })
  }

  return { inFlight, progress, shared }
}
