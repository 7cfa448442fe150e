/**
 * Network lists as people type them: "0-9", "0,3,7", "0-4, 8". One parser for the CLI's
 * --nets, the Spawn dialog and the URL's network keys, so they accept the same texts.
 */

export type NetList = { ok: true; nets: number[] } | { ok: false; problem: string }

/** The networks a list names, in the order given (duplicates kept: the caller decides),
 * or why it does not parse. At most `max` networks (a typo like 0-99999999 is refused). */
export function parseNetList(text: string, max = 100_000): NetList {
  const nets: number[] = []
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part.trim())
    if (!m) return { ok: false, problem: `a list like 0-4 or 0,3,7, not "${text}"` }
    const a = Number(m[1])
    const b = m[2] === undefined ? a : Number(m[2])
    if (b < a) return { ok: false, problem: `${part.trim()}: the range is backwards` }
    if (nets.length + (b - a + 1) > max) return { ok: false, problem: `more than ${max} networks` }
    for (let k = a; k <= b; k++) nets.push(k)
  }
  return { ok: true, nets }
}
