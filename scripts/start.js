// `npm start`: the desktop app (electron-vite preview: build, then run Electron on
// out/main/index.js). The Electron binary is not part of the npm package: electron's
// installer downloads it, which needs internet. Where it is missing, or there is no
// display to show a window on, say so and point to the browser host instead of
// failing obscurely. (Never `require('electron')` here: that starts a download.)
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import * as path from 'node:path'

const require = createRequire(import.meta.url)

const BROWSER_HINT =
  'Run the same workbench in your browser instead:\n' +
  '\n' +
  '    npx sgdscope serve [PROJECT]\n' +
  '\n' +
  'It prints a local URL (with an access token) to open.\n'

function fail(why) {
  process.stderr.write(`sgdscope: ${why}\n\n${BROWSER_HINT}`)
  process.exit(1)
}

/** The Electron executable the way electron and electron-vite find it, or null. */
function electronBinary() {
  if (process.env.ELECTRON_EXEC_PATH) return process.env.ELECTRON_EXEC_PATH
  let dir
  try {
    dir = path.dirname(require.resolve('electron/package.json'))
  } catch {
    return null
  }
  let exe = ''
  try {
    exe = readFileSync(path.join(dir, 'path.txt'), 'utf8').trim()
  } catch {
    /* never installed */
  }
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH)
    return path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, exe || 'electron')
  return exe ? path.join(dir, 'dist', exe) : null
}

const binary = electronBinary()
if (!binary || !existsSync(binary)) {
  fail(
    'cannot start the desktop app: the Electron binary is not installed' +
      (binary ? ` (expected at ${binary})` : '') +
      '.\n' +
      'The electron npm package downloads it when it is installed with internet access; here that did not\n' +
      'happen (no internet, or the download failed). With internet, `node node_modules/electron/install.js`\n' +
      'fetches it, and `npm start` then works.',
  )
}
if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  fail('cannot start the desktop app: there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set).')
}

const evite = require.resolve('electron-vite/bin/electron-vite.js')
const r = spawnSync(process.execPath, [evite, 'preview', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, ELECTRON_EXEC_PATH: binary },
})
if (r.error) fail(`cannot run electron-vite: ${r.error.message}`)
process.exit(r.status ?? 1)
