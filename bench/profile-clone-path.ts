import { Writable } from 'node:stream'
import { createParser } from 'eventsource-parser'
import { pino } from 'pino'
import { buildTestApp } from '../test/helpers/build-test-app.js'
import { cliStartupMs } from './service.js'

/**
 * `npx tsx bench/profile-clone-path.ts [cli|api] [count]`: where one clone-path install's wall
 * time goes. Prints, relative to the request, when each stage event arrived and when each
 * Proxmox command started and ended (cli driver, from the driver's debug log), for the install
 * after a warm-up that builds the template. With a count > 1, that many run at once and each
 * one's timeline is printed. A tool to find waste, not a figure for RESULTS.md.
 */
const driver = process.argv[2] === 'api' ? 'api' : 'cli'
const count = Number(process.argv[3] ?? '1')
const speed = 0.2

interface Mark {
  at: number
  what: string
}

async function main(): Promise<void> {
  const logged: { time: number; record: Record<string, unknown> }[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim() === '') continue
        const record = JSON.parse(line) as Record<string, unknown>
        logged.push({ time: Date.now(), record })
      }
      done()
    },
  })
  const app = await buildTestApp({
    logger: pino({ level: 'debug' }, sink),
    env: {
      SIM_SPEED: String(speed),
      PVE_DRIVER: driver,
      SIM_CLI_STARTUP_MS: driver === 'cli' ? String(Math.round(cliStartupMs * speed)) : '0',
      GUEST_SSH_TIMEOUT: '600',
      TEMPLATES: 'auto',
      INSTALL_REBOOT: 'auto',
      MAX_CONCURRENT_INSTALLS: String(Math.max(count, 4)),
    },
  })
  try {
    await install(app.url, [])
    const began = Date.now()
    const from = logged.length
    const timelines = await Promise.all(
      Array.from({ length: count }, async () => {
        const marks: Mark[] = []
        await install(app.url, marks)
        return marks
      }),
    )
    const total = Date.now() - began
    for (const [index, marks] of timelines.entries()) {
      console.log(`--- install ${index + 1}`)
      for (const mark of marks) console.log(`${fmt(mark.at - began)}  ${mark.what}`)
    }
    console.log('--- pve commands (debug log; time = end, duration from the executor)')
    for (const { time, record } of logged.slice(from)) {
      const message = String(record.msg)
      if (message === 'pve command' || message.startsWith('pve request') || message === 'api') {
        const duration = Number(record.durationMs ?? 0)
        const argv = Array.isArray(record.argv) ? record.argv.slice(0, 4).join(' ') : ''
        console.log(
          `${fmt(time - duration - began)} → ${fmt(time - began)}  ${argv} ${JSON.stringify(record.node ?? '')}`,
        )
      }
    }
    console.log(`total ${fmt(total)} for ${count}`)
  } finally {
    await app.close()
  }
}

async function install(url: string, marks: Mark[]): Promise<void> {
  const started = Date.now()
  const response = await fetch(`${url}/api/vm/install`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ os: 'debian', version: '12', passwd: 'bench' }),
  })
  marks.push({ at: started, what: 'request sent' })
  const parser = createParser({
    onEvent(message) {
      const data = JSON.parse(message.data) as { step?: string; status?: string; message?: string }
      if (data.step === undefined) return
      marks.push({
        at: Date.now(),
        what: `${data.step} [${data.status ?? ''}] ${(data.message ?? '').slice(0, 100)}`,
      })
    },
  })
  const body = response.body
  if (body === null) throw new Error('no body')
  const decoder = new TextDecoder()
  // Node's web stream: each chunk as it arrives, so every event gets its own time
  for await (const chunk of body as AsyncIterable<Uint8Array>)
    parser.feed(decoder.decode(chunk, { stream: true }))
  marks.push({ at: Date.now(), what: 'stream closed' })
}

const fmt = (ms: number): string => `${(ms / 1000).toFixed(2).padStart(6)}s`

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)
