import { mkdirSync, writeFileSync } from 'node:fs'
import * as net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { Service } from '../../../src/main/service'
import { FileSettingsStore } from '../../../src/main/settings'
import { startServer, type RunningServer } from '../../../src/main/server'
import { tempDir } from '../../helpers/tmp'

const root = tempDir()
let server: RunningServer
let service: Service

beforeAll(async () => {
  mkdirSync(`${root}/static/assets`, { recursive: true })
  writeFileSync(`${root}/static/index.html`, '<!doctype html><title>sgdscope</title>')
  writeFileSync(`${root}/static/assets/app.js`, 'console.log(1)')
  service = new Service({ host: 'browser', settings: new FileSettingsStore(`${root}/config`) })
  server = await startServer({ service, staticDir: `${root}/static` })
})
afterAll(async () => {
  await service.shutdown()
  await server.close()
})

function connect(query = `?token=${server.token}`, headers: Record<string, string> = {}) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws${query}`, { headers })
  const events: { event: string; payload: any }[] = []
  /** Errors not about any one request (id null). */
  const errors: any[] = []
  const waiting = new Map<number, (m: any) => void>()
  let id = 0
  ws.on('message', (raw) => {
    const m = JSON.parse(String(raw))
    if (m.event) events.push(m)
    else if (m.id === null) errors.push(m)
    else waiting.get(m.id)?.(m)
  })
  const opened = new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve())
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    ws.on('error', reject)
  })
  const call = async (name: unknown, args?: unknown): Promise<any> => {
    await opened
    const myId = ++id
    return new Promise((resolve) => {
      waiting.set(myId, resolve)
      ws.send(JSON.stringify({ id: myId, name, args }))
    })
  }
  return { ws, opened, call, events, errors, raw: (s: string) => opened.then(() => ws.send(s)) }
}

describe('browser host', () => {
  it('listens on 127.0.0.1 and prints a URL with the token', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[0-9a-f]{32}$`))
  })

  it('serves the app only with the token, then by cookie', async () => {
    const base = `http://127.0.0.1:${server.port}`
    expect((await fetch(`${base}/`)).status).toBe(403)
    expect((await fetch(`${base}/?token=wrong`)).status).toBe(403)
    const ok = await fetch(`${base}/?token=${server.token}`)
    expect(ok.status).toBe(200)
    expect(ok.headers.get('content-security-policy')).toMatch(/default-src 'self'/)
    const cookie = ok.headers.get('set-cookie')!.split(';')[0]
    expect(cookie).toBe(`sgdscope_token_${server.port}=${server.token}`)
    expect((await fetch(`${base}/assets/app.js`, { headers: { cookie } })).status).toBe(200)
    expect((await fetch(`${base}/assets/app.js`)).status).toBe(403)
    expect((await fetch(`${base}/../../etc/passwd`, { headers: { cookie } })).status).toBe(404)
    expect((await fetch(`${base}/?token=${server.token}`, { method: 'POST' })).status).toBe(405)
  })

  it('answers a path that is not valid percent-encoding with 400, and keeps serving', async () => {
    const base = `http://127.0.0.1:${server.port}`
    const bad = await fetch(`${base}/%zz?token=${server.token}`)
    expect(bad.status).toBe(400)
    expect(await bad.text()).toMatch(/%zz is not valid percent-encoding/)
    expect((await fetch(`${base}/?token=${server.token}`)).status).toBe(200)
    // A path that starts with // and is no URL, as a page and as a WebSocket upgrade: 400, no crash.
    const raw = (request: string) =>
      new Promise<string>((resolve) => {
        const s = net.connect(server.port, '127.0.0.1', () => s.write(request))
        let out = ''
        s.on('data', (d) => (out += String(d)))
        s.on('close', () => resolve(out))
        s.on('error', () => resolve(out))
        s.setTimeout(5000, () => s.destroy())
      })
    expect(await raw('GET //..%ff%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 (400|403|404) /,
    )
    const upgrade =
      'GET //..%ff%00 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'
    expect(await raw(upgrade)).toMatch(/^HTTP\/1\.1 (400|403|404) /)
    expect((await fetch(`${base}/?token=${server.token}`)).status).toBe(200)
  })

  it('lets WebSockets connect back to this server only, and a malformed cookie is just no token', async () => {
    const base = `http://127.0.0.1:${server.port}`
    const page = await fetch(`${base}/?token=${server.token}`)
    const connectSrc = /connect-src ([^;]*)/.exec(page.headers.get('content-security-policy') ?? '')![1]!.split(' ')
    expect(connectSrc).toContain(`ws://127.0.0.1:${server.port}`)
    expect(connectSrc.every((s) => s === "'self'" || s.endsWith(`:${server.port}`))).toBe(true)
    const bad = await fetch(`${base}/`, { headers: { cookie: `sgdscope_token_${server.port}=%zz` } })
    expect(bad.status).toBe(403)
    expect((await fetch(`${base}/?token=${server.token}`)).status).toBe(200)
  })

  it('survives hostile WebSocket frames: too large, invalid UTF-8, binary, a flood', async () => {
    const closed = (ws: WebSocket) => new Promise<number>((r) => ws.once('close', (code) => r(code)))
    // Over the 16 MiB limit: that socket is closed (1009, message too big), the host carries on.
    const big = connect()
    await big.opened
    const bigClosed = closed(big.ws)
    big.ws.send('x'.repeat(16 * 1024 * 1024 + 1))
    expect(await bigClosed).toBe(1009)
    // A text frame that is not UTF-8: closed (1007), the host carries on.
    const utf = connect()
    await utf.opened
    const utfClosed = closed(utf.ws)
    utf.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false })
    expect(await utfClosed).toBe(1007)
    // Binary frames are refused with a message; the connection stays usable.
    const c = connect()
    await c.opened
    c.ws.send(Buffer.from('{"id":1,"name":"app.info"}'), { binary: true })
    await new Promise<void>((resolve) => {
      const t = setInterval(() => c.errors.length > 0 && (clearInterval(t), resolve()), 5)
    })
    expect(c.errors[0]?.error).toMatchObject({
      code: 'bad-input',
      message: expect.stringMatching(/binary frames are not requests/),
    })
    expect((await c.call('presets.list')).ok).toBe(true)
    // A flood: every request is answered, those over the rate with a clear refusal.
    const answers = await Promise.all(Array.from({ length: 1500 }, () => c.call('presets.list')))
    const refused = answers.filter((a) => !a.ok)
    expect(refused.length).toBeGreaterThan(0)
    expect(refused[0].error).toMatchObject({ code: 'busy', details: { what: 'connection' } })
    expect(refused[0].error.message).toMatch(/too many requests: at most 500 a second per connection/)
    expect(answers.filter((a) => a.ok).length).toBeGreaterThan(0)
    expect(answers.every((a) => a.ok || /too many requests/.test(a.error.message))).toBe(true)
    c.ws.close()
  })

  it('refuses WebSocket upgrades without the token or from another origin', async () => {
    await expect(connect('').opened).rejects.toThrow(/403/)
    await expect(connect('?token=nope').opened).rejects.toThrow(/403/)
    await expect(connect(`?token=${server.token}`, { origin: 'http://evil.example' }).opened).rejects.toThrow(/403/)
    await expect(
      connect(`?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` }).opened,
    ).resolves.toBeUndefined()
  })

  it('answers bad requests with a structured error and changes nothing', async () => {
    const c = connect()
    expect(await c.call('no.such.request')).toMatchObject({
      ok: false,
      error: { code: 'not-found', details: { what: 'request', which: 'no.such.request' } },
    })
    expect(await c.call('project.open', { dir: 42 })).toMatchObject({
      ok: false,
      error: {
        code: 'bad-input',
        message: expect.stringMatching(/dir/),
        details: { issues: [{ path: 'dir', problem: { kind: 'wrong-type', expected: 'string' } }] },
      },
    })
    expect(await c.call('runs.list')).toMatchObject({
      ok: false,
      error: {
        code: 'conflict',
        message: expect.stringMatching(/no project is open/),
        details: { reason: 'no-project' },
      },
    })
    const reply = new Promise<any>((resolve) => c.ws.once('message', (m) => resolve(JSON.parse(String(m)))))
    await c.raw('{not json')
    expect(await reply).toMatchObject({
      ok: false,
      error: { code: 'bad-input', message: expect.stringMatching(/malformed/) },
    })
    expect(await c.call('app.info')).toMatchObject({ ok: true, result: { host: 'browser' } })
    c.ws.close()
  })

  it('opens a project, trains a small run and streams its progress and status', async () => {
    const c = connect()
    const opened = await c.call('project.open', { dir: `${root}/web.sgdscope`, create: true })
    expect(opened).toMatchObject({ ok: true, result: { name: 'web', runs: [] } })
    const started = await c.call('runs.start', {
      spec: { nets: 2, hidden: 10, epochs: 0.02, probe: 50, trainSubset: 500, snapshots: { firstEpoch: 50 } },
    })
    expect(started.ok).toBe(true)
    const [runId] = started.result.runIds
    for (let i = 0; i < 600 && !c.events.some((e) => e.event === 'run.status' && e.payload.status === 'complete'); i++)
      await new Promise((r) => setTimeout(r, 100))
    const statuses = c.events.filter((e) => e.event === 'run.status').map((e) => e.payload.status)
    expect(statuses).toEqual(['running', 'complete'])
    expect(
      c.events.some(
        (e) =>
          e.event === 'run.snapshot' && e.payload.runId === runId && typeof e.payload.metrics.test_error === 'number',
      ),
    ).toBe(true)
    const runs = await c.call('runs.list')
    expect(runs.result[0]).toMatchObject({ id: runId, status: 'complete', done: 4, total: 4 })
    c.ws.close()
  })
})
