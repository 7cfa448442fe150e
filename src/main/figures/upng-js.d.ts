declare module 'upng-js' {
  interface Frame {
    rect: { x: number; y: number; width: number; height: number }
    delay: number
    dispose: number
    blend: number
  }
  export interface Image {
    width: number
    height: number
    depth: number
    ctype: number
    frames: Frame[]
    tabs: Record<string, unknown>
    data: ArrayBuffer
  }
  /** cnum 0 = lossless; dels: each frame's delay in ms (APNG when more than one frame). */
  export function encode(imgs: ArrayBuffer[], w: number, h: number, cnum: number, dels?: number[]): ArrayBuffer
  export function decode(buffer: ArrayBuffer | Uint8Array): Image
  /** Every frame as RGBA8, composited as a viewer shows it. */
  export function toRGBA8(img: Image): ArrayBuffer[]
}
