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
import { CALL_CHANNEL, EVENT_CHANNEL, type CallReply } from '../../shared/api/transport'
import { toApiError } from '../errors'
import { isAppUrl, type AppLocation } from './security'

/** What the binding needs of ipcMain. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown> | unknown): void
  removeHandler(channel: string): void
}

/** What the binding needs of a window's webContents. */
export interface EventSink {
  send(channel: string, ...args: unknown[]): void
  isDestroyed(): boolean
}

/** What the binding needs of the Service (src/main/service.ts). */
export interface ServiceLike {
  call(name: unknown, args: unknown): Promise<unknown>
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

  ipcMain.handle(CALL_CHANNEL, async (event, name, args): Promise<CallReply> => {
    const problem = senderProblem(event, targets, loc)
    if (problem) {
      return { ok: false, error: new ApiError('unauthorized', `refused: ${problem}`, { reason: problem }).toJSON() }
    }
    try {
      return { ok: true, result: await service.call(name, args) }
    } catch (e) {
      const error = toApiError(e)
      // The service throws only ApiErrors; anything else is a bug worth its stack.
      if (!(e instanceof ApiError)) report(`sgdscope: ${String(name)} failed: ${(e as Error)?.stack ?? error.message}`)
      return { ok: false, error: error.toJSON() }
    }
  })

  const off = service.on((event, payload) => send(event, payload))

  return {
    attach(target) {
      targets.add(target)
      return () => targets.delete(target)
    },
    emit: (event, payload) => send(event, payload),
    dispose() {
      off()
      ipcMain.removeHandler(CALL_CHANNEL)
      targets.clear()
    },
  }
}
