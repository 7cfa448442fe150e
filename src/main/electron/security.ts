/**
 * The desktop host's security rules (the Electron security checklist): what the
 * window's renderer may load, where it may navigate, which frames may call the API,
 * and the permissions it gets (none). Pure functions over small structural types, so
 * tests can drive them with fakes.
 */
import type { Session, WebContents, WebPreferences } from 'electron'

/**
 * The Content-Security-Policy of every response the app loads (app:// answers carry it,
 * and the session adds it to the dev server's). It tightens the meta CSP of
 * src/renderer/index.html, which also applies: no WebSocket at all (the desktop app talks
 * over IPC), and directives that are valid in a header only.
 */
export const CSP_DIRECTIVES: ReadonlyArray<readonly [string, string]> = [
  ['default-src', "'self'"],
  ['script-src', "'self'"],
  ['style-src', "'self' 'unsafe-inline'"],
  ['img-src', "'self' data: blob:"],
  ['connect-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
  ['frame-src', "'none'"],
  ['frame-ancestors', "'none'"],
]
export const CONTENT_SECURITY_POLICY = CSP_DIRECTIVES.map(([k, v]) => `${k} ${v}`).join('; ')

/** The app's own scheme and host: the built renderer is served at app://sgdscope/ (app-protocol.ts). */
export const APP_SCHEME = 'app'
export const APP_HOST = 'sgdscope'
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`

/** Where the app's own page lives: the built index.html, or the dev server in development. */
export interface AppLocation {
  /** The built index.html: APP_INDEX_URL (a file:// URL works too, for tests of the rules). */
  indexUrl: string
  /** electron-vite's dev server (ELECTRON_RENDERER_URL), only when not packaged. */
  devUrl?: string
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

function parse(url: string): URL | null {
  try {
    return new URL(url)
  } catch {
    return null
  }
}

function filePath(u: URL): string {
  let p: string
  try {
    p = decodeURIComponent(u.pathname)
  } catch {
    p = u.pathname
  }
  return process.platform === 'win32' ? p.toLowerCase() : p
}

/** A dev server URL is trusted only on a loopback host over http(s). */
export function devOrigin(devUrl: string | undefined): string | null {
  const u = devUrl ? parse(devUrl) : null
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || !LOOPBACK.has(u.hostname)) return null
  return u.origin
}

/** True for the app's own page (any query or hash), and nothing else. */
export function isAppUrl(url: string, loc: AppLocation): boolean {
  const u = parse(url)
  if (!u) return false
  const dev = devOrigin(loc.devUrl)
  if (dev) return u.origin === dev
  const index = parse(loc.indexUrl)
  if (!index || u.protocol !== index.protocol || (u.protocol !== 'file:' && u.protocol !== `${APP_SCHEME}:`))
    return false
  return u.host === index.host && filePath(u) === filePath(index)
}

/** Links the app may hand to the system browser. */
export function isExternalLink(url: string): boolean {
  const u = parse(url)
  return !!u && u.protocol === 'https:' && u.hostname !== '' && !u.username && !u.password
}

/** The window's webPreferences: the checklist, item by item. */
export function secureWebPreferences(preload: string, isDev: boolean): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: isDev,
  }
}

type HeadersSession = Pick<Session, 'webRequest' | 'setPermissionRequestHandler' | 'setPermissionCheckHandler'> &
  Partial<Pick<Session, 'setDevicePermissionHandler'>>

/**
 * Every response in the app's session gets the CSP header (replacing any it had), and
 * every permission request or check (camera, notifications, geolocation, USB, …) is
 * refused: the app needs none.
 */
export function hardenSession(session: HeadersSession): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers: Record<string, string[] | string> = {}
    for (const [k, v] of Object.entries(details.responseHeaders ?? {}))
      if (k.toLowerCase() !== 'content-security-policy') headers[k] = v
    headers['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY]
    callback({ responseHeaders: headers })
  })
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
  session.setDevicePermissionHandler?.(() => false)
}

type GuardedContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>

export interface GuardOptions {
  loc: AppLocation
  openExternal: (url: string) => void
}

const guarded = new WeakSet<object>()

/**
 * No navigation away from the app (links, redirects, frames), no new windows (https
 * links open in the system browser instead), no <webview>. Applied to the main window
 * and, through app 'web-contents-created', to any other webContents that appears.
 */
export function guardWebContents(wc: GuardedContents, opts: GuardOptions): void {
  if (guarded.has(wc)) return
  guarded.add(wc)
  const block = (e: { preventDefault(): void; url?: string }, url?: string) => {
    if (!isAppUrl(e.url ?? url ?? '', opts.loc)) e.preventDefault()
  }
  wc.on('will-navigate', block)
  wc.on('will-redirect', block)
  wc.on('will-frame-navigate', block)
  wc.on('will-attach-webview', (e) => e.preventDefault())
  wc.setWindowOpenHandler(({ url }) => {
    if (isExternalLink(url)) opts.openExternal(url)
    return { action: 'deny' }
  })
}
