const units: Record<string, number> = {
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
  PiB: 1024 ** 5,
}

/**
 * Reads a size as Proxmox renders it (`render_bytes`: one decimal and a binary unit, e.g.
 * `3.5 GiB`, `0.0 B`) into bytes. The result is as precise as the text: ±0.05 units.
 */
export function parseByteSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?) ?(B|KiB|MiB|GiB|TiB|PiB)$/.exec(text.trim())
  const unit = match?.[2]
  if (match?.[1] === undefined || unit === undefined) return undefined
  return Math.round(Number(match[1]) * (units[unit] ?? 1))
}
