/**
 * A fake `electron` module for the desktop-host tests (the Electron binary cannot run
 * here). Each test file installs it with
 *
 *   vi.mock('electron', async () => (await import('./fake-electron')).electronModule())
 *
 * and reads what the host did from `fake` (windows created, handlers registered,
 * dialogs shown, events sent). `resetFake()` starts over.
 */
import { EventEmitter } from 'node:events'
import { vi } from 'vitest'

type Handler = (event: unknown, ...args: unknown[]) => unknown

export class FakeFrame {
  parent: FakeFrame | null = null
  constructor(public url: string) {}
}

export class FakeWebContents extends EventEmitter {
  static nextId = 1
  readonly id = FakeWebContents.nextId++
  sent: { channel: string; args: unknown[] }[] = []
  windowOpenHandler: ((d: { url: string }) => { action: string }) | null = null
  destroyed = false
  mainFrame = new FakeFrame('about:blank')
  loaded: string | null = null

  send(channel: string, ...args: unknown[]) {
    if (this.destroyed) throw new Error('Object has been destroyed')
    this.sent.push({ channel, args })
  }
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }) {
    this.windowOpenHandler = h
  }
  isDestroyed() {
    return this.destroyed
  }
  /** The page's URL now (the renderer's replaceState moves its hash). */
  getURL() {
    return this.mainFrame.url
  }
  /** Fires a navigation-type event the way Electron does; returns whether it was prevented. */
  fire(event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate' | 'will-attach-webview', url = ''): boolean {
    let prevented = false
    const e = { url, preventDefault: () => void (prevented = true) }
    this.emit(event, e, url)
    return prevented
  }
  /** What an ipcMain.handle listener receives for a call from this webContents. */
  invokeEvent(frame: FakeFrame | null = this.mainFrame) {
    return { sender: this, senderFrame: frame, frameId: 1, processId: 1 }
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static all: FakeBrowserWindow[] = []
  static getAllWindows() {
    return FakeBrowserWindow.all.filter((w) => !w.destroyed)
  }
  static getFocusedWindow() {
    return FakeBrowserWindow.getAllWindows()[0] ?? null
  }
  readonly webContents = new FakeWebContents()
  destroyed = false
  shown = false
  maximized = false
  minimized = false
  bounds: { x: number; y: number; width: number; height: number }
  constructor(readonly options: Record<string, unknown> & { webPreferences?: Record<string, unknown> }) {
    super()
    FakeBrowserWindow.all.push(this)
    this.bounds = {
      x: (options.x as number) ?? 10,
      y: (options.y as number) ?? 10,
      width: (options.width as number) ?? 800,
      height: (options.height as number) ?? 600,
    }
    fake.app.emit('web-contents-created', {}, this.webContents)
  }
  loadURL(url: string) {
    this.webContents.loaded = url
    this.webContents.mainFrame.url = url
    queueMicrotask(() => this.emit('ready-to-show'))
    return Promise.resolve()
  }
  loadFile(file: string) {
    return this.loadURL(`file://${file}`)
  }
  show() {
    this.shown = true
  }
  maximize() {
    this.maximized = true
  }
  isMaximized() {
    return this.maximized
  }
  isMinimized() {
    return this.minimized
  }
  restore() {
    this.minimized = false
  }
  focus() {}
  isDestroyed() {
    return this.destroyed
  }
  getNormalBounds() {
    return { ...this.bounds }
  }
  setBounds(b: Partial<FakeBrowserWindow['bounds']>) {
    Object.assign(this.bounds, b)
  }
  close() {
    this.emit('close', { preventDefault() {} })
    this.destroyed = true
    this.webContents.destroyed = true
    this.emit('closed')
  }
}

function makeFake() {
  const handlers = new Map<string, Handler>()
  /** The order of the calls whose order matters (before/after ready). */
  const calls: string[] = []
  /** app:// and other scheme handlers registered with protocol.handle. */
  const protocolHandlers = new Map<string, (req: { url: string }) => Promise<Response> | Response>()
  const protocol = {
    registerSchemesAsPrivileged: vi.fn((schemes: { scheme: string; privileges: Record<string, boolean> }[]) => {
      calls.push(`protocol.registerSchemesAsPrivileged:${schemes.map((s) => s.scheme).join(',')}`)
    }),
    handle: vi.fn((scheme: string, handler: (req: { url: string }) => Promise<Response> | Response) => {
      calls.push(`protocol.handle:${scheme}`)
      protocolHandlers.set(scheme, handler)
    }),
  }
  const app = Object.assign(new EventEmitter(), {
    isPackaged: false,
    // Tests set these; until then nothing can be written there by accident.
    userData: '/dev/null/userData',
    documents: '/dev/null/Documents',
    quit: vi.fn(),
    exit: vi.fn(),
    whenReady: vi.fn(() => {
      calls.push('app.whenReady')
      return Promise.resolve()
    }),
    enableSandbox: vi.fn(() => void calls.push('app.enableSandbox')),
    requestSingleInstanceLock: vi.fn(() => true),
    getPath(name: string) {
      if (name === 'userData') return app.userData
      if (name === 'documents') return app.documents
      return `/dev/null/${name}`
    },
    getVersion: () => '0.0.0-test',
    getName: () => 'sgdscope',
    setAboutPanelOptions: vi.fn(),
    addRecentDocument: vi.fn(),
    clearRecentDocuments: vi.fn(),
  })
  let headersListener: ((details: unknown, cb: (r: unknown) => void) => void) | null = null
  let permissionRequest:
    ((wc: unknown, permission: string, cb: (ok: boolean) => void, details?: unknown) => void) | null = null
  let permissionCheck: ((...a: unknown[]) => boolean) | null = null
  let devicePermission: ((...a: unknown[]) => boolean) | null = null
  const session = {
    defaultSession: {
      webRequest: {
        onHeadersReceived: vi.fn((l: typeof headersListener) => void (headersListener = l)),
      },
      setPermissionRequestHandler: vi.fn((h: typeof permissionRequest) => void (permissionRequest = h)),
      setPermissionCheckHandler: vi.fn((h: typeof permissionCheck) => void (permissionCheck = h)),
      setDevicePermissionHandler: vi.fn((h: typeof devicePermission) => void (devicePermission = h)),
    },
  }
  const ipcMain = Object.assign(new EventEmitter(), {
    handle: vi.fn((channel: string, h: Handler) => {
      if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
      handlers.set(channel, h)
    }),
    removeHandler: vi.fn((channel: string) => void handlers.delete(channel)),
  })
  const menus: { template: unknown[] }[] = []
  const Menu = {
    buildFromTemplate: vi.fn((template: unknown[]) => ({ template })),
    setApplicationMenu: vi.fn((m: { template: unknown[] } | null) => void (m && menus.push(m))),
  }
  const dialog = {
    showOpenDialog: vi.fn(async (..._a: unknown[]) => ({ canceled: true, filePaths: [] as string[] })),
    showSaveDialog: vi.fn(async (..._a: unknown[]) => ({ canceled: true, filePath: '' })),
    showMessageBox: vi.fn(async (..._a: unknown[]) => ({ response: 0, checkboxChecked: false })),
    showErrorBox: vi.fn(),
  }
  const shell = { openExternal: vi.fn(async (_url: string) => {}), openPath: vi.fn(async () => '') }
  const screen = { getAllDisplays: vi.fn(() => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }]) }
  const rendererListeners = new Map<string, ((event: unknown, ...a: unknown[]) => void)[]>()
  const ipcRenderer = {
    invoke: vi.fn(async (..._a: unknown[]): Promise<unknown> => undefined),
    on: vi.fn((channel: string, l: (event: unknown, ...a: unknown[]) => void) => {
      rendererListeners.set(channel, [...(rendererListeners.get(channel) ?? []), l])
      return ipcRenderer
    }),
    send: vi.fn(),
    sendSync: vi.fn(),
  }
  const contextBridge = { exposeInMainWorld: vi.fn() }

  return {
    app,
    protocol,
    calls,
    protocolHandlers,
    session,
    ipcMain,
    Menu,
    dialog,
    shell,
    screen,
    ipcRenderer,
    contextBridge,
    BrowserWindow: FakeBrowserWindow,
    // what tests read
    handlers,
    menus,
    rendererListeners,
    get headersListener() {
      return headersListener
    },
    get permissionRequest() {
      return permissionRequest
    },
    get permissionCheck() {
      return permissionCheck
    },
    get devicePermission() {
      return devicePermission
    },
    /** Calls the registered ipcMain.handle listener for channel as Electron would. */
    async invoke(channel: string, event: unknown, ...args: unknown[]) {
      const h = handlers.get(channel)
      if (!h) throw new Error(`No handler registered for '${channel}'`)
      return h(event, ...args)
    },
    /** The menu most recently installed with Menu.setApplicationMenu. */
    lastMenu() {
      return menus[menus.length - 1]?.template as MenuItem[] | undefined
    },
  }
}

export interface MenuItem {
  id?: string
  label?: string
  role?: string
  type?: string
  enabled?: boolean
  accelerator?: string
  submenu?: MenuItem[]
  click?: () => void
}

export let fake = makeFake()

export function resetFake(): void {
  const fresh = makeFake()
  FakeBrowserWindow.all = []
  fake = fresh
}

/** The module object vi.mock('electron') returns: named exports and a default (electron-store
 * uses the default), each a getter, so that resetFake() swaps what the host sees. */
export function electronModule() {
  const mod: Record<string, unknown> = {}
  for (const k of [
    'app',
    'protocol',
    'session',
    'ipcMain',
    'Menu',
    'dialog',
    'shell',
    'screen',
    'ipcRenderer',
    'contextBridge',
    'BrowserWindow',
  ] as const)
    Object.defineProperty(mod, k, { enumerable: true, get: () => fake[k] })
  Object.defineProperty(mod, 'default', { enumerable: true, get: () => mod })
  return mod
}

/** Finds a menu item by id anywhere in a template. */
export function findItem(template: MenuItem[] | undefined, id: string): MenuItem | undefined {
  for (const item of template ?? []) {
    if (item.id === id) return item
    const sub = findItem(item.submenu, id)
    if (sub) return sub
  }
  return undefined
}
