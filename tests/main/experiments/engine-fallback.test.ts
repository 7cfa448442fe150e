/**
 * A broken native TensorFlow backend never falls back in silence (issue 24 item 2): the run
 * records the fallback and its reason (`engine.fallback`, also in `engine.reason`), the
 * runner logs it as a warning (the app toasts warnings), `sgdscope info` prints it on a
 * line of its own, the app's host emits it as a `warn` log event (which the renderer shows
 * as a notice), and a resume replaces the backend's part of the reason instead of
 * repeating it. Broken here means a tfjs-node folder that is not there
 * ($SGDSCOPE_TFJS_NODE_DIR), which fails the same way with or without tfjs-node installed.
 */
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { getGemm } from '../../../src/main/analysis/gemm'
import { Project } from '../../../src/main/archive/project'
import { Service } from '../../../src/main/service'
import { FileSettingsStore } from '../../../src/main/settings'
import { NATIVE_DIR_ENV } from '../../../src/main/engine/tfjs/backend'
import { createRun, trainRun } from '../../../src/main/experiments/runner'
import { runCli } from '../../helpers/cli-in-process'
import { tempDir } from '../../helpers/tmp'

const SMALL = {
  ...{ nets: 2, hidden: 16, batch: 10, epochs: 0.1, probe: 100, trainSubset: 1000, engine: 'tfjs' },
  snapshots: { at: [0.02, 0.05, 0.1] },
}
const missing = path.join(tempDir(), 'no-such-tfjs-node')
const FAILED = `tensorflow backend failed: Cannot find module '${missing}'`

describe('a broken native backend in a run', () => {
  beforeAll(() => {
    process.env[NATIVE_DIR_ENV] = missing
  })
  afterAll(() => {
    delete process.env[NATIVE_DIR_ENV]
  })

  it('is recorded in the run, logged as a warning, shown by sgdscope info, and said once after a resume', async () => {
    const p = `${tempDir()}/fallback.sgdscope`
    const project = await Project.create(p)
    const run = await createRun(project, SMALL)
    const logs: [string, string | undefined][] = []
    // Cancelled as it starts (after the backend is chosen and recorded), then resumed.
    const first = await trainRun(project, run.id, {
      workers: 0,
      signal: AbortSignal.abort(),
      onLog: (l, level) => logs.push([l, level]),
    })
    expect(first).toBe('interrupted')
    const warnings = logs.filter(([, level]) => level === 'warn').map(([l]) => l)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(FAILED)
    expect(warnings[0]).toContain('npm run setup:native')

    let engine = (await project.openRun(run.id)).attrs.engine!
    expect(engine.name).toBe('tfjs')
    expect(engine.backend).toBe('wasm')
    expect(engine.chosen).toBe('requested in the spec')
    expect(engine.fallback).toContain(FAILED)
    expect(engine.reason).toMatch(/^requested in the spec; WebAssembly \(XNNPACK.*\); tensorflow backend failed: /)

    expect(await trainRun(project, run.id, { workers: 0 })).toBe('complete')
    engine = (await project.openRun(run.id)).attrs.engine!
    expect(engine.reason.split('tensorflow backend failed').length).toBe(2) // once, not twice
    expect(engine.reason.split('requested in the spec').length).toBe(2)

    const info = await runCli(['info', '1', '--project', p])
    expect(info.code).toBe(0)
    expect(info.out).toMatch(/^engine\s+tfjs \(wasm\): requested in the spec; WebAssembly/m)
    expect(info.out).toMatch(new RegExp(`^fallback\\s+${FAILED.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'))
    const json = JSON.parse((await runCli(['info', '1', '--project', p, '--json'])).out) as {
      engine: { fallback: string }
    }
    expect(json.engine.fallback).toContain(FAILED)
  })

  it('the app’s host emits it as a warning', async () => {
    const root = tempDir()
    const service = new Service({ host: 'browser', settings: new FileSettingsStore(`${root}/config`) })
    const logs: { level: string; message: string }[] = []
    let done!: () => void
    const finished = new Promise<void>((r) => (done = r))
    service.on((event, payload) => {
      if (event === 'log') logs.push(payload as { level: string; message: string })
      if (event === 'run.status' && ['complete', 'failed'].includes((payload as { status: string }).status)) done()
    })
    await service.request('project.open', { dir: `${root}/s.sgdscope`, create: true })
    await service.request('runs.start', { spec: SMALL })
    await finished
    await service.shutdown()
    const warnings = logs.filter((l) => l.level === 'warn')
    expect(warnings.map((w) => w.message)).toEqual([expect.stringContaining(FAILED)])
  })

  it('the analyses’ matrix products log it too, and use wasm', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      expect((await getGemm()).name).toBe('wasm')
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
        expect.stringContaining(`matrix products: the tensorflow backend failed (Cannot find module '${missing}'`),
      ])
    } finally {
      warn.mockRestore()
    }
  })

  it('engine auto records it too: what it measured tfjs on, and why', async () => {
    const project = await Project.create(`${tempDir()}/auto.sgdscope`)
    const run = await createRun(project, { ...SMALL, engine: 'auto', batch: 20 })
    const engine = run.attrs.engine!
    expect(engine.fallback).toContain(FAILED)
    expect(engine.reason).toMatch(/^auto: tfjs\/wasm [\d,]+ vs fused [\d,]+ samples\/s measured at batch 20/)
    expect(engine.reason).toContain(`(tfjs measured on wasm: ${FAILED}`)
  })
})
