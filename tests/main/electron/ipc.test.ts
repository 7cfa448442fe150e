/**
 * The contract bound to IPC: every request reachable through the one channel, bad
 * requests answered with structured errors that change nothing, calls from anything
 * but the app's own main frame refused before the service sees them, events forwarded.
 */
import * as path from 'node:path'
import { pathToFileURL } from 'node:url'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { REQUEST_NAMES, REQUESTS, EVENT_NAMES, type EventName, type Events } from '../../../src/shared/api/contract'
import { Service } from '../../../src/main/service'
import { FileSettingsStore } from '../../../src/main/settings'
import { bindContract, type ContractBinding } from '../../../src/main/electron/ipc'
import { CALL_CHANNEL, CANCEL_CHANNEL, EVENT_CHANNEL, type CallReply } from '../../../src/shared/api/transport'
import type { AppLocation } from '../../../src/main/electron/security'
import { tempDir } from '../../helpers/tmp'
import { PRESET_IDS } from '../../../src/shared/presets'
import { FakeFrame, FakeWebContents, fake, resetFake } from './fake-electron'

vi.mock('electron', async () => (await import('./fake-electron')).electronModule())

const root = tempDir('sgdscope-ipc-')
const indexHtml = path.join(root, 'app', 'out', 'renderer', 'index.html')
const loc: AppLocation = { indexUrl: pathToFileURL(indexHtml).href }

let n = 0
function setup(opts: { loc?: AppLocation } = {}) {
  resetFake()
  const settings = new FileSettingsStore(path.join(root, `config-${++n}`))
  const service = new Service({ host: 'electron', settings })
  const reports: string[] = []
  const binding: ContractBinding = bindContract({
    ipcMain: fake.ipcMain,
    service,
    loc: opts.loc ?? loc,
    report: (m) => reports.push(m),
  })
  const wc = new FakeWebContents()
  wc.mainFrame.url = (opts.loc ?? loc).devUrl ?? `${loc.indexUrl}#/project`
  binding.attach(wc)
  const call = (name: unknown, args?: unknown, event: unknown = wc.invokeEvent()) =>
    fake.invoke(CALL_CHANNEL, event, name, args) as Promise<CallReply>
  return { service, settings, binding, wc, call, reports }
}

describe('the IPC binding of the contract', () => {
  let s: ReturnType<typeof setup>
  beforeEach(() => {
    s = setup()
  })

  it('registers exactly one invoke channel, for every request', () => {
    expect(fake.ipcMain.handle).toHaveBeenCalledTimes(1)
    expect(fake.ipcMain.handle.mock.calls[0][0]).toBe(CALL_CHANNEL)
  })

  it('answers a good request with {ok: true, result}', async () => {
    const r = await s.call('app.info', {})
    expect(r.ok).toBe(true)
    if (r.ok) expect(r.result).toMatchObject({ host: 'electron', settings: { theme: 'system' } })
    const presets = await s.call('presets.list', {})
    expect(presets.ok && Array.isArray(presets.result) && presets.result.length).toBe(PRESET_IDS.length)
  })

  it.each(REQUEST_NAMES)('reaches %s: bad arguments get a bad-input error, not a crash', async (name) => {
    const spy = vi.spyOn(s.service, 'call')
    for (const bad of [42, 'x', [1, 2], true]) {
      const r = await s.call(name, bad)
      expect(r).toEqual({
        ok: false,
        error: {
          code: 'bad-input',
          message: expect.stringContaining(name),
          details: { issues: [expect.objectContaining({ path: '' })] },
        },
      })
    }
    // The service saw each call: the binding passes every name through, none is special-cased.
    expect(spy).toHaveBeenCalledTimes(4)
    expect(REQUESTS[name].args.safeParse(42).success).toBe(false)
  })

  it('answers an unknown or malformed request name with not-found (what: request)', async () => {
    for (const name of ['runs.delete', '', '__proto__', 'constructor', 42, null, undefined, { name: 'app.info' }]) {
      const r = await s.call(name, {})
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.error).toMatchObject({ code: 'not-found', details: { what: 'request', which: String(name) } })
    }
  })

  it('a bad request changes nothing', async () => {
    const before = await s.settings.settings()
    const r = await s.call('settings.set', { workers: 'lots', theme: 'neon' })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.message).toMatch(/workers/)
    expect(await s.settings.settings()).toEqual(before)
    const good = await s.call('settings.set', { workers: 3 })
    expect(good).toEqual({ ok: true, result: expect.objectContaining({ workers: 3 }) })
  })

  it('passes the service’s own errors through as {code, message}', async () => {
    const r = await s.call('runs.list', {})
    expect(r).toEqual({
      ok: false,
      error: {
        code: 'conflict',
        message: expect.stringMatching(/no project is open/),
        details: { reason: 'no-project' },
      },
    })
    const nf = await s.call('project.open', { dir: path.join(root, 'missing.sgdscope') })
    expect(nf.ok === false && nf.error).toMatchObject({ code: 'not-found', details: { what: 'project' } })
  })

  it('turns an unexpected exception into code "internal" and reports it', async () => {
    vi.spyOn(s.service, 'call').mockRejectedValueOnce(new TypeError('boom'))
    expect(await s.call('app.info', {})).toEqual({
      ok: false,
      error: { code: 'internal', message: 'boom', details: {} },
    })
    expect(s.reports.join('\n')).toMatch(/app\.info failed: TypeError: boom/)
    vi.spyOn(s.service, 'call').mockRejectedValueOnce('a string')
    expect(await s.call('app.info', {})).toEqual({
      ok: false,
      error: { code: 'internal', message: 'a string', details: {} },
    })
  })

  describe('refuses calls that do not come from the app’s own main frame', () => {
    const cases: [string, (wc: FakeWebContents) => unknown][] = [
      ['a remote page', (wc) => wc.invokeEvent(new FakeFrame('https://evil.example/index.html'))],
      ['another file', (wc) => wc.invokeEvent(new FakeFrame(pathToFileURL(path.join(root, 'downloaded.html')).href))],
      [
        'a file beside index.html',
        (wc) => wc.invokeEvent(new FakeFrame(pathToFileURL(path.join(path.dirname(indexHtml), 'other.html')).href)),
      ],
      ['a data: URL', (wc) => wc.invokeEvent(new FakeFrame('data:text/html,<script>1</script>'))],
      ['about:blank', (wc) => wc.invokeEvent(new FakeFrame('about:blank'))],
      [
        'a dev-server-like origin that is not configured',
        (wc) => wc.invokeEvent(new FakeFrame('http://localhost:5173/')),
      ],
      [
        'a subframe showing the app',
        (wc) => {
          const f = new FakeFrame(loc.indexUrl)
          f.parent = wc.mainFrame
          return wc.invokeEvent(f)
        },
      ],
      ['a frame that is gone', (wc) => wc.invokeEvent(null)],
      ['a webContents that was never attached', () => new FakeWebContents().invokeEvent(new FakeFrame(loc.indexUrl))],
    ]
    it.each(cases)('%s → unauthorized, service not called', async (_what, event) => {
      const spy = vi.spyOn(s.service, 'call')
      const r = await s.call('project.open', { dir: path.join(root, 'x.sgdscope'), create: true }, event(s.wc))
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.error.code).toBe('unauthorized')
      expect(spy).not.toHaveBeenCalled()
    })
  })

  it('accepts the app page with any query or hash, and the dev server when configured', async () => {
    for (const url of [loc.indexUrl, `${loc.indexUrl}?x=1`, `${loc.indexUrl}#/runs/1`]) {
      expect((await s.call('app.info', {}, s.wc.invokeEvent(new FakeFrame(url)))).ok).toBe(true)
    }
    const dev = setup({ loc: { ...loc, devUrl: 'http://localhost:5173/' } })
    expect((await dev.call('app.info', {}, dev.wc.invokeEvent(new FakeFrame('http://localhost:5173/#/x')))).ok).toBe(
      true,
    )
    const r = await dev.call('app.info', {}, dev.wc.invokeEvent(new FakeFrame(loc.indexUrl)))
    expect(r.ok === false && r.error.code).toBe('unauthorized')
  })

  it('forwards service events to the window on the event channel', async () => {
    const dir = path.join(root, 'events.sgdscope')
    const r = await s.call('project.open', { dir, create: true })
    expect(r.ok).toBe(true)
    const sent = s.wc.sent.filter((m) => m.channel === EVENT_CHANNEL)
    expect(sent.map((m) => m.args[0])).toContain('project.changed')
    const changed = sent.find((m) => m.args[0] === 'project.changed')!
    expect(changed.args[1]).toMatchObject({ dir, name: 'events', runs: [] })
    expect(s.wc.sent.every((m) => m.channel === EVENT_CHANNEL)).toBe(true)
  })

  it('can forward every event of the contract, and the host’s own', () => {
    for (const e of EVENT_NAMES) s.binding.emit(e as EventName, { probe: e } as unknown as Events[EventName])
    expect(s.wc.sent.map((m) => m.args[0])).toEqual(EVENT_NAMES)
    expect(EVENT_NAMES).toContain('ui.command')
  })

  it('skips destroyed windows, survives a failing send, and stops on dispose', async () => {
    const other = new FakeWebContents()
    const detach = s.binding.attach(other)
    s.binding.emit('log', { level: 'info', message: 'one', time: '' })
    expect(other.sent).toHaveLength(1)
    detach()
    s.binding.emit('log', { level: 'info', message: 'two', time: '' })
    expect(other.sent).toHaveLength(1)
    s.wc.send = () => {
      throw new Error('render frame was disposed')
    }
    expect(() => s.binding.emit('log', { level: 'info', message: 'three', time: '' })).not.toThrow()
    expect(s.reports.join('\n')).toMatch(/cannot send log/)
    s.wc.destroyed = true
    expect(() => s.binding.emit('log', { level: 'info', message: 'four', time: '' })).not.toThrow()
    s.binding.dispose()
    expect(fake.ipcMain.removeHandler).toHaveBeenCalledWith(CALL_CHANNEL)
    expect(fake.handlers.has(CALL_CHANNEL)).toBe(false)
  })
})

describe('cancelling over IPC', () => {
  /** A service whose one request waits until its signal aborts, and says what it got. */
  function waiting() {
    resetFake()
    const got: { key?: string; aborted: () => boolean }[] = []
    const service = {
      call: (_name: unknown, _args: unknown, opts?: { signal?: AbortSignal; key?: string }) =>
        new Promise<unknown>((_resolve, reject) => {
          got.push({ key: opts?.key, aborted: () => !!opts?.signal?.aborted })
          opts?.signal?.addEventListener('abort', () => reject(new Error('stopped')))
        }),
      on: () => () => {},
    }
    const binding = bindContract({ ipcMain: fake.ipcMain, service, loc, report: () => {} })
    const wc = new FakeWebContents()
    wc.mainFrame.url = `${loc.indexUrl}#/project`
    const detach = binding.attach(wc)
    const call = (key?: string) => fake.invoke(CALL_CHANNEL, wc.invokeEvent(), 'runs.metrics', {}, key)
    return { got, wc, detach, call }
  }

  it("aborts a call when the renderer sends its key on the cancel channel, and only that window's", async () => {
    const s = waiting()
    const reply = s.call('k1') as Promise<CallReply>
    void s.call('k2')
    await vi.waitFor(() => expect(s.got).toHaveLength(2))
    expect(s.got.map((g) => g.key)).toEqual(['k1', 'k2'])
    fake.ipcMain.emit(CANCEL_CHANNEL, { sender: new FakeWebContents() }, 'k1') // another window: ignored
    expect(s.got[0].aborted()).toBe(false)
    fake.ipcMain.emit(CANCEL_CHANNEL, { sender: s.wc }, 'k1')
    expect(s.got[0].aborted()).toBe(true)
    expect(s.got[1].aborted()).toBe(false)
    expect((await reply).ok).toBe(false)
  })

  it('aborts every call of a window that goes away', async () => {
    const s = waiting()
    void s.call('a')
    void s.call('b')
    await vi.waitFor(() => expect(s.got).toHaveLength(2))
    s.detach()
    expect(s.got.every((g) => g.aborted())).toBe(true)
  })
})
