import { renderBytes } from '../format-bytes.js'
import type { Pacer } from '../pacer.js'

export interface CopyOptions {
  pacer: Pacer
  /** bytes to copy */
  size: number
  /** bytes per second at speed 1 */
  bytesPerSecond: number
  print: (line: string) => void
  signal?: AbortSignal
  /** when set, the copy dies with this message about half way */
  failWith?: string
}

/**
 * A `qemu-img convert -p` style copy: `transferred X of Y (Z%)` about once per percent, the
 * 100 % line printed twice, taking size / rate (pve.md §2.4).
 */
export async function copyWithProgress(options: CopyOptions): Promise<void> {
  const { size, print } = options
  const total = renderBytes(size)
  const stepMs = ((size / options.bytesPerSecond) * 1000) / 100
  const line = (percent: number): string =>
    `transferred ${renderBytes(Math.floor((size * percent) / 100))} of ${total} (${percent.toFixed(2)}%)`
  print(line(0))
  for (let percent = 1; percent <= 100; percent++) {
    await options.pacer.wait(stepMs, options.signal)
    if (options.failWith !== undefined && percent === 50) throw new Error(options.failWith)
    print(line(percent))
  }
  print(line(100))
}
