/** How many commands a driver ran, per tool and subcommand (`qm start`, `pvesh get`). */
export interface CommandCounter {
  increment(key: string): void
  /** A copy of the counts so far. */
  snapshot(): Record<string, number>
  reset(): void
}

/** An in-memory counter; pass one to several drivers to count them together. */
export function createCommandCounter(): CommandCounter {
  const counts = new Map<string, number>()
  return {
    increment(key) {
      counts.set(key, (counts.get(key) ?? 0) + 1)
    },
    snapshot() {
      return Object.fromEntries(counts)
    },
    reset() {
      counts.clear()
    },
  }
}

/** qm groups whose subcommand is the second word (`qm disk resize`, `qm guest cmd`). */
const groups = new Set(['disk', 'guest', 'cloudinit'])

/** The counting key of an argv: the tool and its subcommand, never an argument's value. */
export function commandKey(argv: readonly string[]): string {
  const [tool = '', sub, second] = argv
  const name = tool.slice(tool.lastIndexOf('/') + 1)
  if (sub === undefined) return name
  if (name === 'qm' && groups.has(sub) && second !== undefined) return `${name} ${sub} ${second}`
  return `${name} ${sub}`
}
