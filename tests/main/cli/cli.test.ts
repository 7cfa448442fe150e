import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { Project } from '../../../src/main/archive/project'
import { createRun, trainRun } from '../../../src/main/experiments/runner'
import { tempDir } from '../../helpers/tmp'
import { formatBytes, preflightSpec } from '../../../src/main/experiments/estimate'
import { runCli } from '../../helpers/cli-in-process'

/** Runs the CLI in-process, capturing what it prints. */
const cli = (...argv: string[]) => runCli(argv)

const SMALL = [
  '--nets',
  '2',
  '--hidden',
  '16',
  '--epochs',
  '0.05',
  '--probe',
  '100',
  '--set',
  'trainSubset=1000',
  '--set',
  'snapshots.firstEpoch=20',
]

describe('sgdscope CLI', () => {
  const root = tempDir()

  it('runs a scaled-down preset, lists it and shows its info', async () => {
    const p = `${root}/p.sgdscope`
    const r = await cli('run', '--preset', 'fig1', ...SMALL, '--project', p, '--workers', '2')
    expect(r.err).toMatch(/samples\/s/) // progress goes to stderr
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/: complete/)
    expect(r.out).toMatch(/final test error \d+\.\d+%/)
    // The pre-run estimate is printed before training, with spec.preflight's numbers (its
    // disk size is exact whatever the measured speed).
    const proj = await Project.open(p)
    const run = await proj.openRun((await proj.runIds())[0]!)
    const speed = { trainPerSec: 1, evalPerSec: 1, stochasticStepsPerSec: 1, kernel: 'x' }
    const pre = await preflightSpec(run.attrs.spec, 2, async () => speed)
    const est = r.out.match(/estimate: ≈ \S+ of training on 2 threads for 2 snapshots per network, (.+?) on disk/)
    expect(est?.[1]).toBe(formatBytes(pre.estimate!.disk.total))
    expect(r.out.indexOf('estimate:')).toBeLessThan(r.out.indexOf(': complete'))
    const l = await cli('list', '--project', p)
    expect(l.out).toMatch(/^\s+1\s+\S+-fig1-\S+\s+complete\s+4\/4 snapshots/m)
    const i = await cli('info', '1', '--project', p)
    expect(i.code).toBe(0)
    expect(i.out).toMatch(/engine\s+fused/)
    expect(i.out).toMatch(/dataset\s+mnist-deskewed/)
    expect(i.out).toMatch(/test_error/)
    const j = JSON.parse((await cli('info', '1', '--project', p, '--json')).out)
    expect(j.spec).toMatchObject({ preset: 'fig1', nets: 2, hidden: 16, epochs: 0.05, lr: 1 })
    expect(j.metricsPerSnapshot.test_error).toHaveLength(2)
  })

  it('prints the full spec with --dry-run, and trains nothing', async () => {
    const r = await cli('run', '--preset', 'fig5', '--nets', '3', '--dry-run', '--project', `${root}/dry.sgdscope`)
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out)).toMatchObject({ kind: 'mlp', nets: 3, epochs: 500, lr: 5, hidden: 100 })
    await expect(Project.open(`${root}/dry.sgdscope`)).rejects.toThrow()
  })

  it('explains bad input and exits non-zero', async () => {
    expect((await cli('frobnicate')).code).toBe(2)
    expect((await cli('frobnicate')).err).toMatch(/unknown command "frobnicate"/)
    const bad = await cli('run', '--lr=-3', '--batch', '0', '--project', `${root}/x.sgdscope`)
    expect(bad.code).toBe(2)
    expect(bad.err).toMatch(/lr: /)
    expect(bad.err).toMatch(/batch: /)
    expect((await cli('run', '--preset', 'fig9')).err).toMatch(/unknown preset "fig9" \(presets: fig1, fig2/)
    expect((await cli('run', 'no-such-file.json')).err).toMatch(/cannot read spec file no-such-file\.json/)
    expect((await cli('run', '--bogus')).err).toMatch(/--bogus/)
    await Project.create(`${root}/empty.sgdscope`)
    expect((await cli('resume', 'nope', '--project', `${root}/empty.sgdscope`)).err).toMatch(/no run "nope"/)
    expect((await cli('list', '--project', `${root}/missing.sgdscope`)).err).toMatch(/not an sgdscope project/)
  })

  it('Ctrl-C keeps finished snapshots and marks the run interrupted; resume reaches the uninterrupted result', async () => {
    const p = `${root}/sigint.sgdscope`
    const args = [
      '--nets',
      '2',
      '--hidden',
      '16',
      '--epochs',
      '0.6',
      '--probe',
      '100',
      '--set',
      'trainSubset=1000',
      '--set',
      'snapshots.firstEpoch=30',
    ]
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/main/cli/index.ts', 'run', ...args, '--project', p, '--workers', '1'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    // Interrupt once a few snapshots are on disk.
    const project = await new Promise<Project>((resolve) => {
      // One SIGINT only: a second one quits at once, by design. Polls can overlap
      // when the machine is busy, hence the flag.
      let sent = false
      // Never rejects: every failure means "not there yet".
      const check = async () => {
        try {
          const pr = await Project.open(p)
          const ids = await pr.runIds()
          if (!sent && ids.length && (await (await pr.openRun(ids[0])).progress()).done >= 6 && !sent) {
            sent = true
            clearInterval(poll)
            child.kill('SIGINT')
            resolve(pr)
          }
        } catch {
          /* not there yet */
        }
      }
      const poll = setInterval(() => void check(), 100)
    })
    const code = await new Promise<number | null>((r) => child.on('exit', r))
    expect(out).toMatch(/interrupted/)
    expect(code).toBe(130)
    const [id] = await project.runIds()
    const partial = await project.openRun(id)
    expect(partial.attrs.status).toBe('interrupted')
    const prog = await partial.progress()
    expect(prog.done).toBeGreaterThanOrEqual(6)
    expect(prog.done).toBeLessThan(prog.total)

    const resumed = await cli('resume', id, '--project', p)
    expect(resumed.code).toBe(0)
    expect(resumed.out).toMatch(/complete/)

    const ref = await createRun(project, partial.attrs.spec)
    await trainRun(project, ref.id)
    const a = await project.openRun(id)
    const b = await project.openRun(ref.id)
    for (let k = 0; k < 2; k++)
      for (let j = 0; j < a.attrs.snapshots; j++)
        expect(Buffer.from((await a.readTau(k, j)).buffer).equals(Buffer.from((await b.readTau(k, j)).buffer))).toBe(
          true,
        )
  })
})
