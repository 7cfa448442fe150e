import { describe, expect, it } from 'vitest'
import { STREAM_ABOVE } from '../../../src/shared/embedding-scale'
import { writeTestExternalRun } from '../../helpers/external'
import { runCli } from '../../helpers/cli-in-process'
import { tempDir } from '../../helpers/tmp'

// Just above STREAM_ABOVE points, tiny ones (2 probes × 2 classes): the streamed route end to end.
const NETS = Math.ceil((STREAM_ABOVE + 1) / 100)

describe('sgdscope embed at scale', () => {
  it('defaults to landmark above STREAM_ABOVE points, streams it, marks its stress as estimated and caches it', async () => {
    const dir = tempDir()
    await writeTestExternalRun(dir, {
      id: 'big',
      nets: NETS,
      snapshots: 100,
      probe: 2,
      classes: 2,
      outputs: 'probabilities',
    })
    const first = await runCli(['embed', 'big', '--project', dir])
    expect(first.code).toBe(0)
    expect(first.err).toContain(
      `${(NETS * 100).toLocaleString('en-US')} points is above 12,000: the default method is landmark`,
    )
    expect(first.out).toMatch(
      /tau view, landmark: Kruskal stress-1 ≈ \d\.\d{4} \(estimated, 95 % CI \d\.\d{4}–\d\.\d{4}\)/,
    )
    const again = await runCli(['embed', 'big', '--project', dir, '--json'])
    const r = JSON.parse(again.out) as {
      cached: boolean
      stressEstimate?: { low: number; high: number }
      fit: { estimate?: unknown }
    }
    expect(r.cached).toBe(true)
    expect(r.stressEstimate!.low).toBeLessThanOrEqual(r.stressEstimate!.high)
    expect(r.fit.estimate).toBeDefined()
    // κ too (Hamming fractions from the one-hot Gram blocks).
    const kappa = await runCli(['embed', 'big', '--view', 'kappa', '--project', dir])
    expect(kappa.code).toBe(0)
    expect(kappa.out).toContain('kappa view, landmark')
  }, 300_000)
})
