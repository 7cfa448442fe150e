/**
 * The desktop app's entry point (built to out/main/index.js; `npm start`).
 */
import { app, dialog } from 'electron'
import { startDesktopApp } from './app'

startDesktopApp().catch((e: unknown) => {
  const err = e as Error
  console.error('sgdscope failed to start:', err)
  dialog.showErrorBox('sgdscope failed to start', err?.stack ?? String(e))
  app.exit(1)
})
