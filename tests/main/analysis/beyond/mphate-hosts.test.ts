/** M-PHATE through the CLI (`sgdscope mphate`) and the service's job pool (progress, cancel). */
import * as fs from 'node:fs/promises'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { Project } from '../../../../src/main/archive/project'
import { Service } from '../../../../src/main/service'
import { FileSettingsStore } from '../../../../src/main/settings'
import { runCli } from '../../../helpers/cli-in-process'
import { tempDir } from '../../../helpers/tmp'
import { permutedRun } from './mphate-run'

describe('sgdscope mphate', () => {
  it('prints the report and writes the figure; says what a run lacks', async () => {
    const root = tempDir()
    const dir = path.join(root, 'cli.sgdscope')
    await Project.create(dir)
    await permutedRun(dir)
    const out = path.join(root, 'units.svg')
    const r = await runCli(['mphate', 'perm', '--nets', '0,1', '--color', 'class', '--out', out, '--project', dir])
    expect(r.err).not.toMatch(/error/i)
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/M-PHATE of 6 hidden units \(one layer, sigmoid\) of networks 0 and 1/)
    expect(r.out).toMatch(/5 snapshots \(of 5 with kept weights\)/)
    expect(r.out).toMatch(/network 1: diffusion time t = \d+/)
    expect(r.out).toMatch(/units matched by weight matching at snapshot 4: \d of 6 relabelled/)
    const svg = await fs.readFile(out, 'utf8')
    expect(svg.startsWith('<svg')).toBe(true)
    expect(svg).toContain('class 2')
    const json = await runCli(['mphate', 'perm', '--json', '--max-points', '12', '--project', dir])
    expect(JSON.parse(json.out)).toMatchObject({ nets: [0], snapshots: [0, 4] })
    const bad = await runCli(['mphate', 'perm', '--nets', '0,1,2', '--project', dir])
    expect(bad.code).not.toBe(0)
    expect(bad.err).toMatch(/--nets takes one network, or two/)
    const color = await runCli(['mphate', 'perm', '--color', 'unit', '--project', dir])
    expect(color.err).toMatch(/--color must be epoch or layer or class/)
  }, 120_000)
})

describe('beyond.mphate through the service', () => {
  it('runs in the job pool with progress to the caller, refuses bad arguments, and cancels', async () => {
    const root = tempDir()
    const dir = path.join(root, 'svc.sgdscope')
    await Project.create(dir)
    await permutedRun(dir)
    const service = new Service({ host: 'browser', settings: new FileSettingsStore(`${root}/config`), jobThreads: 1 })
    try {
      await service.call('project.open', { dir })
      const events: { key?: string; stage?: string }[] = []
      const off = service.on((name, e) => {
        if (name === 'job.progress') events.push(e as (typeof events)[number])
      })
      const r = await service.request('beyond.mphate', { runId: 'perm', nets: [0, 1] }, { key: 'mp' })
      off()
      expect(r.figure.networks).toHaveLength(2)
      expect(r.matching?.procrustesResidual).toBeLessThan(1e-9)
      const stages = new Set(events.filter((e) => e.key === 'mp').map((e) => e.stage))
      expect([...stages].some((s) => s?.startsWith('activations'))).toBe(true)
      await expect(service.request('beyond.mphate', { runId: 'perm', nets: [0, 1, 1] })).rejects.toMatchObject({
        code: 'bad-input',
      })
      await expect(service.request('beyond.mphate', { runId: 'perm', gamma: 2 })).rejects.toMatchObject({
        code: 'bad-input',
      })
      const fig = await service.request('beyond.figure', {
        runId: 'perm',
        figure: { kind: 'mphate', nets: [0, 1], color: 'layer' },
        format: 'svg',
      })
      expect(fig.format === 'svg' && fig.data.startsWith('<svg')).toBe(true)
      expect(fig.format === 'svg' && fig.data).toContain('layer 1')
      const abort = new AbortController()
      const pending = service.request('beyond.mphate', { runId: 'perm' }, { signal: abort.signal })
      abort.abort()
      await expect(pending).rejects.toMatchObject({ code: 'cancelled' })
    } finally {
      await service.close()
    }
  }, 120_000)
})
