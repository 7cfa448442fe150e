// `npm start`: the desktop app. Where the Electron binary is missing (it is fetched by
// electron's own installer, which needs internet), say so and point to the browser host.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
let binary = null
try {
  binary = require('electron') // the path of the Electron executable
} catch {
  binary = null
}
if (!binary || typeof binary !== 'string' || !existsSync(binary)) {
  process.stderr.write(
    'The Electron binary is not installed here (electron downloads it on `npm install` when it has internet).\n' +
      'Use the command-line tool instead: `npx sgdscope --help`.\n',
  )
  process.exit(1)
}
const r = spawnSync(process.execPath, [require.resolve('electron-vite/bin/electron-vite.js'), 'preview'], { stdio: 'inherit' })
process.exit(r.status ?? 1)
