/**
 * The `sgdscope` executable's entry point (built to out/main/cli.js).
 */
import { main } from './main'

/** Ctrl-C once: stop at the next checkpoint, keep every finished snapshot, mark the
 * run interrupted. Twice: exit at once (the run still reads interrupted later,
 * because its lock's process is gone). */
function runFromTerminal() {
  const ac = new AbortController()
  process.on('SIGINT', () => {
    if (ac.signal.aborted) process.exit(130)
    process.stderr.write('\nstopping after the current step (Ctrl-C again to quit at once)…\n')
    ac.abort()
  })
  process.on('SIGTERM', () => ac.abort())
  main(process.argv.slice(2), ac.signal).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`sgdscope: ${(e as Error).stack ?? e}\n`)
      process.exit(1)
    },
  )
}

runFromTerminal()
