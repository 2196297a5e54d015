/** A recorded event of an earlier install, as the store keeps it. */
export interface RecordedEvent {
  step: string
  status: string
  message: string
}

/**
 * Which way a stage went, read from its success message: the same stage takes very different
 * times on the import and the clone path, with and without a reboot or a download.
 */
export function stageVariant(step: string, message: string): string {
  if (step === 'VM creation > creating VM') {
    if (message.includes('template') && message.includes(' built ')) return 'template-built'
    if (message.includes('template')) return 'template-ready'
    return 'create'
  }
  if (step === 'VM creation > importing disk image')
    return message.includes('clone of template') ? 'clone' : 'import'
  if (step === 'VM initialization > rebooting VM')
    return message.includes('rebooted') ? 'rebooted' : 'no-reboot'
  if (step === 'OS preparation > downloading OS image')
    return message.includes('completed OS image download') ? 'downloaded' : 'cached'
  return 'default'
}

/** Seconds of each (stage, variant) in the success events of earlier installs: `[+] … (1.23s)`. */
export function collectStageTimes(installs: readonly (readonly RecordedEvent[])[]): StageTimes {
  const samples = new Map<string, number[]>()
  for (const events of installs) {
    for (const event of events) {
      if (event.status !== 'success') continue
      const seconds = /\((\d+(?:\.\d+)?)s\)$/.exec(event.message)?.[1]
      if (seconds === undefined) continue
      const key = `${event.step}\u0000${stageVariant(event.step, event.message)}`
      samples.set(key, [...(samples.get(key) ?? []), Number(seconds)])
    }
  }
  return { samples, installs: installs.length }
}

export interface StageTimes {
  /** seconds per `step\0variant` */
  samples: ReadonlyMap<string, readonly number[]>
  /** how many earlier installs they come from */
  installs: number
}

/** The median time of a stage going a given way; the stage's other ways when that one is new. */
export function estimateStage(
  times: StageTimes,
  step: string,
  variant: string,
): number | undefined {
  const exact = times.samples.get(`${step}\u0000${variant}`)
  if (exact !== undefined && exact.length > 0) return median(exact)
  const any = [...times.samples.entries()]
    .filter(([key]) => key.startsWith(`${step}\u0000`))
    .flatMap(([, values]) => values)
  return any.length > 0 ? median(any) : undefined
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const upper = sorted[middle] ?? 0
  return sorted.length % 2 === 1 ? upper : (upper + (sorted[middle - 1] ?? upper)) / 2
}
