import { describe, expect, it } from 'vitest'
import { parseNets } from '../../src/main/cli/args'
import { parseNetList } from '../../src/shared/net-list'

describe('parseNetList (the CLI, the Spawn dialog and the URL share it)', () => {
  it('reads ranges and lists, in the order given', () => {
    expect(parseNetList('0-3')).toEqual({ ok: true, nets: [0, 1, 2, 3] })
    expect(parseNetList(' 7, 0 - 2 ,5')).toEqual({ ok: true, nets: [7, 0, 1, 2, 5] })
    expect(parseNetList('3,3')).toEqual({ ok: true, nets: [3, 3] })
  })
  it('says what is wrong', () => {
    expect(parseNetList('0,x')).toEqual({ ok: false, problem: 'a list like 0-4 or 0,3,7, not "0,x"' })
    expect(parseNetList('5-2')).toEqual({ ok: false, problem: '5-2: the range is backwards' })
    expect(parseNetList('0-99999999')).toEqual({ ok: false, problem: 'more than 100000 networks' })
    expect(parseNetList('')).toMatchObject({ ok: false })
    expect(() => parseNets('5-2')).toThrow('--nets takes 5-2: the range is backwards')
  })
})
