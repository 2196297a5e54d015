const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']

/** Bytes as Proxmox's `render_bytes` prints them: binary units, `precision` decimals (`3.5 GiB`). */
export function renderBytes(value: number, precision = 1): string {
  let unit = 0
  let scaled = value
  if (value > 1023) {
    unit = Math.min(Math.floor(Math.log(value) / Math.log(1024)), units.length - 1)
    scaled = value / 1024 ** unit
  }
  return `${scaled.toFixed(precision)} ${units[unit] ?? 'B'}`
}

/** A disk size as the config's `size=` writes it: the largest unit that divides evenly (`32G`, `3584M`), else bytes. */
export function formatDiskSize(bytes: number): string {
  const steps: [string, number][] = [
    ['T', 1024 ** 4],
    ['G', 1024 ** 3],
    ['M', 1024 ** 2],
    ['K', 1024],
  ]
  for (const [suffix, factor] of steps) {
    if (bytes > 0 && bytes % factor === 0) return `${bytes / factor}${suffix}`
  }
  return String(bytes)
}

/** `HH:MM:SS` as migration logs print a duration. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000))
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${pad(Math.floor(total / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`
}

/** Local time as `YYYY-MM-DD HH:MM:SS`, the prefix of migration log lines. */
export function formatLocalTime(epochMs: number): string {
  const d = new Date(epochMs)
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}
