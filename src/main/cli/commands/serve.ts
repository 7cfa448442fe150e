/** `sgdscope serve`: the workbench in a web browser (the browser host). */
import { spawn } from 'node:child_process'
import { Service } from '../../service'
import { FileSettingsStore } from '../../settings'
import { UsageError, type Command } from '../command'

export const serveCommand: Command = {
  summary: 'the workbench in a web browser: serves the app and its API on 127.0.0.1 with a token',
  usage: 'sgdscope serve [PROJECT] [--port 8765] [--host 127.0.0.1] [--no-browser] [--no-precompute]',
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'no-browser': { type: 'boolean' },
    // A big project on a small machine: views are computed when first asked for, not all at once.
    'no-precompute': { type: 'boolean' },
  },
  async run(positionals, v, io) {
    const port = v.port !== undefined ? Number(v.port) : 8765
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError('--port takes a port number (0 for any free port)')
    const host = String(v.host ?? '127.0.0.1')
    if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1')
      io.err(
        `warning: listening on ${host} makes the workbench reachable from other machines; anyone with the token can run code-heavy jobs on this one`,
      )
    const service = new Service({
      host: 'browser',
      settings: new FileSettingsStore(),
      precompute: !v['no-precompute'],
    })
    if (positionals[0]) await service.call('project.open', { dir: positionals[0], create: true })
    const { startServer } = await import('../../server')
    const server = await startServer({ service, port, host })
    io.out(
      `sgdscope is serving the workbench at\n\n    ${server.url}\n\nOpen that URL in a browser (it carries the access token). Ctrl-C stops the server.`,
    )
    if (!v['no-browser'] && !process.env.CI) {
      const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open'
      spawn(opener, [server.url], { stdio: 'ignore', detached: true })
        .on('error', () => {})
        .unref()
    }
    await new Promise<void>((resolve) =>
      io.signal.aborted ? resolve() : io.signal.addEventListener('abort', () => resolve()),
    )
    io.err('stopping: training runs are marked interrupted and can be resumed')
    await service.close()
    await server.close()
    return 0
  },
}
