/**
 * The API client the preload exposes as `window.sgdscope`, built over the two IPC
 * channels and nothing else. Kept apart from index.ts (which only exposes it) so tests
 * can build it over a fake ipcRenderer.
 *
 * Failures: Electron's contextBridge copies only the `message` of an Error that crosses
 * into the page, so a rejected call would lose its `code`.
 * call() therefore rejects with plain data, { name: 'ApiError', code, message, details },
 * which the bridge copies whole; the renderer (src/renderer/src/api/client.ts) turns it
 * back into an ApiError.
 */
import type { EventName } from '../shared/api/contract'
import type { ApiErrorShape } from '../shared/api/errors'
import { CALL_CHANNEL, CANCEL_CHANNEL, EVENT_CHANNEL, isCallReply } from '../shared/api/transport'
import type { SgdscopeBridge, SgdscopeCallError } from './types'

/** The part of ipcRenderer the client uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>
  send(channel: string, ...args: unknown[]): void
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown
}

const bridgeError = (error: ApiErrorShape): SgdscopeCallError => ({ name: 'ApiError', ...error })
const internal = (message: string): SgdscopeCallError => bridgeError({ code: 'internal', message, details: {} })

export function createBridge(ipc: IpcRendererLike): SgdscopeBridge {
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  // One IPC listener for all events; the page's listeners never see the IPC event object.
  ipc.on(EVENT_CHANNEL, (_event, name, payload) => {
    if (typeof name !== 'string') return
    for (const l of [...(listeners.get(name) ?? [])]) {
      try {
        l(payload)
      } catch (e) {
        console.error(`sgdscope: a listener for ${name} failed:`, e)
      }
    }
  })

  const bridge = {
    host: 'electron' as const,
    async call(name: string, args: unknown, opts?: { key?: string }): Promise<unknown> {
      let reply: unknown
      const key = typeof opts?.key === 'string' ? [opts.key] : []
      try {
        reply = await ipc.invoke(CALL_CHANNEL, name, args, ...key)
      } catch (e) {
        // invoke itself failed: the main process has no handler (it is starting or gone).
        const message = (e as Error)?.message ?? String(e)
        throw bridgeError({ code: 'unavailable', message, details: { host: 'electron' } })
      }
      if (!isCallReply(reply)) throw internal(`malformed reply to ${String(name)}`)
      if (reply.ok) return reply.result
      throw bridgeError(reply.error)
    },
    cancel(key: string): void {
      if (typeof key === 'string') ipc.send(CANCEL_CHANNEL, key)
    },
    on(event: EventName, listener: (payload: unknown) => void): () => void {
      if (typeof listener !== 'function') throw new TypeError('sgdscope.on: the listener must be a function')
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      const own = (p: unknown) => listener(p)
      set.add(own)
      return () => void set.delete(own)
    },
  }
  return bridge as SgdscopeBridge
}
