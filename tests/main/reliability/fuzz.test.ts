/**
 * Hostile and broken input, seeded: random and mutated IDX files, project files, run
 * attributes, spec files and API requests. Each must be accepted or refused with the
 * project's own error naming the problem: never a crash (TypeError, RangeError…), never
 * a hang. `SGDSCOPE_FUZZ_SCALE=10` (what `npm run bench -- fuzz` sets) multiplies every
 * count by ten: ≥ 10,000 cases per parser.
 */
import { promises as fs } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { DatasetError, parseIdx, readIdxFile } from '../../../src/main/datasets/idx'
import { Project } from '../../../src/main/archive/project'
import { ArchiveError, RunArchive } from '../../../src/main/archive/run'
import { checkSpec, parseSpec } from '../../../src/shared/spec'
import { Rng } from '../../../src/main/engine/rng'
import { Service } from '../../../src/main/service'
import { FileSettingsStore } from '../../../src/main/settings'
import { ApiError, REQUEST_NAMES } from '../../../src/shared/api/contract'
import { tempDir } from '../../helpers/tmp'
import { writeTestExternalRun } from '../../helpers/external'
import WebSocket from 'ws'
import { startServer } from '../../../src/main/server'

function openSocket(port: number, token: string): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`)
  ws.on('error', () => {}) // a socket the host closes on purpose
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws))
    ws.once('unexpected-response', () => reject(new Error('refused')))
  })
}

const SCALE = Math.max(1, Number(process.env.SGDSCOPE_FUZZ_SCALE ?? 1) || 1)
/** `n` cases in npm test, n × SCALE in the benchmark. */
const cases = (n: number) => n * SCALE
const count = (n: number) => cases(n).toLocaleString('en-US')

const rng = new Rng(7)
const int = (n: number) => Math.floor(rng.next() * n)
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]

/** A valid idx3 file of n images r×c. */
function idx3(n: number, r: number, c: number): Uint8Array {
  const b = new Uint8Array(16 + n * r * c)
  const v = new DataView(b.buffer)
  v.setUint32(0, 0x0803)
  v.setUint32(4, n)
  v.setUint32(8, r)
  v.setUint32(12, c)
  for (let i = 16; i < b.length; i++) b[i] = int(256)
  return b
}

function mutate(src: Uint8Array): Uint8Array {
  let b = Uint8Array.from(src)
  const ops = 1 + int(4)
  for (let o = 0; o < ops; o++) {
    switch (int(5)) {
      case 0: // flip bytes, often in the header
        for (let k = 0; k < 1 + int(4); k++) b[int(Math.min(b.length, rng.next() < 0.7 ? 16 : b.length))] = int(256)
        break
      case 1: // truncate
        b = b.slice(0, int(b.length + 1))
        break
      case 2: // extend
        b = Uint8Array.from([...b, ...Array.from({ length: 1 + int(40) }, () => int(256))])
        break
      case 3: // random bytes
        b = Uint8Array.from({ length: int(64) }, () => int(256))
        break
      case 4: // huge dimension
        if (b.length >= 12) new DataView(b.buffer).setUint32(4 + 4 * int(2), 0xffffffff - int(1000))
        break
    }
  }
  return b
}

const JSON_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  NaN,
  '',
  'x',
  [],
  {},
  [1, 2],
  { a: 1 },
  '../../etc',
  2 ** 53,
  -0.5,
  'fig1',
]

function mutateJson(v: unknown, depth = 0): unknown {
  if (depth > 3 || rng.next() < 0.2) return pick(JSON_VALUES)
  if (Array.isArray(v)) return v.map((x) => (rng.next() < 0.3 ? mutateJson(x, depth + 1) : x))
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = { ...(v as Record<string, unknown>) }
    for (const k of Object.keys(o)) {
      const r = rng.next()
      if (r < 0.15) delete o[k]
      else if (r < 0.4) o[k] = mutateJson(o[k], depth + 1)
    }
    if (rng.next() < 0.1) o[pick(['extra', '__proto__', 'constructor', 'kind'])] = pick(JSON_VALUES)
    return o
  }
  return rng.next() < 0.5 ? pick(JSON_VALUES) : v
}

describe('fuzz', () => {
  it(`IDX reader: ${count(5000)} mutated files → parsed or a DatasetError`, () => {
    const good = idx3(3, 4, 5)
    let refused = 0
    for (let i = 0; i < cases(5000); i++) {
      const b = mutate(good)
      try {
        const a = parseIdx(b, `case ${i}`)
        expect(a.data.length).toBe(a.dims.reduce((x, y) => x * y, 1))
      } catch (e) {
        if (!(e instanceof DatasetError))
          throw new Error(`case ${i}: ${(e as Error).name}: ${(e as Error).message}`, { cause: e })
        expect((e as Error).message).toMatch(new RegExp(`case ${i}`))
        refused++
      }
    }
    expect(refused).toBeGreaterThan(cases(2500))
  })

  it(`IDX reader: ${count(1000)} corrupt gzip files → a DatasetError`, async () => {
    const dir = tempDir()
    const gz = gzipSync(idx3(2, 3, 3))
    for (let i = 0; i < cases(1000); i++) {
      const f = `${dir}/f${i}.gz`
      await fs.writeFile(f, mutate(gz))
      try {
        readIdxFile(f)
      } catch (e) {
        if (!(e instanceof DatasetError))
          throw new Error(`gzip case ${i}: ${(e as Error).name}: ${(e as Error).message}`, { cause: e })
      }
    }
  })

  it(`spec files: ${count(3000)} mutated specs → a spec or readable problems, never a throw`, () => {
    const base = parseSpec({ snapshots: { at: [0.5, 1] }, lrSchedule: { kind: 'step', every: 2, gamma: 0.5 } })
    const stoch = parseSpec({ kind: 'stochastic' })
    for (let i = 0; i < cases(3000); i++) {
      const input = mutateJson(i % 2 ? base : stoch)
      const r = checkSpec(input)
      if (!r.ok) for (const p of r.problems) expect(p).toMatch(/^\S.*: .+/)
    }
  })

  it(`project.json: ${count(1000)} mutated files → opened or an ArchiveError`, async () => {
    const dir = `${tempDir()}/p.sgdscope`
    const p = await Project.create(dir)
    await p.addRun('r1', 'one')
    const good = JSON.parse(await fs.readFile(p.projectJson, 'utf8'))
    for (let i = 0; i < cases(1000); i++) {
      const text = rng.next() < 0.2 ? JSON.stringify(good).slice(0, int(200)) : JSON.stringify(mutateJson(good))
      await fs.writeFile(p.projectJson, text)
      try {
        const q = await Project.open(dir)
        await q.runIds()
      } catch (e) {
        if (!(e instanceof ArchiveError))
          throw new Error(`project case ${i}: ${(e as Error).name}: ${(e as Error).message}\n${text}`, { cause: e })
      }
    }
  })

  it(`run attributes: ${count(1000)} mutated zarr.json → opened (and readable) or an ArchiveError`, async () => {
    const dir = tempDir()
    const run = await RunArchive.create(`${dir}/r`, {
      id: 'r',
      spec: parseSpec({ nets: 2 }),
      pointShape: [3, 10],
      nets: 2,
      samples: [0, 10],
      epochs: [0, 1],
      metrics: ['test_error'],
      stateSize: 4,
      versions: { sgdscope: 'test' },
    })
    const meta = `${run.dir}/zarr.json`
    const good = JSON.parse(await fs.readFile(meta, 'utf8'))
    let opened = 0
    for (let i = 0; i < cases(1000); i++) {
      await fs.writeFile(meta, JSON.stringify(mutateJson(good)))
      try {
        const r = await RunArchive.open(run.dir)
        await r.progress()
        await r.readTau(1, 1)
        opened++
      } catch (e) {
        if (!(e instanceof ArchiveError))
          throw new Error(`attributes case ${i}: ${(e as Error).name}: ${(e as Error).message}`, { cause: e })
      }
    }
    expect(opened).toBeGreaterThan(0)
  })

  it(`API: ${count(2000)} random requests → a result or an ApiError {code, message}, nothing changed by bad ones`, async () => {
    const root = tempDir()
    const service = new Service({ host: 'browser', settings: new FileSettingsStore(`${root}/config`) })
    await service.call('project.open', { dir: `${root}/api.sgdscope`, create: true })
    const before = await fs.readFile(`${root}/api.sgdscope/project.json`, 'utf8')
    // Requests that change state are sent only with invalid arguments here.
    const mutating = new Set([
      'runs.start',
      'settings.set',
      'project.open',
      'project.close',
      'views.save',
      'views.delete',
      'figures.export',
      'figures.exportAll',
      'figures.exportAnimation',
      'runs.cancel',
      'runs.resume',
    ])
    const names = [...REQUEST_NAMES, 'nope', '', '__proto__', 'constructor', 'toString', 42, null]
    for (let i = 0; i < cases(2000); i++) {
      const name = pick(names)
      const args = mutateJson(
        pick([
          {},
          { runId: 'x' },
          { dir: 5 },
          { spec: { lr: -1 } },
          { runs: [] },
          { view: { kind: 'paths' } },
          [],
          null,
          'str',
        ]),
      )
      // A mutation can make a mutating request valid (runs.start {spec: {}} would start
      // training a default 100-network run): those are not sent.
      if (
        name === 'runs.start' &&
        args &&
        typeof args === 'object' &&
        'spec' in args &&
        checkSpec((args as { spec: unknown }).spec).ok
      )
        continue
      const call = service.call(name, args)
      const timeout = new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`request ${String(name)} hung`)), 10_000),
      )
      try {
        await Promise.race([call, timeout])
        if (typeof name === 'string' && mutating.has(name)) {
          // Valid by chance: only harmless ones can get through with these arguments.
        }
      } catch (e) {
        if (!(e instanceof ApiError))
          throw new Error(
            `request ${String(name)} ${JSON.stringify(args)}: ${(e as Error).name}: ${(e as Error).message}`,
            { cause: e },
          )
        expect(e.code).toMatch(/^(bad-input|not-found|conflict|busy|io|internal)$/)
        expect(e.message.length).toBeGreaterThan(5)
      }
    }
    expect(await fs.readFile(`${root}/api.sgdscope/project.json`, 'utf8')).toBe(before)
    await service.shutdown()
  })
  it(`settings files: ${count(1000)} mutated settings.json → settings (damaged ones kept aside, with a message), never a throw`, async () => {
    const good = {
      settings: { workers: 2, defaultProjectDir: '/home/me/experiments', theme: 'dark' },
      recent: ['/a.sgdscope', '/b.sgdscope'],
    }
    const root = tempDir()
    for (let i = 0; i < cases(1000); i++) {
      const dir = `${root}/c${i}`
      await fs.mkdir(dir)
      const text = rng.next() < 0.2 ? JSON.stringify(good).slice(0, int(120)) : JSON.stringify(mutateJson(good))
      await fs.writeFile(`${dir}/settings.json`, text)
      const problems: string[] = []
      const store = new FileSettingsStore(dir, { onProblem: (m) => problems.push(m) })
      const s = await store.settings()
      expect(s.theme === 'light' || s.theme === 'dark' || s.theme === 'system').toBe(true)
      expect(s.workers === null || (Number.isInteger(s.workers) && s.workers >= 0)).toBe(true)
      for (const m of problems) expect(m).toMatch(/settings\.json/)
      await fs.rm(dir, { recursive: true })
    }
  })

  it(`browser host: ${count(1000)} hostile URLs and WebSocket frames → answered or the socket closed; the host keeps serving`, async () => {
    const root = tempDir()
    await fs.mkdir(`${root}/static`)
    await fs.writeFile(`${root}/static/index.html`, '<!doctype html><title>sgdscope</title>')
    const service = new Service({ host: 'browser', settings: new FileSettingsStore(`${root}/config`), watch: false })
    const server = await startServer({ service, staticDir: `${root}/static` })
    const base = `http://127.0.0.1:${server.port}`
    const junk = (n: number) =>
      Array.from({ length: n }, () =>
        pick(['%', '%z', '%ff', '..', '/', '\\', '\u0000', 'a', '%2e', '?', '#', '\u00e9', '%c0%ae']),
      )
    try {
      for (let i = 0; i < cases(300); i++) {
        const r = await fetch(`${base}/${junk(1 + int(12)).join('')}?token=${server.token}`).catch(() => null)
        if (r) expect([200, 400, 403, 404, 405]).toContain(r.status)
      }
      let ws = await openSocket(server.port, server.token)
      for (let i = 0; i < cases(700); i++) {
        if (ws.readyState !== WebSocket.OPEN) ws = await openSocket(server.port, server.token)
        const kind = int(4)
        if (kind === 0)
          ws.send(
            Uint8Array.from({ length: int(64) }, () => int(256)),
            { binary: rng.next() < 0.5 },
          )
        else if (kind === 1)
          ws.send(JSON.stringify(mutateJson({ id: i, name: pick([...REQUEST_NAMES, 'x']), args: { runId: 'r' } })))
        else if (kind === 2) ws.send(JSON.stringify({ id: i, name: 'app.info', args: {} }).slice(0, int(30)))
        else ws.send(pick(['', 'null', '[]', '{}', '{"id":"1"}', '{"id":1e999}', '"str"', '{"id":1,"name":{}}']))
      }
      ws.close()
      // Still serving: the page and a request on a fresh connection.
      expect((await fetch(`${base}/?token=${server.token}`)).status).toBe(200)
      const fresh = await openSocket(server.port, server.token)
      const reply = await new Promise<{ ok: boolean }>((resolve) => {
        fresh.on('message', (raw) => {
          const m = JSON.parse(String(raw)) as { id?: number; ok: boolean }
          if (m.id === 1) resolve(m)
        })
        fresh.send(JSON.stringify({ id: 1, name: 'app.info', args: {} }))
      })
      expect(reply.ok).toBe(true)
      fresh.close()
    } finally {
      await server.close()
      await service.shutdown()
    }
  })
  it(`archive chunks: ${count(1000)} damaged chunk files → the numbers or an ArchiveError naming the file`, async () => {
    const root = tempDir()
    const { run } = await writeTestExternalRun(`${root}/chunks.sgdscope`, {
      id: 'damaged',
      nets: 2,
      snapshots: 3,
      probe: 5,
      mlp: { inputs: 4, hidden: 3 },
    })
    const chunks: string[] = []
    for (const f of await fs.readdir(run.dir, { recursive: true }))
      if (/(^|\/)c\//.test(f) && (await fs.stat(`${run.dir}/${f}`)).isFile()) chunks.push(f)
    expect(chunks.length).toBeGreaterThan(10)
    let refused = 0
    for (let i = 0; i < cases(1000); i++) {
      const file = `${run.dir}/${pick(chunks)}`
      const good = await fs.readFile(file)
      await fs.writeFile(file, mutate(good))
      try {
        const r = await RunArchive.open(run.dir)
        for (let k = 0; k < 2; k++)
          for (let j = 0; j < 3; j++) {
            expect((await r.readTau(k, j)).length).toBe(5 * 3)
            await r.readMetricsAt(k, j)
            await r.readWeights(k, j)
          }
        await r.readMetrics()
        await r.readDone()
        await r.readTimes()
        await r.readLabels()
      } catch (e) {
        if (!(e instanceof ArchiveError))
          throw new Error(`chunk case ${i} (${file}): ${(e as Error).name}: ${(e as Error).message}`, { cause: e })
        expect((e as Error).message).toMatch(/is damaged|cannot be read|holds/)
        refused++
      } finally {
        await fs.writeFile(file, good)
      }
    }
    expect(refused).toBeGreaterThan(0)
  })
})
