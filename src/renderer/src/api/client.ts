/**
 * The renderer's API client: the Electron preload's `window.sgdscope` when it exists,
 * else a WebSocket to the browser host (which set its token as a cookie when the
 * page loaded). Both implement the same ApiClient interface from the contract.
 */
import type { ApiClient, ApiErrorShape, ArgsOf, EventName, Events, RequestName, ResultOf } from '../../../shared/api/contract'

/** A failed request: carries the contract's error code. */
export class RequestError extends Error {
  constructor(
    readonly code: ApiErrorShape['code'],
    message: string,
  ) {
    super(message)
    this.name = 'RequestError'
  }
}

type Listener = (payload: unknown) => void

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
      ws.addEventListener('error', () => reject(new RequestError('failed', 'cannot connect to the sgdscope server')), { once: true })
    })
    ws.addEventListener('message', (e) => {
      const m = JSON.parse(String(e.data))
      if (m.event) {
        for (const l of listeners.get(m.event) ?? []) l(m.payload)
        return
      }
      const p = pending.get(m.id)
      if (!p) return
      pending.delete(m.id)
      if (m.ok) p.resolve(m.result)
      else p.reject(new RequestError(m.error.code, m.error.message))
    })
    ws.addEventListener('close', () => {
      for (const p of pending.values()) p.reject(new RequestError('failed', 'the connection to the sgdscope server was lost'))
      pending.clear()
    })
  }
  connect()
  return {
    get ready() {
      return opened
    },
    async call<N extends RequestName>(name: N, args: ArgsOf<N>): Promise<ResultOf<N>> {
      if (ws.readyState === WebSocket.CLOSED) connect()
      await opened
      const id = next++
      return new Promise<ResultOf<N>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
        ws.send(JSON.stringify({ id, name, args }))
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

declare global {
  interface Window {
    sgdscope?: ApiClient & { host?: string }
  }
}

/** The client for this page: Electron's bridge, or the browser host's WebSocket. */
export function createClient(): ApiClient & { host: 'electron' | 'browser' } {
  if (window.sgdscope) {
    const bridge = window.sgdscope
    return {
      host: 'electron',
      call: (name, args) =>
        bridge.call(name, args).catch((e: { code?: ApiErrorShape['code']; message?: string }) => {
          throw new RequestError(e.code ?? 'failed', e.message ?? String(e))
        }),
      on: (event, listener) => bridge.on(event, listener),
    }
  }
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:'
  const token = new URLSearchParams(location.search).get('token')
  const client = webSocketClient(`${proto}//${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`)
  return { host: 'browser', call: client.call, on: client.on }
}
