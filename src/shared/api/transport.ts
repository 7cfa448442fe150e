/**
 * The contract on the wire: what the two hosts send and receive, declared once for both
 * ends (the desktop host's IPC binding and the preload; the browser host's WebSocket and
 * the renderer's client). A reply is plain data — a result, or an ApiErrorShape — so no
 * end depends on how a transport serialises exceptions.
 *
 * No imports with run-time values: the sandboxed preload bundles this file, and a sandboxed
 * preload can require nothing but 'electron'.
 */
import { isApiErrorShape, type ApiErrorShape } from './errors'

/** Every reply, on both transports. */
export type CallReply = { ok: true; result: unknown } | { ok: false; error: ApiErrorShape }

export function isCallReply(r: unknown): r is CallReply {
  if (!r || typeof r !== 'object') return false
  const x = r as Record<string, unknown>
  if (x.ok === true) return 'result' in x
  return x.ok === false && isApiErrorShape(x.error)
}

// ---- Desktop host: Electron IPC ----------------------------------------------------------

/** renderer → main: ipcRenderer.invoke(CALL_CHANNEL, name, args, key?) → CallReply */
export const CALL_CHANNEL = 'sgdscope:call'
/** main → renderer: webContents.send(EVENT_CHANNEL, eventName, payload) */
export const EVENT_CHANNEL = 'sgdscope:event'
/** The preload's `window.sgdscope`, as the renderer's client uses it. An AbortSignal cannot
 * cross Electron's context bridge: a call names itself by `key`, and `cancel(key)` gives up on it. */
export interface DesktopBridge {
  readonly host: 'electron'
  call(name: string, args: unknown, opts?: { key?: string }): Promise<unknown>
  cancel(key: string): void
  on(event: string, listener: (payload: never) => void): () => void
}
/** renderer → main: ipcRenderer.send(CANCEL_CHANNEL, key), the key given as invoke's fourth argument. */
export const CANCEL_CHANNEL = 'sgdscope:cancel'

// ---- Browser host: one WebSocket at /ws ---------------------------------------------------

/** browser → host */
export interface WsCall {
  id: number
  name: string
  args?: unknown
  /** The caller's key for the call: its `job.progress` events carry it. */
  key?: string
}
/** browser → host: the caller gave up on call `cancel` (its reply is then `cancelled`). */
export interface WsCancel {
  cancel: number
}
/** host → browser: the reply to call `id` (null when the call itself could not be read). */
export type WsReply = { id: number | null } & CallReply
/** host → browser: an event. */
export interface WsEvent {
  event: string
  payload: unknown
}
export type WsMessage = WsReply | WsEvent

/** A call has a numeric id; its name and arguments are the service's to check. */
export function isWsCall(m: unknown): m is WsCall {
  return !!m && typeof m === 'object' && typeof (m as WsCall).id === 'number'
}

export function isWsCancel(m: unknown): m is WsCancel {
  return !!m && typeof m === 'object' && typeof (m as WsCancel).cancel === 'number'
}

export function isWsEvent(m: unknown): m is WsEvent {
  return !!m && typeof m === 'object' && typeof (m as WsEvent).event === 'string'
}
