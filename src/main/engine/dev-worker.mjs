// Worker bootstrap when running from TypeScript sources (tests, `tsx`): worker threads
// do not inherit the parent's TypeScript loader, so register tsx and load the entry.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.__entry)
