// Types of kernel.js, which build.mjs generates (npm run build:wasm; not committed).
/** SHA-256 of the AssemblyScript source, compiler version and options it was built from. */
export declare const sourceHash: string
/** The compiled WebAssembly module, base64-encoded. */
export declare const wasmBase64: string
