import { vi } from 'vitest'
import { main } from '../../src/main/cli/main'

/** Runs the CLI in this process, capturing what it prints to stdout and stderr. */
export async function runCli(
  argv: string[],
  signal?: AbortSignal,
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = []
  const err: string[] = []
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true))
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true))
  try {
    const code = await main(argv, signal)
    return { code, out: out.join(''), err: err.join('') }
  } finally {
    o.mockRestore()
    e.mockRestore()
  }
}
