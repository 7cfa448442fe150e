/** `sgdscope embed --starts N` prints a table of the starts and the verdict (issue 18 item 4). */
import { describe, expect, it } from 'vitest'
import { runCli } from '../../helpers/cli-in-process'
import { tempDir } from '../../helpers/tmp'

const cli = (...argv: string[]) => runCli(argv)
const SMALL = ['--nets', '2', '--hidden', '16', '--epochs', '0.05', '--probe', '100']
const SET = ['--set', 'trainSubset=1000', '--set', 'snapshots.firstEpoch=20']

describe('sgdscope embed --starts', () => {
  const p = `${tempDir()}/p.sgdscope`
  it('prints each start (stress-1, passes, disagreement), marks the best and says whether they agree', async () => {
    expect((await cli('run', '--preset', 'fig1', ...SMALL, ...SET, '--project', p)).code).toBe(0)
    const r = await cli('embed', '1', '--starts', '3', '--seed', '4', '--project', p)
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/3 SMACOF starts \(\* = the best, drawn\):/)
    expect(r.out).toMatch(/start\s+from\s+stress-1\s+passes\s+disagreement/)
    expect(r.out).toMatch(/^\s+1\s.*classical\s+\d\.\d{4}\s+\d+\s+\d\.\d{4}$/m)
    expect(r.out).toMatch(/^\s+2\s.*landmark\s+\d\.\d{4}\s+\d+\s+\d\.\d{4}$/m)
    expect(r.out).toMatch(/^\s+3\s.*random \(seed 6\)/m)
    expect(r.out.match(/^\s+\d \*/gm)).toHaveLength(1)
    expect(r.out).toMatch(/the starts agree|the picture is not unique/)
    // The same again comes from the cache, with the same table.
    const again = await cli('embed', '1', '--starts', '3', '--seed', '4', '--project', p)
    expect(again.out).toMatch(/from the cache/)
    const table = (s: string) => s.split('\n').filter((l) => /^\s+\d( \*)?\s+(classical|landmark|random)/.test(l))
    expect(table(again.out)).toEqual(table(r.out))
  }, 300_000)

  it('refuses starts for a method without one, and a bad start', async () => {
    const a = await cli('embed', '1', '--method', 'pca', '--starts', '2', '--project', p)
    expect(a.code).not.toBe(0)
    expect(a.err).toMatch(/--starts applies to SMACOF only/)
    const b = await cli('embed', '1', '--start', 'best', '--project', p)
    expect(b.err).toMatch(/--start must be classical, landmark or random, not "best"/)
    const c = await cli('embed', '1', '--starts', '0', '--project', p)
    expect(c.err).toMatch(/--starts must be a whole number from 1 to 32/)
  })
})
