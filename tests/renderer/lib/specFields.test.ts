/** The New Run form words the host's structured problems, never its message text. */
import { describe, expect, it } from 'vitest'
import { checkSpec } from '../../../src/shared/spec'
import { friendlyProblem } from '../../../src/renderer/src/lib/specFields'

const words = (spec: unknown) => {
  const r = checkSpec(spec)
  if (r.ok) throw new Error('expected problems')
  return Object.fromEntries(r.issues.map((i) => [i.path, friendlyProblem(i)]))
}

describe('friendlyProblem', () => {
  it('words real spec problems from their kind and bounds', () => {
    const w = words({ lr: 0, batch: 2.5, nets: 'x', loss: 'hinge', epochs: null })
    expect(w.lr).toBe('Must be greater than 0.')
    expect(w.batch).toBe('Must be a whole number.')
    expect(w.nets).toBe('Enter a number.')
    expect(w.loss).toBe('Choose one of mse, cross-entropy.')
    expect(w.epochs).toBe('Enter a number.')
  })

  it('does not read the message: the same message with another problem reads differently', () => {
    const message = 'Too small: expected number to be >0'
    expect(
      friendlyProblem({ message, problem: { kind: 'too-small', minimum: 100000, inclusive: true, of: 'number' } }),
    ).toBe('Must be at least 100,000.')
    expect(friendlyProblem({ message, problem: { kind: 'required' } })).toBe('Required.')
    expect(friendlyProblem({ message: 'something odd', problem: { kind: 'invalid' } })).toBe('Something odd.')
  })
})
