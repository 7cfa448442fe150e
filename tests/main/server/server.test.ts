import { mkdirSync, writeFileSync } from 'node:fs'
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
  const waiting = new Map<number, (m: any) => void>()
  let id = 0
  ws.on('message', (raw) => {
    const m = JSON.parse(String(raw))
    if (m.event) events.push(m)
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
  return { ws, opened, call, events, raw: (s: string) => opened.then(() => ws.send(s)) }
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
    expect(cookie).toBe(`sgdscope_token=${server.token}`)
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
  })

  it('refuses WebSocket upgrades without the token or from another origin', async () => {
    await expect(connect('').opened).rejects.toThrow(/403/)
    await expect(connect('?token=nope').opened).rejects.toThrow(/403/)
    await expect(connect(`?token=${server.token}`, { origin: 'http://evil.example' }).opened).rejects.toThrow(/403/)
    await expect(connect(`?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` }).opened).resolves.toBeUndefined()
  })

  it('answers bad requests with a structured error and changes nothing', async () => {
    const c = connect()
    expect(await c.call('no.such.request')).toMatchObject({ ok: false, error: { code: 'unknown-request' } })
    expect(await c.call('project.open', { dir: 42 })).toMatchObject({ ok: false, error: { code: 'bad-request', message: expect.stringMatching(/dir/) } })
    expect(await c.call('runs.list')).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/no project is open/) } })
    const reply = new Promise<any>((resolve) => c.ws.once('message', (m) => resolve(JSON.parse(String(m)))))
    await c.raw('{not json')
    expect(await reply).toMatchObject({ ok: false, error: { code: 'bad-request', message: expect.stringMatching(/malformed/) } })
    expect(await c.call('app.info')).toMatchObject({ ok: true, result: { host: 'browser' } })
    c.ws.close()
  })

  it('opens a project, trains a small run and streams its progress and status', async () => {
    const c = connect()
    const opened = await c.call('project.open', { dir: `${root}/web.sgdscope`, create: true })
    expect(opened).toMatchObject({ ok: true, result: { name: 'web', runs: [] } })
    const started = await c.call('runs.start', { spec: { nets: 2, hidden: 10, epochs: 0.02, probe: 50, trainSubset: 500, snapshots: { firstEpoch: 50 } } })
    expect(started.ok).toBe(true)
    const [runId] = started.result.runIds
    for (let i = 0; i < 600 && !c.events.some((e) => e.event === 'run.status' && e.payload.status === 'complete'); i++) await new Promise((r) => setTimeout(r, 100))
    const statuses = c.events.filter((e) => e.event === 'run.status').map((e) => e.payload.status)
    expect(statuses).toEqual(['running', 'complete'])
    expect(c.events.some((e) => e.event === 'run.snapshot' && e.payload.runId === runId && typeof e.payload.metrics.test_error === 'number')).toBe(true)
    const runs = await c.call('runs.list')
    expect(runs.result[0]).toMatchObject({ id: runId, status: 'complete', done: 4, total: 4 })
    c.ws.close()
  })
})
