/**
 * The `sgdscope` executable's entry point (built to out/main/cli.js).
 */
import { main } from './main'

/** Ctrl-C once: stop at the next checkpoint, keep every finished snapshot, mark the
 * run interrupted. Twice: exit at once (the run still reads interrupted later,
 * because its lock's process is gone). */
/** Exits once stdout and stderr have drained: when they are pipes (`sgdscope embed --json | jq`)
 * a write can still be queued, and process.exit would cut the output short. */
function exitAfterFlush(code: number) {
  let pending = 2
  const done = () => {
    if (--pending === 0) process.exit(code)
  }
  process.stdout.write('', done)
  process.stderr.write('', done)
}

function runFromTerminal() {
  const ac = new AbortController()
  process.on('SIGINT', () => {
    if (ac.signal.aborted) process.exit(130)
    process.stderr.write('\nstopping after the current step (Ctrl-C again to quit at once)…\n')
    ac.abort()
  })
  process.on('SIGTERM', () => ac.abort())
  main(process.argv.slice(2), ac.signal).then(
    (code) => exitAfterFlush(code),
    (e) => {
      process.stderr.write(`sgdscope: ${(e as Error).stack ?? e}\n`)
      exitAfterFlush(1)
    },
  )
}

runFromTerminal()
