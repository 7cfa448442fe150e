/**
 * The browser host: the built renderer over HTTP and the API contract over a
 * WebSocket, bound generically to the same Service the desktop app uses.
 *
 * Like Jupyter, it listens on 127.0.0.1 and requires a random token, given once in the
 * URL it prints (?token=…); the page's first load sets it as an HttpOnly cookie, and
 * every later request and the WebSocket upgrade must carry it. WebSocket upgrades from
 * other origins are refused, so another web page cannot drive the API.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { fs } from '../archive/file-pool'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { WebSocketServer, type WebSocket } from 'ws'
import type { EventName } from '../../shared/api/contract'
import { ApiError, badInput } from '../../shared/api/errors'
import { isWsCall, isWsCancel, type WsCall, type WsMessage } from '../../shared/api/transport'
import { toApiError } from '../errors'
import type { Service } from '../service'

export interface ServerOptions {
  service: Service
  /** 0 = any free port. */
  port?: number
  host?: string
  /** Default: 32 random hex digits. */
  token?: string
  /** The built renderer (default: out/renderer beside the built main). */
  staticDir?: string
}

export interface RunningServer {
  url: string
  port: number
  token: string
  close(): Promise<void>
}

/** The token cookie is named per port, so servers on other ports keep theirs (a cookie is
 * per host, not per port: one shared name would let a second server's page log out the first's). */
const cookieName = (port: number) => `sgdscope_token_${port}`
/** Frames larger than this are refused (and the socket closed), not buffered. */
const MAX_FRAME = 16 * 1024 * 1024
/** Requests a connection may send per second, over a one-second window; more are refused. */
const MAX_REQUESTS_PER_SECOND = 500
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.ico': 'image/x-icon',
}
/** The renderer's own CSP, plus WebSocket back to this server only. */
const csp = (wsOrigins: string[]) =>
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; " +
  `connect-src 'self' ${wsOrigins.join(' ')}; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`

export function defaultStaticDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url))
  // Built: out/main/*.js → out/renderer. From sources: src/main/server → out/renderer.
  return import.meta.url.endsWith('.ts')
    ? path.resolve(here, '../../../out/renderer')
    : path.resolve(here, '../renderer')
}

/** The request's URL, or null. Joined as text, not resolved against a base: a path
 * starting with // would otherwise be read as a host (and an invalid one throws). */
function requestUrl(req: http.IncomingMessage): URL | null {
  try {
    return new URL(`http://localhost${req.url?.startsWith('/') ? req.url : '/'}`)
  } catch {
    return null
  }
}

function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

function cookieToken(req: http.IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=')
    if (k !== name) continue
    try {
      return decodeURIComponent(v ?? '')
    } catch {
      return null // not percent-encoding: not our token
    }
  }
  return null
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const token = opts.token ?? randomBytes(16).toString('hex')
  const host = opts.host ?? '127.0.0.1'
  const staticDir = path.resolve(opts.staticDir ?? defaultStaticDir())
  let origins: Set<string> = new Set()
  // Known once the server listens (port 0 = any free port).
  let cookie = cookieName(opts.port ?? 0)
  let policy = csp([])

  const authorised = (req: http.IncomingMessage, url: URL) =>
    sameToken(url.searchParams.get('token'), token) || sameToken(cookieToken(req, cookie), token)

  const deny = (res: http.ServerResponse, code: number, text: string) => {
    res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' })
    res.end(text)
  }
  const serveStatic = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = requestUrl(req)
    if (!url) return deny(res, 400, 'bad request: not a valid request path\n')
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'method not allowed\n')
    if (!authorised(req, url))
      return deny(
        res,
        403,
        'sgdscope: this server needs its token; open the URL that `sgdscope serve` printed (…/?token=…)\n',
      )
    let rel: string
    try {
      rel = decodeURIComponent(url.pathname)
    } catch {
      return deny(res, 400, `bad request: the path ${url.pathname} is not valid percent-encoding\n`)
    }
    if (rel === '/' || rel === '') rel = '/index.html'
    const file = path.resolve(staticDir, '.' + rel)
    if (!file.startsWith(staticDir + path.sep)) return deny(res, 404, 'not found\n')
    let body: Buffer
    try {
      body = await fs.readFile(file)
    } catch {
      if (rel === '/index.html')
        return deny(res, 500, `sgdscope: the app is not built (${staticDir} is missing); run \`npm run build\`\n`)
      return deny(res, 404, 'not found\n')
    }
    const headers: Record<string, string> = {
      'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'content-security-policy': policy,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    }
    if (url.searchParams.has('token'))
      headers['set-cookie'] = `${cookie}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`
    res.writeHead(200, headers)
    res.end(req.method === 'HEAD' ? undefined : body)
  }
  // Node gives the promise of an async request handler to nobody: a rejection would end the process.
  const server = http.createServer((req, res) => {
    serveStatic(req, res).catch((e: unknown) => {
      if (res.headersSent) res.destroy()
      else deny(res, 500, `sgdscope: ${e instanceof Error ? e.message : String(e)}\n`)
    })
  })

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME })
  server.on('upgrade', (req, socket, head) => {
    const reject = (code: number, why: string) => {
      socket.write(`HTTP/1.1 ${code} ${why}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${why}\n`)
      socket.destroy()
    }
    const url = requestUrl(req)
    if (!url) return reject(400, 'Bad Request')
    if (url.pathname !== '/ws') return reject(404, 'Not Found')
    if (!authorised(req, url)) return reject(403, 'Forbidden: missing or wrong token')
    const origin = req.headers.origin
    if (origin !== undefined && !origins.has(origin)) return reject(403, 'Forbidden: cross-origin WebSocket')
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })

  wss.on('connection', (ws: WebSocket) => {
    const send = (m: WsMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m))
    }
    const off = opts.service.on((event: EventName, payload: unknown) => send({ event, payload }))
    // Calls under way, by id: a cancel message or the page going away (a closed socket) stops them.
    const calls = new Map<number, AbortController>()
    ws.on('close', () => {
      off()
      for (const c of calls.values()) c.abort()
      calls.clear()
    })
    // A frame over MAX_FRAME, invalid UTF-8 or a broken frame: ws closes the socket and
    // reports it here; without a listener the error would end the process.
    ws.on('error', () => ws.terminate())
    let windowStart = Date.now()
    let inWindow = 0
    const answer = async (msg: WsCall) => {
      const abort = new AbortController()
      calls.set(msg.id, abort)
      const key = typeof msg.key === 'string' ? msg.key.slice(0, 200) : undefined
      try {
        const result = await opts.service.call(msg.name, msg.args, { signal: abort.signal, key })
        send({ id: msg.id, ok: true, result: result ?? null })
      } catch (e) {
        send({ id: msg.id, ok: false, error: toApiError(e).toJSON() })
      } finally {
        if (calls.get(msg.id) === abort) calls.delete(msg.id)
      }
    }
    ws.on('message', (raw, isBinary) => {
      if (isBinary)
        return send({
          id: null,
          ok: false,
          error: badInput('', 'binary frames are not requests: send JSON text').toJSON(),
        })
      let msg: WsCall
      try {
        const parsed: unknown = JSON.parse(String(raw))
        if (isWsCancel(parsed)) return void calls.get(parsed.cancel)?.abort()
        if (!isWsCall(parsed)) throw new Error('a request is {"id": number, "name": string, "args": object}')
        msg = parsed
      } catch (e) {
        const error = badInput('', `malformed message: ${(e as Error).message}`)
        return send({ id: null, ok: false, error: error.toJSON() })
      }
      const now = Date.now()
      if (now - windowStart >= 1000) {
        windowStart = now
        inWindow = 0
      }
      if (++inWindow > MAX_REQUESTS_PER_SECOND) {
        const why = `too many requests: at most ${MAX_REQUESTS_PER_SECOND} a second per connection`
        return send({
          id: msg.id,
          ok: false,
          error: new ApiError('busy', why, { what: 'connection', which: 'this WebSocket' }).toJSON(),
        })
      }
      // answer() replies to every outcome itself; this only keeps an unforeseen throw from ending the
      // process, and closes the socket so the client is not left waiting.
      answer(msg).catch(() => ws.terminate())
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, host, () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const shownHost = host.includes(':') ? `[${host}]` : host
  origins = new Set([`http://${shownHost}:${port}`, `http://localhost:${port}`, `http://127.0.0.1:${port}`])
  cookie = cookieName(port)
  policy = csp([...new Set([`ws://${shownHost}:${port}`, `ws://localhost:${port}`, `ws://127.0.0.1:${port}`])])
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate()
        wss.close()
        server.close(() => resolve())
        server.closeAllConnections?.()
      }),
  }
}
