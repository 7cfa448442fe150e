/**
 * The desktop window against the Electron security checklist
 * (https://www.electronjs.org/docs/latest/tutorial/security): context isolation,
 * sandbox, no Node in the page, web security, a strict CSP, no navigation or new
 * windows to remote content, no permissions, and guards on any other webContents.
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it, vi } from 'vitest'
import {
  CONTENT_SECURITY_POLICY,
  CSP_DIRECTIVES,
  isAppUrl,
  isExternalLink,
  secureWebPreferences,
} from '../../../src/main/electron/security'
import { tempDir } from '../../helpers/tmp'
import { FakeWebContents, fake } from './fake-electron'
import { settle, startApp } from './helpers'

vi.mock('electron', async () => (await import('./fake-electron')).electronModule())

const root = tempDir('sgdscope-sec-')
const repo = path.resolve(__dirname, '../../..')

describe('the window', () => {
  it('has the checklist webPreferences', async () => {
    const { win, dir } = await startApp(root, { packaged: true })
    const wp = win.options.webPreferences!
    expect(wp.contextIsolation).toBe(true)
    expect(wp.sandbox).toBe(true)
    expect(wp.nodeIntegration).toBe(false)
    expect(wp.nodeIntegrationInWorker).toBe(false)
    expect(wp.nodeIntegrationInSubFrames).toBe(false)
    expect(wp.webSecurity).toBe(true)
    expect(wp.allowRunningInsecureContent).toBe(false)
    expect(wp.experimentalFeatures).toBe(false)
    expect(wp.webviewTag).toBe(false)
    expect(wp).not.toHaveProperty('enableBlinkFeatures')
    expect(wp).not.toHaveProperty('additionalArguments')
    expect(wp.devTools).toBe(false) // packaged
    expect(wp.preload).toBe(path.join(dir, 'out', 'preload', 'index.cjs'))
    // …and no option anywhere turns a protection off.
    for (const [k, v] of Object.entries(wp))
      if (/insecure|nodeIntegration|experimental/i.test(k)) expect(v, k).toBe(false)
  })

  it('keeps devtools for development only', async () => {
    const { win } = await startApp(root, { packaged: false })
    expect(win.options.webPreferences!.devTools).toBe(true)
    expect(secureWebPreferences('/p', false).devTools).toBe(false)
  })

  it('loads the built page from app://, or the loopback dev server in development', async () => {
    const a = await startApp(root, { packaged: true, devUrl: 'http://localhost:5173/' })
    expect(a.win.webContents.loaded).toBe('app://sgdscope/index.html') // packaged: dev URL ignored
    const b = await startApp(root, { packaged: false, devUrl: 'http://localhost:5173/' })
    expect(b.win.webContents.loaded).toBe('http://localhost:5173/')
    const c = await startApp(root, { packaged: false, devUrl: 'http://example.com:5173/' })
    expect(c.win.webContents.loaded).toBe('app://sgdscope/index.html') // not loopback: ignored
  })

  it('sandboxes every renderer and registers app:// before the app is ready, then serves it', async () => {
    await startApp(root, { packaged: true })
    const ready = fake.calls.indexOf('app.whenReady')
    expect(fake.calls.indexOf('app.enableSandbox')).toBeGreaterThanOrEqual(0)
    expect(fake.calls.indexOf('app.enableSandbox')).toBeLessThan(ready)
    expect(fake.calls.indexOf('protocol.registerSchemesAsPrivileged:app')).toBeLessThan(ready)
    expect(fake.calls.indexOf('protocol.handle:app')).toBeGreaterThan(ready)
    const privileges = fake.protocol.registerSchemesAsPrivileged.mock.calls[0]![0][0]!.privileges
    expect(privileges).toMatchObject({ standard: true, secure: true })
  })

  it('serves app:// from the built renderer folder only, with the CSP header', async () => {
    const { dir } = await startApp(root, { packaged: true })
    const renderer = path.join(dir, 'out', 'renderer')
    mkdirSync(path.join(renderer, 'assets'), { recursive: true })
    writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>sgdscope</title>')
    writeFileSync(path.join(renderer, 'assets', 'app.js'), 'console.log(1)')
    writeFileSync(path.join(dir, 'secret.txt'), 'not for the page')
    const get = (url: string) => Promise.resolve(fake.protocolHandlers.get('app')!({ url }))
    const page = await get('app://sgdscope/index.html')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    expect(await page.text()).toContain('<title>sgdscope</title>')
    expect((await get('app://sgdscope/assets/app.js')).headers.get('content-type')).toMatch(/^text\/javascript/)
    for (const url of [
      'app://sgdscope/../secret.txt',
      'app://sgdscope/%2e%2e/secret.txt',
      'app://sgdscope/..%2fsecret.txt',
      'app://other/index.html',
      'app://sgdscope/nothing.js',
    ])
      expect((await get(url)).status, url).toBe(404)
    expect((await get('app://sgdscope/%zz')).status).toBe(400)
  })

  it('shows itself when ready', async () => {
    const { win } = await startApp(root)
    expect(win.options.show).toBe(false)
    await settle(5)
    expect(win.shown).toBe(true)
  })
})

describe('Content-Security-Policy', () => {
  it('is set on every response, replacing any the server sent', async () => {
    await startApp(root)
    const l = fake.headersListener!
    expect(l).toBeTypeOf('function')
    for (const url of [
      'file:///app/out/renderer/index.html',
      'http://localhost:5173/',
      'http://localhost:5173/src/main.ts',
    ]) {
      let out: { responseHeaders: Record<string, string[]> } | undefined
      l(
        { url, responseHeaders: { 'content-type': ['text/html'], 'content-security-policy': ['default-src *'] } },
        (r) => (out = r as typeof out),
      )
      expect(out!.responseHeaders['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY])
      expect(out!.responseHeaders['content-security-policy']).toBeUndefined()
      expect(out!.responseHeaders['content-type']).toEqual(['text/html'])
    }
  })

  it('is at least as strict as the meta CSP of src/renderer/index.html', () => {
    const html = readFileSync(path.join(repo, 'src/renderer/index.html'), 'utf8')
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)![1]
    const header = new Map(CSP_DIRECTIVES.map(([k, v]) => [k, v]))
    for (const d of meta
      .split(';')
      .map((x) => x.trim())
      .filter(Boolean)) {
      const [k, ...v] = d.split(/\s+/)
      // connect-src: the browser host's page needs its WebSocket; the desktop app none.
      if (k === 'connect-src') for (const src of header.get(k)!.split(' ')) expect(v, k).toContain(src)
      else expect(header.get(k), k).toBe(v.join(' '))
    }
    expect(header.get('connect-src')).toBe("'self'")
  })

  it('allows no remote scripts, eval, inline scripts, plugins or framing', () => {
    const csp = new Map(CSP_DIRECTIVES.map(([k, v]) => [k, v]))
    expect(csp.get('default-src')).toBe("'self'")
    expect(csp.get('script-src')).toBe("'self'")
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|https?:|(^|\s)\*/)
    expect(csp.get('object-src')).toBe("'none'")
    expect(csp.get('frame-ancestors')).toBe("'none'")
  })
})

describe('permissions', () => {
  it('denies every permission request and check', async () => {
    await startApp(root)
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
      const cb = vi.fn()
      fake.permissionRequest!({}, p, cb, {})
      expect(cb).toHaveBeenCalledWith(false)
      expect(fake.permissionCheck!({}, p, 'file://', {})).toBe(false)
    }
    expect(fake.devicePermission!({})).toBe(false)
  })
})

describe('navigation and new windows', () => {
  it('blocks navigation and redirects away from the app', async () => {
    const { win, desk } = await startApp(root)
    const wc = win.webContents
    for (const ev of ['will-navigate', 'will-redirect', 'will-frame-navigate'] as const) {
      expect(wc.fire(ev, 'https://evil.example/'), ev).toBe(true)
      expect(wc.fire(ev, 'file:///etc/passwd'), ev).toBe(true)
      expect(wc.fire(ev, 'http://localhost:5173/'), ev).toBe(true)
      expect(wc.fire(ev, 'javascript:alert(1)'), ev).toBe(true)
      expect(wc.fire(ev, `${desk.loc.indexUrl}#/settings`), ev).toBe(false) // its own page
    }
    expect(wc.fire('will-attach-webview')).toBe(true)
  })

  it('denies window.open; https links go to the system browser, nothing else does', async () => {
    const { win } = await startApp(root)
    const open = win.webContents.windowOpenHandler!
    expect(open({ url: 'https://arxiv.org/abs/1508.02790' })).toEqual({ action: 'deny' })
    expect(fake.shell.openExternal).toHaveBeenCalledWith('https://arxiv.org/abs/1508.02790')
    for (const url of [
      'http://example.com/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'https://user:pw@example.com/',
      'not a url',
    ]) {
      expect(open({ url })).toEqual({ action: 'deny' })
    }
    expect(fake.shell.openExternal).toHaveBeenCalledTimes(1)
  })

  it('guards any other webContents that appears', async () => {
    await startApp(root)
    const stray = new FakeWebContents()
    fake.app.emit('web-contents-created', {}, stray)
    expect(stray.fire('will-navigate', 'https://evil.example/')).toBe(true)
    expect(stray.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' })
    expect(stray.fire('will-attach-webview')).toBe(true)
  })
})

describe('URL rules', () => {
  const indexUrl = pathToFileURL('/opt/sgdscope/resources/app.asar/out/renderer/index.html').href
  it('trusts only the app page', () => {
    const app = { indexUrl: 'app://sgdscope/index.html' }
    expect(isAppUrl('app://sgdscope/index.html#/project', app)).toBe(true)
    expect(isAppUrl('app://sgdscope/other.html', app)).toBe(false)
    expect(isAppUrl('app://evil/index.html', app)).toBe(false)
    expect(isAppUrl(indexUrl, app)).toBe(false)
    expect(isAppUrl(indexUrl, { indexUrl })).toBe(true)
    expect(isAppUrl(`${indexUrl}?a#b`, { indexUrl })).toBe(true)
    expect(isAppUrl(indexUrl.replace('index.html', 'evil.html'), { indexUrl })).toBe(false)
    expect(isAppUrl('file://otherhost/opt/sgdscope/resources/app.asar/out/renderer/index.html', { indexUrl })).toBe(
      false,
    )
    expect(isAppUrl('http://localhost:5173/', { indexUrl, devUrl: 'http://localhost:5173' })).toBe(true)
    expect(isAppUrl('http://localhost:5174/', { indexUrl, devUrl: 'http://localhost:5173' })).toBe(false)
    expect(isAppUrl('http://evil.example/', { indexUrl, devUrl: 'http://evil.example/' })).toBe(false)
    expect(isAppUrl('garbage', { indexUrl })).toBe(false)
  })
  it('opens only https links externally', () => {
    expect(isExternalLink('https://arxiv.org/abs/1508.02790')).toBe(true)
    expect(isExternalLink('http://arxiv.org/')).toBe(false)
    expect(isExternalLink('file:///bin/sh')).toBe(false)
  })
})

describe('layering', () => {
  it('only src/main/electron and src/preload import electron', () => {
    const offenders: string[] = []
    const walk = (d: string) => {
      for (const f of readdirSync(d)) {
        const p = path.join(d, f)
        if (statSync(p).isDirectory()) walk(p)
        else if (
          /\.(ts|vue|js)$/.test(f) &&
          /from\s+['"]electron['"]|require\(['"]electron['"]\)|import\(['"]electron['"]\)/.test(readFileSync(p, 'utf8'))
        )
          offenders.push(path.relative(repo, p))
      }
    }
    walk(path.join(repo, 'src'))
    expect(offenders.filter((f) => !/^src[\\/](main[\\/]electron|preload)[\\/]/.test(f))).toEqual([])
    expect(offenders.length).toBeGreaterThan(0)
  })
})
