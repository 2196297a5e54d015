import { spawn } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js'
import { createFakeScreen, movesCursorUp, withoutColours } from './fake-screen.js'
import { pveQemuBin } from './run-pve-qemu.js'

let t: TestApp

beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => {
  await t.close()
})

/**
 * Runs `pve-qemu` on a pseudo-terminal (util-linux `script`, part of every Debian), so it
 * takes its interactive path, and returns everything it drew.
 */
async function onTerminal(
  args: string[],
  when?: { drawn: string; then: () => void },
): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, pveQemuBin, ...args].map((word) => `'${word}'`).join(' ')
  const child = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      PVE_QEMU_URL: t.url,
      TERM: 'xterm',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const seen = output.includes(when?.drawn ?? '')
    output += chunk
    if (!seen && when !== undefined && output.includes(when.drawn)) when.then()
  })
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
  return { code, output }
}

describe('pve-qemu on a terminal', () => {
  it('draws the install live and leaves one finished line per stage with the summary', async () => {
    // the install waits for its VM's SSH until the terminal shows it live
    const release = t.simGuests.faults.holdBoots()
    const { code, output } = await onTerminal(['install', 'debian', '12', '--user', 'deploy'], {
      drawn: 'waiting for ready',
      then: release,
    })
    expect(code).toBe(0)
    // colours, a hidden cursor while drawing, and lines redrawn in place
    expect(output).toContain('\x1b[?25l')
    expect(output).toContain('\x1b[?25h')
    expect(movesCursorUp(output)).toBe(true)
    const screen = createFakeScreen(80, 24)
    screen.write(withoutColours(output))
    const lines = screen.lines()
    const stageLines = lines.filter((line) => /^ {2}[✓✗] /.test(line))
    // every stage of the pipeline but the migration (no --node), and the closing one
    expect(stageLines).toHaveLength(17)
    expect(stageLines.every((line) => line.startsWith('  ✓'))).toBe(true)
    expect(lines.some((line) => /^ {6}│ first-boot setup finished$/.test(line))).toBe(true)
    expect(lines).toContain(
      `  SSH       ssh -p ${t.config.install.guestSshPort} deploy@127.0.0.103`,
    )
    for (const line of lines) expect(line.length).toBeLessThan(80)
  })
})
