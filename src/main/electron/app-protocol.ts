/**
 * The renderer is served from the app's own scheme, app://sgdscope/, not from file://
 * (the Electron security checklist): pages get a real origin, the strict CSP comes as a
 * response header, and only files inside the built renderer folder can be loaded — a
 * file:// page could read any file its path reached.
 */
import { fs } from '../archive/file-pool'
import * as path from 'node:path'
import { protocol } from 'electron'
import { APP_HOST, APP_SCHEME, CONTENT_SECURITY_POLICY } from './security'

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

/** Before the app is ready: app:// is a standard, secure scheme (fetch, storage, code cache). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ])
}

const text = (status: number, body: string) =>
  new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } })

/** The response to one app:// request: a file of `rendererDir`, or 400/404. */
export async function appResponse(url: string, rendererDir: string): Promise<Response> {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return text(400, 'bad request')
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return text(404, 'not found')
  let rel: string
  try {
    rel = decodeURIComponent(u.pathname)
  } catch {
    return text(400, 'bad request: the path is not valid percent-encoding')
  }
  const root = path.resolve(rendererDir)
  const file = path.resolve(root, '.' + (rel === '/' ? '/index.html' : rel))
  if (!file.startsWith(root + path.sep)) return text(404, 'not found')
  let body: Buffer
  try {
    body = await fs.readFile(file)
  } catch {
    return text(404, 'not found')
  }
  return new Response(new Uint8Array(body), {
    status: 200,
    headers: {
      'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
    },
  })
}

/** Once the app is ready: answer app:// from the built renderer folder. */
export function serveApp(rendererDir: string): void {
  protocol.handle(APP_SCHEME, (req) => appResponse(req.url, rendererDir))
}
