/**
 * The preload (sandboxed, built to out/preload/index.cjs): exposes the typed API client
 * as `window.sgdscope` and nothing else — no ipcRenderer, no Node, no Electron objects.
 */
import { contextBridge, ipcRenderer } from 'electron'
import { createBridge } from './client'

contextBridge.exposeInMainWorld('sgdscope', createBridge(ipcRenderer))
