/**
 * The contract bound to IPC, generically: ONE invoke channel carries (name, args) for
 * every request in REQUESTS, and the service validates and dispatches them; ONE send
 * channel carries every event. A new request in the contract needs nothing here.
 *
 * Replies are plain data ({ok, result} or {ok: false, error: {code, message, details}}), never
 * thrown errors, so nothing depends on how Electron serialises exceptions. Calls are
 * accepted only from the main frame of a window this binding was attached to, showing
 * the app's own page; anything else gets 'unauthorized' and the service is not called.
 */
import type { IpcMainInvokeEvent } from 'electron'
import type { EventName, Events } from '../../shared/api/contract'
import { ApiError } from '../../shared/api/errors'
import { CALL_CHANNEL, CANCEL_CHANNEL, EVENT_CHANNEL, type CallReply } from '../../shared/api/transport'
import { toApiError } from '../errors'
import { isAppUrl, type AppLocation } from './security'

/** What the binding needs of ipcMain. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown> | unknown): void
  removeHandler(channel: string): void
  on(channel: string, listener: CancelListener): unknown
  removeListener(channel: string, listener: CancelListener): unknown
}
type CancelListener = (event: { sender: unknown }, key: unknown) => void

/** What the binding needs of a window's webContents. */
export interface EventSink {
  send(channel: string, ...args: unknown[]): void
  isDestroyed(): boolean
}

/** What the binding needs of the Service (src/main/service.ts). */
export interface ServiceLike {
  call(name: unknown, args: unknown, opts?: { signal?: AbortSignal; key?: string }): Promise<unknown>
  on(listener: <E extends EventName>(event: E, payload: Events[E]) => void): () => void
}

export interface ContractBinding {
  /** Starts forwarding events to this webContents and accepting its calls; returns a detach. */
  attach(target: EventSink): () => void
  /** Sends an event to every attached webContents (the service's, and the host's own like 'ui.command'). */
  emit<E extends EventName>(event: E, payload: Events[E]): void
  dispose(): void
}

export interface BindOptions {
  ipcMain: IpcMainLike
  service: ServiceLike
  loc: AppLocation
  /** Where failures that are not the caller's fault are reported (default console.error). */
  report?: (message: string) => void
}

/** Why a call is refused, or null when it comes from the app's own main frame. */
export function senderProblem(
  event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>,
  attached: ReadonlySet<unknown>,
  loc: AppLocation,
): string | null {
  if (!attached.has(event.sender)) return 'the call does not come from an sgdscope window'
  const frame = event.senderFrame
  if (!frame) return 'the calling frame is gone'
  if (frame.parent !== null) return 'the call comes from a subframe'
  if (!isAppUrl(frame.url, loc)) return `the calling page (${frame.url}) is not the app`
  return null
}

export function bindContract({
  ipcMain,
  service,
  loc,
  report = (m) => console.error(m),
}: BindOptions): ContractBinding {
  const targets = new Set<EventSink>()

  const send = (event: string, payload: unknown) => {
    for (const t of targets) {
      if (t.isDestroyed()) {
        targets.delete(t)
        continue
      }
      try {
        t.send(EVENT_CHANNEL, event, payload)
      } catch (e) {
        report(`sgdscope: cannot send ${event} to the window: ${(e as Error).message}`)
      }
    }
  }

  // Calls under way that the renderer gave a key, per window: CANCEL_CHANNEL aborts one,
  // a window going away aborts all of its own.
  const calls = new Map<unknown, Map<string, AbortController>>()
  const onCancel: CancelListener = (event, key) => {
    if (typeof key === 'string') calls.get(event.sender)?.get(key)?.abort()
  }
  ipcMain.on(CANCEL_CHANNEL, onCancel)

  ipcMain.handle(CALL_CHANNEL, async (event, name, args, key): Promise<CallReply> => {
    const problem = senderProblem(event, targets, loc)
    if (problem) {
      return { ok: false, error: new ApiError('unauthorized', `refused: ${problem}`, { reason: problem }).toJSON() }
    }
    const abort = new AbortController()
    const own = typeof key === 'string' ? key.slice(0, 200) : undefined
    let mine: Map<string, AbortController> | undefined
    if (own !== undefined) {
      mine = calls.get(event.sender) ?? new Map()
      calls.set(event.sender, mine)
      mine.set(own, abort)
    }
    try {
      return { ok: true, result: await service.call(name, args, { signal: abort.signal, key: own }) }
    } catch (e) {
      const error = toApiError(e)
      // The service throws only ApiErrors; anything else is a bug worth its stack.
      if (!(e instanceof ApiError)) report(`sgdscope: ${String(name)} failed: ${(e as Error)?.stack ?? error.message}`)
      return { ok: false, error: error.toJSON() }
    } finally {
      if (own !== undefined && mine?.get(own) === abort) mine.delete(own)
    }
  })

  const off = service.on((event, payload) => send(event, payload))

  return {
    attach(target) {
      targets.add(target)
      return () => {
        targets.delete(target)
        for (const c of calls.get(target)?.values() ?? []) c.abort()
        calls.delete(target)
      }
    },
    emit: (event, payload) => send(event, payload),
    dispose() {
      off()
      ipcMain.removeHandler(CALL_CHANNEL)
      ipcMain.removeListener(CANCEL_CHANNEL, onCancel)
      targets.clear()
    },
  }
}
