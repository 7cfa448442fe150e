#!/usr/bin/env node
// The `sgdscope` command: runs the built CLI (npm install builds it via `prepare`).
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url))
if (!existsSync(cli)) {
  process.stderr.write('sgdscope is not built yet: run `npm run build` in the sgdscope folder first.\n')
  process.exit(1)
}
await import(cli)
