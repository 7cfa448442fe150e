/**
 * A fake host behind the renderer's real API client: installed as the Electron bridge
 * (`window.sgdscope`), so stores call through lib/api and api/client exactly as in the
 * app. Each request is answered by a handler the test sets, and recorded; events are
 * pushed with emit(). A request without a handler fails like an unknown request.
 */
import { vi } from 'vitest'
import type { ApiClient, EventName, Events, RequestName } from '../../../src/shared/api/contract'
import type { DesktopBridge } from '../../../src/shared/api/transport'
import type { ApiErrorCode, ApiErrorDetails, ApiErrorShape } from '../../../src/shared/api/errors'

export interface FakeCall {
  name: string
  args: unknown
  /** The key the renderer gave the call (its progress events and cancel use it). */
  key?: string
}

type Handler = (args: never) => unknown

export interface FakeHost {
  calls: FakeCall[]
  /** Answers `name` with `f(args)` (a throw or rejection fails the request). */
  handle(name: RequestName, f: Handler): void
  /** Pushes an event to the renderer's listeners. */
  emit<E extends EventName>(event: E, payload: Events[E]): void
  /** The requests of one name, in order. */
  callsOf(name: RequestName): unknown[]
  /** Keys of the calls the renderer cancelled, in order. */
  cancelled: string[]
  /** Forgets handlers and recorded calls (listeners stay: stores subscribe once). */
  reset(): void
}

/** A failure as the host sends it: the contract's {code, message, details}. */
export function hostError<C extends ApiErrorCode>(
  code: C,
  message: string,
  details: ApiErrorDetails[C],
): ApiErrorShape {
  return { code, message, details } as ApiErrorShape
}

export function installFakeHost(): FakeHost {
  const calls: FakeCall[] = []
  const handlers = new Map<string, Handler>()
  const listeners = new Map<string, Set<(p: unknown) => void>>()
  const cancelled: string[] = []
  const bridge: Omit<ApiClient, 'call'> & DesktopBridge = {
    host: 'electron',
    cancel: (key) => void cancelled.push(key),
    async call(name, args, opts) {
      calls.push({ name, args, ...(opts?.key ? { key: opts.key } : {}) })
      const h = handlers.get(name)
      if (!h) throw hostError('not-found', `the fake host has no answer for ${name}`, { what: 'request', which: name })
      return (await h(args as never)) as never
    },
    on(event: string, listener: (p: never) => void) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(listener as (p: unknown) => void)
      return () => set.delete(listener as (p: unknown) => void)
    },
  }
  ;(window as unknown as { sgdscope: typeof bridge }).sgdscope = bridge
  return {
    calls,
    cancelled,
    handle: (name, f) => void handlers.set(name, f),
    emit(event, payload) {
      for (const l of listeners.get(event) ?? []) l(payload)
    },
    callsOf: (name) => calls.filter((c) => c.name === name).map((c) => c.args),
    reset() {
      calls.length = 0
      cancelled.length = 0
      handlers.clear()
    },
  }
}

/** Waits until `cond` holds (promises and timers of the code under test settle first). */
export async function until(cond: () => boolean, what = 'the condition', timeoutMs = 10_000): Promise<void> {
  await vi.waitFor(
    () => {
      if (!cond()) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    },
    { timeout: timeoutMs, interval: 10 },
  )
}
