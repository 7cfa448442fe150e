/**
 * End-to-end harness of the workbench shell: the browser host started in-process (the
 * same Service the desktop app uses, settings in a temporary folder, the built
 * renderer from out/renderer), and Chromium driven by playwright-core the way a
 * person clicks. Screenshots go to tests/artifacts/screenshots/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { startServer, type RunningServer } from '../../src/main/server'
import { Service } from '../../src/main/service'
import { FileSettingsStore } from '../../src/main/settings'

export const CHROMIUM = '/usr/bin/chromium'
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]
export const HAS_CHROMIUM = existsSync(CHROMIUM)
const HERE = path.dirname(fileURLToPath(import.meta.url))
export const RENDERER_DIR = path.resolve(HERE, '../../out/renderer')
export const SCREENSHOTS = path.resolve(HERE, '../artifacts/screenshots')

/** The browser host over a settings folder; stop() and start again to "restart" it. */
export class Host {
  service!: Service
  server!: RunningServer

  constructor(readonly configDir: string) {}

  async start(): Promise<this> {
    if (!existsSync(path.join(RENDERER_DIR, 'index.html')))
      throw new Error(`${RENDERER_DIR} is missing: run \`npm run build\` first (npm test does)`)
    // As `sgdscope serve` makes it: finished runs' views are precomputed in the background.
    this.service = new Service({ host: 'browser', settings: new FileSettingsStore(this.configDir), precompute: true })
    this.server = await startServer({ service: this.service, staticDir: RENDERER_DIR })
    return this
  }

  get url(): string {
    return this.server.url
  }

  /** Stops like Ctrl-C on `sgdscope serve`: training is interrupted, then the server closes. */
  async stop(): Promise<void> {
    await this.service.close()
    await this.server.close()
  }
}

export interface Workbench {
  root: string
  host: Host
  browser: Browser
  context: BrowserContext
  page: Page
  /** Errors the page logged (uncaught exceptions, console errors). */
  pageErrors: string[]
  screenshot(name: string): Promise<string>
  close(): Promise<void>
}

export async function openWorkbench(): Promise<Workbench> {
  const root = mkdtempSync(path.join(tmpdir(), 'sgdscope-e2e-'))
  const host = await new Host(path.join(root, 'config')).start()
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    colorScheme: 'light',
  })
  context.setDefaultTimeout(15_000)
  const page = await context.newPage()
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(String(e)))
  page.on('console', (m) => {
    // A lost connection is an expected console error when the test stops the host.
    if (m.type() === 'error' && !/WebSocket|ERR_CONNECTION_REFUSED|Failed to load resource/.test(m.text()))
      pageErrors.push(m.text())
  })
  if (process.env.SGDSCOPE_E2E_TRACE)
    page.on('websocket', (ws) => {
      ws.on('framesent', (f) => console.log('→', String(f.payload).slice(0, 300)))
      ws.on('framereceived', (f) => console.log('←', String(f.payload).slice(0, 300)))
    })
  mkdirSync(SCREENSHOTS, { recursive: true })
  return {
    root,
    host,
    browser,
    context,
    page,
    pageErrors,
    async screenshot(name: string) {
      const file = path.join(SCREENSHOTS, `${name}.png`)
      // Let transitions and the chart settle.
      await page.waitForTimeout(350)
      await page.screenshot({ path: file })
      return file
    },
    async close() {
      await browser.close().catch(() => undefined)
      await host.stop().catch(() => undefined)
      rmSync(root, { recursive: true, force: true })
    },
  }
}
