import { contextBridge, ipcRenderer } from 'electron'

// The typed API client is bound here by the workbench issue; for now the renderer
// only learns which host it runs in.
contextBridge.exposeInMainWorld('sgdscope', {
  host: 'electron',
  invoke: (name: string, args: unknown) => ipcRenderer.invoke('sgdscope:request', name, args),
})
