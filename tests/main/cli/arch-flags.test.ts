/** `sgdscope run` flags for the architecture and optimiser options (issue 19), checked with --dry-run. */
import { describe, expect, it } from 'vitest'
import { runCli } from '../../helpers/cli-in-process'
import { tempDir } from '../../helpers/tmp'

describe('sgdscope run: architecture and optimiser flags', () => {
  const root = tempDir()
  const dry = async (...argv: string[]) => {
    const r = await runCli(['run', ...argv, '--dry-run', '--project', `${root}/dry.sgdscope`])
    return { ...r, spec: r.code === 0 ? JSON.parse(r.out) : null }
  }

  it('learning-rate schedules and warm-up', async () => {
    const r = await dry('--schedule', 'cosine', '--lr-to', '0.01', '--warmup', '2', '--warmup-start', '0.1')
    expect(r.code).toBe(0)
    expect(r.spec).toMatchObject({
      lrSchedule: { kind: 'cosine', to: 0.01 },
      lrWarmup: { epochs: 2, startFactor: 0.1 },
    })
    const s = await dry('--schedule', 'step', '--lr-every', '5', '--lr-gamma', '0.5')
    expect(s.spec.lrSchedule).toEqual({ kind: 'step', every: 5, gamma: 0.5 })
    const bad = await dry('--schedule', 'exponential')
    expect(bad.code).toBe(2)
    expect(bad.err).toMatch(/lrSchedule\.kind/)
  })
})

describe('sgdscope run: activation, weight decay, Nesterov', () => {
  const root = tempDir()
  const dry = (...argv: string[]) => runCli(['run', ...argv, '--dry-run', '--project', `${root}/dry.sgdscope`])

  it('sets the fields, and refuses Nesterov without momentum with the field named', async () => {
    const r = await dry('--activation', 'tanh', '--weight-decay', '0.0005', '--momentum', '0.9', '--nesterov')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out)).toMatchObject({ activation: 'tanh', weightDecay: 0.0005, momentum: 0.9, nesterov: true })
    const defaults = JSON.parse((await dry()).out)
    expect(defaults).toMatchObject({ activation: 'sigmoid', weightDecay: 0, nesterov: false })
    const bad = await dry('--nesterov')
    expect(bad.code).toBe(2)
    expect(bad.err).toMatch(/nesterov: Nesterov momentum needs a momentum > 0/)
    expect((await dry('--activation', 'gelu')).err).toMatch(/activation/)
  })
})

describe('sgdscope run: depth', () => {
  const root = tempDir()
  const dry = (...argv: string[]) => runCli(['run', ...argv, '--dry-run', '--project', `${root}/dry.sgdscope`])

  it('takes 1–4 widths, keeps one width a number, refuses 5 layers, takes tfjs for deep networks', async () => {
    expect(JSON.parse((await dry('--hidden', '100,50')).out).hidden).toEqual([100, 50])
    expect(JSON.parse((await dry('--hidden', '[64, 32, 16]')).out).hidden).toEqual([64, 32, 16])
    expect(JSON.parse((await dry('--hidden', '80')).out).hidden).toBe(80)
    const five = await dry('--hidden', '5,5,5,5,5')
    expect(five.code).toBe(2)
    expect(five.err).toMatch(/hidden: 1 to 4 hidden layers \(got 5\)/)
    expect((await dry('--hidden', '20,0')).err).toMatch(/hidden.1: a layer's width is a whole number/)
    // The tfjs engine trains deep networks too (engine/tfjs/deep-mlp.ts).
    const tfjs = await dry('--hidden', '20,10', '--engine', 'tfjs')
    expect(tfjs.code).toBe(0)
    expect(JSON.parse(tfjs.out)).toMatchObject({ hidden: [20, 10], engine: 'tfjs' })
  })
})
