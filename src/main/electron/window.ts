/**
 * The app's one window: secure webPreferences, the navigation guards, bounds restored
 * from the store (if they are still on a screen) and saved when it closes, and the place
 * it showed (the URL's hash: screen, zoom, selections; the renderer keeps it current)
 * reopened at the next start, as a reload of the browser host comes back to it.
 */
import { BrowserWindow, screen, type Rectangle } from 'electron'
import { guardWebContents, isAppUrl, secureWebPreferences, type AppLocation } from './security'
import type { WindowState } from './store'

export const DEFAULT_SIZE = { width: 1280, height: 820 }
export const MIN_SIZE = { width: 900, height: 600 }

export interface WindowOptions {
  preload: string
  loc: AppLocation
  isDev: boolean
  icon?: string
  state: WindowState | null
  saveState(state: WindowState): void
  openExternal(url: string): void
}

/** True when at least 100×50 px of the rectangle is on some display's work area. */
export function onScreen(r: Rectangle, displays: Rectangle[]): boolean {
  return displays.some((d) => {
    const w = Math.min(r.x + r.width, d.x + d.width) - Math.max(r.x, d.x)
    const h = Math.min(r.y + r.height, d.y + d.height) - Math.max(r.y, d.y)
    return w >= 100 && h >= 50
  })
}

function restoredBounds(state: WindowState | null): Partial<Rectangle> {
  if (!state) return { ...DEFAULT_SIZE }
  const size = { width: Math.max(state.width, MIN_SIZE.width), height: Math.max(state.height, MIN_SIZE.height) }
  if (state.x === undefined || state.y === undefined) return size
  const r = { x: state.x, y: state.y, ...size }
  return onScreen(
    r,
    screen.getAllDisplays().map((d) => d.workArea),
  )
    ? r
    : size
}

/** The hash of one of the app's own URLs (its route), if it names a place. */
export function routeOf(url: string, loc: AppLocation): string | undefined {
  if (!isAppUrl(url, loc)) return undefined
  const i = url.indexOf('#')
  const hash = i < 0 ? '' : url.slice(i)
  return /^#\/[^\s]+$/.test(hash) && hash.length <= 4000 ? hash : undefined
}

export function createMainWindow(o: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    ...restoredBounds(o.state),
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    title: 'sgdscope',
    show: false,
    backgroundColor: '#ffffff',
    ...(o.icon ? { icon: o.icon } : {}),
    webPreferences: secureWebPreferences(o.preload, o.isDev),
  })
  guardWebContents(win.webContents, { loc: o.loc, openExternal: o.openExternal })
  win.once('ready-to-show', () => {
    if (o.state?.maximized) win.maximize()
    win.show()
  })
  win.on('close', () => {
    const b = win.getNormalBounds()
    const route = routeOf(win.webContents.getURL(), o.loc)
    o.saveState({
      x: Math.round(b.x),
      y: Math.round(b.y),
      width: Math.round(b.width),
      height: Math.round(b.height),
      maximized: win.isMaximized(),
      ...(route ? { route } : {}),
    })
  })
  // The last place: the renderer checks that it still exists (else it shows the project).
  const route = o.state?.route ?? ''
  if (o.loc.devUrl) void win.loadURL(`${o.loc.devUrl}${route}`)
  else void win.loadURL(`${o.loc.indexUrl}${route}`)
  return win
}
