/**
 * The app's one window: secure webPreferences, the navigation guards, bounds restored
 * from the store (if they are still on a screen) and saved when it closes.
 */
import { BrowserWindow, screen, type Rectangle } from 'electron'
import { guardWebContents, secureWebPreferences, type AppLocation } from './security'
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
    o.saveState({
      x: Math.round(b.x),
      y: Math.round(b.y),
      width: Math.round(b.width),
      height: Math.round(b.height),
      maximized: win.isMaximized(),
    })
  })
  if (o.loc.devUrl) void win.loadURL(o.loc.devUrl)
  else void win.loadURL(o.loc.indexUrl)
  return win
}
