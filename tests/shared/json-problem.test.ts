import { describe, expect, it } from 'vitest'
import { jsonProblem } from '../../src/shared/json-problem'

const problemOf = (text: string) => {
  try {
    JSON.parse(text)
  } catch (e) {
    return jsonProblem(e)
  }
  throw new Error('parsed')
}

describe('jsonProblem', () => {
  it('says what is wrong with text JSON.parse refused, never quoting the text', () => {
    for (const text of [
      '-----BEGIN OPENSSH PRIVATE KEY-----',
      'root:x:0:0:root:/root:/bin/bash',
      '{"a": SECRET}',
      '{"token": "hunter2"',
      'hunter2 hunter2',
    ]) {
      const p = problemOf(text)
      expect(p).toMatch(/^(a syntax error|it ends before the JSON does)/)
      for (const word of ['BEGIN', 'root', 'SECRET', 'hunter2']) expect(p).not.toContain(word)
    }
    expect(problemOf('')).toBe('it ends before the JSON does')
    expect(problemOf('{"a": 1')).toMatch(/^a syntax error at position 7/)
    expect(problemOf('{"a": 1,}')).toMatch(/^a syntax error at position 8/)
  })
})
