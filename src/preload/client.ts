/**
 * The API client the preload exposes as `window.sgdscope`, built over the two IPC
 * channels and nothing else. Kept apart from index.ts (which only exposes it) so tests
 * can build it over a fake ipcRenderer.
 *
 * Failures: Electron's contextBridge copies only the `message` of an Error that crosses
 * into the page (electron/electron#25596), so a rejected call would lose its `code`.
 * call() therefore rejects with plain data, { name: 'ApiError', code, message }, which
 * the bridge copies whole; the renderer (src/renderer/src/api/client.ts) turns it into
 * its RequestError.
 */
import type { ApiErrorShape, EventName } from '../shared/api/contract'
import { CALL_CHANNEL, EVENT_CHANNEL, type CallReply } from '../main/electron/channels'
import type { SgdscopeBridge, SgdscopeCallError } from './types'

/** The part of ipcRenderer the client uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown
}

const bridgeError = (code: ApiErrorShape['code'], message: string): SgdscopeCallError => ({ name: 'ApiError', code, message })

function isReply(r: unknown): r is CallReply {
  if (!r || typeof r !== 'object') return false
  const x = r as Record<string, unknown>
  if (x.ok === true) return 'result' in x
  const e = x.error as Record<string, unknown> | undefined
  return x.ok === false && !!e && typeof e.code === 'string' && typeof e.message === 'string'
}

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
    async call(name: string, args: unknown): Promise<unknown> {
      let reply: unknown
      try {
        reply = await ipc.invoke(CALL_CHANNEL, name, args)
      } catch (e) {
        throw bridgeError('failed', (e as Error)?.message ?? String(e))
      }
      if (!isReply(reply)) throw bridgeError('failed', `malformed reply to ${String(name)}`)
      if (reply.ok) return reply.result
      throw bridgeError(reply.error.code, reply.error.message)
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
