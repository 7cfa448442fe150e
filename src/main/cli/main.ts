/** `sgdscope COMMAND [args]`: parses argv against the table of commands (commands/index.ts). */
import { parseArgs } from 'node:util'
import { UsageError } from './command'
import { COMMANDS } from './commands'
import { SGDSCOPE_VERSION } from '../version'

function help(): string {
  const lines = [
    `sgdscope ${SGDSCOPE_VERSION} — SGD paths of neural-network ensembles in function space`,
    '',
    'commands:',
  ]
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length))
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(width)} ${c.summary}`)
  lines.push('', 'sgdscope COMMAND --help shows a command’s options.')
  return lines.join('\n')
}

export async function main(argv: string[], signal: AbortSignal = new AbortController().signal): Promise<number> {
  const io = {
    out: (l: string) => process.stdout.write(l + '\n'),
    err: (l: string) => process.stderr.write(l + '\n'),
    signal,
  }
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(help())
    return 0
  }
  if (name === '--version' || name === '-V') {
    io.out(SGDSCOPE_VERSION)
    return 0
  }
  const cmd = COMMANDS[name]
  if (!cmd) {
    io.err(`sgdscope: unknown command "${name}"\n\n${help()}`)
    return 2
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`${cmd.summary}\n\nusage: ${cmd.usage}`)
    return 0
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: cmd.options,
      allowPositionals: true,
      strict: true,
    })
    return await cmd.run(positionals, values as Record<string, string | boolean | string[] | undefined>, io)
  } catch (e) {
    const err = e as Error & { code?: string }
    if (err instanceof UsageError || err.code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`sgdscope ${name}: ${err.message}\nusage: ${cmd.usage}`)
      return 2
    }
    io.err(`sgdscope ${name}: ${err.message}`)
    if (process.env.SGDSCOPE_DEBUG) io.err(err.stack ?? '')
    return 1
  }
}
