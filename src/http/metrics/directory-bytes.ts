import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'

/** Total size of the regular files directly in `dir` (0 when it does not exist yet). */
export async function directoryBytes(dir: string): Promise<number> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    return 0
  }
  let total = 0
  for (const name of names) {
    try {
      const info = await stat(join(dir, name))
      if (info.isFile()) total += info.size
    } catch {
      // removed between the listing and the look: not there any more
    }
  }
  return total
}
