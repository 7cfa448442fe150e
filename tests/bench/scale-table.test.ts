import { describe, expect, it } from 'vitest'
import { cpuFromTime, formatMemory, maxRssFromTime, scaleTable } from '../../bench/scale-table'

const GB = 1024 ** 3

describe('bench scale table', () => {
  it('prints each case’s peak memory beside its goal', () => {
    const lines = scaleTable([
      {
        points: 100_000,
        method: 'sgdscope landmark',
        seconds: 42.3,
        cpuSeconds: 70.25,
        peakBytes: 1.5 * GB,
        stress: 0.21,
        estimate: { low: 0.2, high: 0.22 },
      },
      { points: 100_000, method: 'sgdscope landmark', seconds: 75, peakBytes: 5 * GB, stress: 0.21 },
      { points: 10_000, method: 'sgdscope smacof', seconds: 30, peakBytes: 2 * GB, stress: 0.08 },
      { points: 30_000, method: 'sgdscope smacof', note: 'skipped: n² distances alone 6.7 GB' },
    ])
    expect(lines[0]).toMatch(/^points\s+method\s+wall time\s+CPU\s+peak memory\s+stress-1\s+note$/)
    expect(lines[2]).toContain('1.50 GB (goal ≤ 4 GB ✓)')
    expect(lines[2]).toContain('42.3 s (goal ≤ 60 s ✓)  70.3 s')
    expect(lines[2]).toContain('≈0.2100 (estimated, 95 % CI 0.2000–0.2200)')
    expect(lines[3]).toContain('5.00 GB (goal ≤ 4 GB ✗)')
    expect(lines[3]).toContain('75.0 s (goal ≤ 60 s ✗)')
    expect(lines[4]).toContain('30.0 s (goal ≤ 60 s ✓)')
    expect(lines[4]).toContain('2.00 GB')
    expect(lines[4]).not.toContain('goal ≤ 4 GB')
    expect(lines[4]).toContain('0.0800 (exact)')
    expect(lines[5]).toContain('skipped')
    // Columns line up.
    const at = lines[0]!.indexOf('peak memory')
    for (const l of lines.slice(2, 5)) expect(l.slice(at)).toMatch(/^\d+\.\d\d GB/)
  })

  it('reads the peak resident memory from GNU time -v', () => {
    const err = '\tCommand being timed: "node x"\n\tMaximum resident set size (kbytes): 1048576\n\tExit status: 0\n'
    expect(maxRssFromTime(err)).toBe(GB)
    expect(maxRssFromTime('nothing')).toBeUndefined()
    expect(cpuFromTime('\tUser time (seconds): 12.5\n\tSystem time (seconds): 1.25\n')).toBe(13.75)
    expect(formatMemory({ points: 1, method: 'x' })).toBe('—')
  })
})
