/**
 * The settings file of the browser host and the CLI: patches, one writer within a process
 * and across processes (a lock file), and a damaged file kept aside with a clear message.
 */
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { LockedError, withLock } from '../../src/main/archive/lock'
import { Service } from '../../src/main/service'
import { FileSettingsStore } from '../../src/main/settings'
import { ROOT } from '../helpers/cli-process'
import { tempDir } from '../helpers/tmp'

const root = tempDir('sgdscope-settings-')
let n = 0
const freshDir = () => path.join(root, `c${++n}`)

function child(dir: string, label: string, count: number, patches: object[]) {
  const args = [
    '--import',
    'tsx',
    path.join(ROOT, 'tests/main/settings-child.ts'),
    dir,
    label,
    String(count),
    ...patches.map((p) => JSON.stringify(p)),
  ]
  const c = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  let out = ''
  const seen = (word: string) =>
    new Promise<void>((resolve) => {
      const check = () => out.includes(word) && resolve()
      c.stdout!.on('data', (d) => ((out += d), check()))
      check()
    })
  const exited = new Promise<number | null>((r) => c.on('exit', (code) => r(code)))
  return {
    go: () => c.stdin!.write('go\n'),
    ready: seen('ready'),
    done: seen('done'),
    exited,
    output: () => out,
  }
}

describe('settings file', () => {
  it('changes only the keys a patch names', async () => {
    const s = new FileSettingsStore(freshDir())
    expect(await s.settings()).toEqual({
      workers: null,
      defaultProjectDir: null,
      theme: 'system',
    })
    await s.update({ workers: 4, theme: 'dark' })
    expect(await s.update({ defaultProjectDir: '/data' })).toEqual({
      workers: 4,
      defaultProjectDir: '/data',
      theme: 'dark',
    })
    // A key given as undefined names nothing; null is a value (workers: one per core).
    expect(await s.update({ theme: undefined, workers: null })).toEqual({
      workers: null,
      defaultProjectDir: '/data',
      theme: 'dark',
    })
    await expect(s.update({ workers: -1 })).rejects.toThrow()
    expect((await s.settings()).theme).toBe('dark')
  })

  it('20 concurrent changes within one host are all kept', async () => {
    const dir = freshDir()
    const store = new FileSettingsStore(dir, { maxRecent: 100 })
    const service = new Service({ host: 'browser', settings: store })
    const other = new FileSettingsStore(dir, { maxRecent: 100 }) // e.g. a second Service in the same process
    const changes: Promise<unknown>[] = []
    for (let i = 0; i < 9; i++) changes.push(store.addRecent(`/a/${i}.sgdscope`))
    for (let i = 0; i < 8; i++) changes.push(other.addRecent(`/b/${i}.sgdscope`))
    changes.push(service.call('settings.set', { workers: 5 }))
    changes.push(service.call('settings.set', { theme: 'light' }))
    changes.push(service.call('settings.set', { defaultProjectDir: '/projects' }))
    await Promise.all(changes)
    const fresh = new FileSettingsStore(dir, { maxRecent: 100 })
    expect(await fresh.settings()).toEqual({
      workers: 5,
      defaultProjectDir: '/projects',
      theme: 'light',
    })
    const recent = await fresh.recent()
    expect(recent).toHaveLength(17)
    for (let i = 0; i < 9; i++) expect(recent).toContain(`/a/${i}.sgdscope`)
    for (let i = 0; i < 8; i++) expect(recent).toContain(`/b/${i}.sgdscope`)
    expect(existsSync(path.join(dir, 'settings.json.lock'))).toBe(false)
  })

  it('20 concurrent changes from two processes are all kept', async () => {
    const dir = freshDir()
    const a = child(dir, 'a', 8, [{ workers: 3 }, { theme: 'dark' }])
    const b = child(dir, 'b', 9, [{ defaultProjectDir: '/shared/projects' }])
    await Promise.race([Promise.all([a.ready, b.ready]), a.exited, b.exited])
    a.go()
    b.go()
    expect(await a.exited, a.output()).toBe(0)
    expect(await b.exited, b.output()).toBe(0)
    const s = new FileSettingsStore(dir, { maxRecent: 100 })
    expect(await s.settings()).toEqual({
      workers: 3,
      defaultProjectDir: '/shared/projects',
      theme: 'dark',
    })
    const recent = await s.recent()
    const expected = [
      ...Array.from({ length: 8 }, (_, i) => `/a/${i}.sgdscope`),
      ...Array.from({ length: 9 }, (_, i) => `/b/${i}.sgdscope`),
    ]
    expect([...recent].sort()).toEqual(expected.sort())
  })

  it('a corrupt file is renamed aside with a message naming both files, never written over', async () => {
    const dir = freshDir()
    const s0 = new FileSettingsStore(dir)
    await s0.update({ theme: 'dark' })
    const file = path.join(dir, 'settings.json')
    const broken = '{"settings": {"theme": "dark"'
    writeFileSync(file, broken)
    const messages: string[] = []
    const s = new FileSettingsStore(dir, {
      onProblem: (m) => messages.push(m),
    })
    expect(await s.settings()).toEqual({
      workers: null,
      defaultProjectDir: null,
      theme: 'system',
    })
    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatch(
      /settings\.json is not valid JSON \(.+\); it was kept as .*settings\.json\.corrupt-\S+ and the settings start from their defaults/,
    )
    const aside = readdirSync(dir).filter((f) => f.startsWith('settings.json.corrupt-'))
    expect(aside).toHaveLength(1)
    expect(messages[0]).toContain(path.join(dir, aside[0]))
    expect(readFileSync(path.join(dir, aside[0]), 'utf8')).toBe(broken)
    await s.update({ workers: 2 })
    expect(await s.settings()).toMatchObject({ workers: 2 })
    expect(messages).toHaveLength(1)
    // A second damaged file does not replace the first copy.
    writeFileSync(file, '[1, 2')
    expect((await s.settings()).workers).toBeNull()
    expect(readdirSync(dir).filter((f) => f.startsWith('settings.json.corrupt-'))).toHaveLength(2)
    expect(messages[1]).toMatch(/is not valid JSON/)
  })

  it('a file with invalid values keeps the valid ones and the original aside', async () => {
    const dir = freshDir()
    const file = path.join(dir, 'settings.json')
    const s0 = new FileSettingsStore(dir)
    await s0.addRecent('/ok.sgdscope')
    const text = JSON.stringify({
      settings: { workers: -3, theme: 'dark', defaultProjectDir: 7 },
      recent: ['/ok.sgdscope', 5],
    })
    writeFileSync(file, text)
    const messages: string[] = []
    const s = new FileSettingsStore(dir, {
      onProblem: (m) => messages.push(m),
    })
    expect(await s.settings()).toEqual({
      workers: null,
      defaultProjectDir: null,
      theme: 'dark',
    })
    expect(await s.recent()).toEqual(['/ok.sgdscope'])
    expect(messages[0]).toMatch(
      /has invalid values \(workers: -3 is not valid .*; defaultProjectDir: 7 is not valid .*\); it was kept as .*settings\.json\.invalid-/,
    )
    const aside = readdirSync(dir).find((f) => f.startsWith('settings.json.invalid-'))!
    expect(readFileSync(path.join(dir, aside), 'utf8')).toBe(text)
    expect(JSON.parse(readFileSync(file, 'utf8')).settings).toEqual({
      workers: null,
      defaultProjectDir: null,
      theme: 'dark',
    })
  })

  it('a lock left by a dead process is broken; a live holder is waited for, then named', async () => {
    const dir = freshDir()
    const s = new FileSettingsStore(dir)
    await s.update({ theme: 'dark' })
    const lock = path.join(dir, 'settings.json.lock')
    writeFileSync(
      lock,
      JSON.stringify({
        pid: 2 ** 22 + 12345,
        host: (await import('node:os')).hostname(),
        started: '2020-01-01T00:00:00Z',
      }),
    )
    expect(await s.update({ workers: 1 })).toMatchObject({
      workers: 1,
      theme: 'dark',
    })
    expect(existsSync(lock)).toBe(false)
    // Held by a live process (this one, as another holder would): waits, then says who holds it.
    let release!: () => void
    const held = withLock(lock, 'the test', () => new Promise<void>((r) => (release = r)))
    await expect(withLock(lock, 'changing the settings', async () => 1, { timeoutMs: 50 })).rejects.toThrow(LockedError)
    await expect(withLock(lock, 'changing the settings', async () => 1, { timeoutMs: 50 })).rejects.toThrow(
      new RegExp(`changing the settings: waited 0.05 s for process ${process.pid} on .* to release the lock file`),
    )
    const waiting = withLock(lock, 'changing the settings', async () => 'got it')
    release()
    await held
    expect(await waiting).toBe('got it')
    // A lock file nobody can vouch for (no pid written) is broken once it is older than staleMs.
    writeFileSync(lock, '')
    expect(await withLock(lock, 'x', async () => 'taken', { staleMs: 0 })).toBe('taken')
  })
})
