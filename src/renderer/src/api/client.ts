/**
 * The renderer's API client: the Electron preload's `window.sgdscope` when it exists,
 * else a WebSocket to the browser host (which set its token as a cookie when the
 * page loaded). Both implement the same ApiClient interface from the contract, and
 * both reject with the contract's ApiError: code and details as the host sent them.
 */
import type {
  ApiClient,
  ArgsOf,
  CallOptions,
  EventName,
  Events,
  RequestName,
  ResultOf,
} from '../../../shared/api/contract'
import { ApiError, isApiErrorShape } from '../../../shared/api/errors'
import { isWsEvent, type DesktopBridge, type WsMessage } from '../../../shared/api/transport'

/** A failed request (the name the renderer has always used for it). */
export { ApiError as RequestError }

const lost = (message: string) => new ApiError('unavailable', message, { host: 'browser' })

/** What a rejected call of the Electron bridge becomes (plain data: see src/preload/client.ts). */
export function bridgeFailure(e: unknown): ApiError {
  if (isApiErrorShape(e)) return ApiError.from(e)
  return new ApiError('internal', (e as Error)?.message ?? String(e), {})
}

type Listener = (payload: unknown) => void

const aborted = (name: string) => new ApiError('cancelled', `${name}: cancelled`, { request: name })

/** Keys of this page's calls: unique across the pages a host serves (events go to all of them). */
const page = Math.random().toString(36).slice(2, 10)
let calls = 0
export const callKey = (): string => `${page}-${++calls}`

export function webSocketClient(url: string): ApiClient & { ready: Promise<void>; close(): void } {
  let next = 1
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  const listeners = new Map<string, Set<Listener>>()
  let ws: WebSocket
  let opened: Promise<void>
  const connect = () => {
    ws = new WebSocket(url)
    opened = new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve(), { once: true })
      ws.addEventListener('error', () => reject(lost('cannot connect to the sgdscope server')), { once: true })
    })
    ws.addEventListener('message', (e) => {
      const m = JSON.parse(String(e.data)) as WsMessage
      if (isWsEvent(m)) {
        for (const l of listeners.get(m.event) ?? []) l(m.payload)
        return
      }
      const p = m.id === null ? undefined : pending.get(m.id)
      if (!p || m.id === null) return
      pending.delete(m.id)
      if (m.ok) p.resolve(m.result)
      else p.reject(isApiErrorShape(m.error) ? ApiError.from(m.error) : new ApiError('internal', 'malformed reply', {}))
    })
    ws.addEventListener('close', () => {
      for (const p of pending.values()) p.reject(lost('the connection to the sgdscope server was lost'))
      pending.clear()
    })
  }
  connect()
  return {
    get ready() {
      return opened
    },
    async call<N extends RequestName>(name: N, args: ArgsOf<N>, opts: CallOptions = {}): Promise<ResultOf<N>> {
      const { signal } = opts
      if (signal?.aborted) throw aborted(name)
      if (ws.readyState === WebSocket.CLOSED) connect()
      await opened
      if (signal?.aborted) throw aborted(name)
      const id = next++
      return new Promise<ResultOf<N>>((resolve, reject) => {
        const onAbort = () => {
          if (!pending.delete(id)) return
          if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ cancel: id }))
          reject(aborted(name))
        }
        const done = () => signal?.removeEventListener('abort', onAbort)
        pending.set(id, {
          resolve: (v) => (done(), resolve(v as ResultOf<N>)),
          reject: (e) => (done(), reject(e)),
        })
        signal?.addEventListener('abort', onAbort, { once: true })
        const key = opts.key ?? (signal ? callKey() : undefined)
        ws.send(JSON.stringify({ id, name, args, ...(key ? { key } : {}) }))
      })
    },
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(listener as Listener)
      return () => set!.delete(listener as Listener)
    },
    close() {
      ws.close()
    },
  }
}

/** What the client reads of the page (through globalThis: the host tests run this module under Node). */
interface Page {
  sgdscope?: DesktopBridge
  location: { protocol: string; host: string; search: string }
}

/** The client for this page: Electron's bridge, or the browser host's WebSocket. */
export function createClient(): ApiClient & { host: 'electron' | 'browser' } {
  const page = (globalThis as unknown as { window?: Page }).window ?? (globalThis as unknown as Page)
  if (page.sgdscope) {
    const bridge = page.sgdscope
    return {
      host: 'electron',
      call: <N extends RequestName>(name: N, args: ArgsOf<N>, opts: CallOptions = {}) => {
        const { signal } = opts
        if (signal?.aborted) return Promise.reject(aborted(name))
        const key = opts.key ?? (signal ? callKey() : undefined)
        const call = bridge.call(name, args, key ? { key } : undefined).catch((e: unknown) => {
          throw bridgeFailure(e)
        }) as Promise<ResultOf<N>>
        if (!signal) return call
        return new Promise<ResultOf<N>>((resolve, reject) => {
          const onAbort = () => {
            bridge.cancel(key!)
            reject(aborted(name))
          }
          signal.addEventListener('abort', onAbort, { once: true })
          call.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
        })
      },
      on: (event, listener) => bridge.on(event, listener),
    }
  }
  const proto = page.location.protocol === 'https:' ? 'wss:' : 'ws:'
  const token = new URLSearchParams(page.location.search).get('token')
  const client = webSocketClient(
    `${proto}//${page.location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`,
  )
  return { host: 'browser', call: client.call, on: client.on }
}
