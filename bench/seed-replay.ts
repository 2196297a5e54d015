import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createMemoryHostKeyStore,
  loadOrCreateServiceKey,
  runGuestScript,
  waitForSsh,
} from '../src/guest/index.js'
import { renderInitScript } from '../src/guest/init-script.js'
import { findRelease } from '../src/images/index.js'
import { sleep } from '../src/lib/sleep.js'
import { hashPassword } from '../src/provision/install/password.js'
import { startEmbeddedCli } from '../src/sim/faces/cli/index.js'
import type { TestApp } from '../test/helpers/build-test-app.js'
import { cliStartupMs } from './service.js'

/** The seed's SSH poll interval and its fixed pause before the final events (go-pve-qemu). */
const seedPollMs = 5000
const seedFinalPauseMs = 5000

/**
 * Replays the seed service's command sequence for one install against the same simulator and
 * the same per-command cost: its storage and resource reads, `qm create` without disks,
 * `qm importdisk`, one `qm set` per setting, `qm resize`, `qm start`, SSH polled every 5 s,
 * the init script, `qm reboot`, polling again, and its fixed 5 s pause. Times scale with speed.
 */
export async function replaySeedInstall(
  app: TestApp,
  speed: number,
  vmid: number,
): Promise<number> {
  const release = findRelease('debian', '12')
  if (release === undefined) throw new Error('debian 12 missing from the catalog')
  const image = await app.imageStore.ensure(release)
  const cli = await startEmbeddedCli(app.sim, {
    socketPath: join(app.dataDir, 'seed.sock'),
    startupCostMs: Math.round(cliStartupMs * speed),
  })
  const node = app.sim.mainNode
  const run = async (argv: string[], stdin?: string): Promise<void> => {
    const result = await cli.executorFor(node).run(argv, stdin === undefined ? {} : { stdin })
    if (result.exitCode !== 0)
      throw new Error(`${argv.slice(0, 2).join(' ')} failed: ${result.stderr.trim()}`)
  }
  const key = loadOrCreateServiceKey(app.dataDir)
  const ip = `127.0.0.${vmid}`
  const target = {
    host: ip,
    port: app.config.install.guestSshPort,
    username: 'debian',
    privateKey: key.privateKey,
    hostKeys: createMemoryHostKeyStore(),
  }
  const pollUntilReady = async (): Promise<void> => {
    for (;;) {
      try {
        await waitForSsh({ ...target, timeoutMs: 1000, pollMs: 1000 })
        return
      } catch {
        await sleep(seedPollMs * speed)
      }
    }
  }
  const storage = 'local-lvm'
  const started = performance.now()
  try {
    await run(['pvesm', 'status'])
    await run(['pvesh', 'get', '/cluster/resources', '--output-format', 'json'])
    await run([
      'qm',
      'create',
      String(vmid),
      '--name',
      `seed-${vmid}`,
      '--memory',
      '2048',
      '--cores',
      '2',
      '--cpu',
      'x86-64-v2-AES',
      '--net0',
      'virtio,bridge=vmbr0',
      '--scsihw',
      'virtio-scsi-pci',
      '--ostype',
      'l26',
      '--agent',
      '1',
    ])
    await run(['qm', 'importdisk', String(vmid), image.path, storage])
    await run(['qm', 'set', String(vmid), '--scsi0', `${storage}:vm-${vmid}-disk-0`])
    await run(['qm', 'set', String(vmid), '--ide2', `${storage}:cloudinit`])
    await run(['qm', 'set', String(vmid), '--boot', 'order=scsi0'])
    await run(['qm', 'set', String(vmid), '--serial0', 'socket', '--vga', 'serial0'])
    await run([
      'qm',
      'set',
      String(vmid),
      '--ciuser',
      'debian',
      '--cipassword',
      hashPassword('bench'),
    ])
    // as the seed did: the keys in a file qm reads (a socket on /dev/stdin fails on a real node)
    const keyDir = mkdtempSync(join(tmpdir(), 'seed-keys-'))
    try {
      const keyFile = join(keyDir, 'keys.pub')
      writeFileSync(keyFile, `${key.publicKey}\n`, { mode: 0o600 })
      await run(['qm', 'set', String(vmid), '--sshkeys', keyFile])
    } finally {
      rmSync(keyDir, { recursive: true, force: true })
    }
    await run(['qm', 'set', String(vmid), '--ipconfig0', `ip=${ip}/24,gw=127.0.0.1`])
    await run(['qm', 'resize', String(vmid), 'scsi0', '16G'])
    await run(['qm', 'start', String(vmid)])
    await pollUntilReady()
    await runGuestScript({
      ...target,
      script: renderInitScript(release, { timezone: 'UTC' }),
      onLine: () => undefined,
      timeoutMs: 600_000,
    })
    await run(['qm', 'reboot', String(vmid)])
    await sleep(seedPollMs * speed)
    await pollUntilReady()
    await sleep(seedFinalPauseMs * speed)
    return (performance.now() - started) / 1000
  } finally {
    await cli.close()
  }
}
