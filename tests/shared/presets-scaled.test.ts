import { describe, expect, it } from 'vitest'
import { PRESETS, scaledPresetName } from '../../src/shared/presets'
import { runCli } from '../helpers/cli-in-process'

describe('scaled-down presets', () => {
  const fig1 = PRESETS.fig1.runs[0]!.spec as Record<string, unknown>
  const fig6 = PRESETS.fig6.runs[0]!.spec as Record<string, unknown>

  it('get a name that says what was scaled', () => {
    expect(fig1.nets).toBe(100)
    expect(scaledPresetName('fig1', fig1, { ...fig1, nets: 8 }, true)).toBe('fig1 (8 of 100 networks)')
    expect(scaledPresetName('fig1', fig1, { ...fig1, nets: 8, epochs: 2, lr: 0.5 }, true)).toBe(
      'fig1 (8 of 100 networks, 2 of 20 epochs, lr 0.5)',
    )
    // Several runs keep their own names, which tell them apart.
    expect(scaledPresetName('fig6', fig6, { ...fig6, nets: 4 }, false)).toBe('fig6: batch 1 (4 of 10 networks)')
    // Unchanged, or named by the user: the name stays.
    expect(scaledPresetName('fig1', fig1, { ...fig1 }, true)).toBeUndefined()
    expect(scaledPresetName('fig1', fig1, { ...fig1, nets: 8, name: 'mine' }, true)).toBeUndefined()
  })

  it('are named so by the CLI', async () => {
    const r = await runCli(['run', '--preset', 'fig1', '--nets', '8', '--dry-run', '--project', '/nonexistent/x'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out).name).toBe('fig1 (8 of 100 networks)')
  })
})
