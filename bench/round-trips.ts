import { get, post } from '../test/helpers/build-test-app.js'
import { readSse } from '../test/helpers/sse-client.js'
import {
  countCommands,
  startBenchService,
  timedInstall,
  totalCommands,
  untilQuiet,
} from './service.js'

export interface RoundTripRow {
  operation: string
  commands: number
  detail: string
  target?: number
}

/** Proxmox commands the cli driver runs per API operation (waits for SSH are not commands). */
export async function measureRoundTrips(): Promise<RoundTripRow[]> {
  const app = await startBenchService({ speed: 0, driver: 'cli' })
  const rows: RoundTripRow[] = []
  const measure = async (
    operation: string,
    work: () => Promise<unknown>,
    target?: number,
  ): Promise<void> => {
    const counts = await countCommands(app, work)
    const detail = Object.entries(counts)
      .map(([key, count]) => `${key} ×${count}`)
      .join(', ')
    rows.push({
      operation,
      commands: totalCommands(counts),
      detail,
      ...(target === undefined ? {} : { target }),
    })
  }
  try {
    // warm the image cache and the CPU-level cache as a running service would have them
    await timedInstall(app, { os: 'debian', version: '12', passwd: 'bench' })
    await measure(
      'install',
      () => timedInstall(app, { os: 'debian', version: '12', passwd: 'bench' }),
      8,
    )
    // the first list has the IP cache read each VM's config once, in the background: counted in a
    // row of its own (to its end), not in whatever operation comes next
    await measure('list (first: IP of each VM read once)', async () => {
      await get(`${app.url}/api/vm/list`)
      await untilQuiet(app)
    })
    await measure('list', () => get(`${app.url}/api/vm/list`), 1)
    await measure('status', () => get(`${app.url}/api/vm/104/status`), 1)
    await measure('stop', () => post(`${app.url}/api/vm/104/stop`))
    await measure('start', () => readSse(`${app.url}/api/vm/104/start`))
    await measure('reboot', () => readSse(`${app.url}/api/vm/104/reboot`))
    await measure('set cpu', () => post(`${app.url}/api/vm/104/set/cpu`, { cpu: 4 }))
    await measure('set memory', () => post(`${app.url}/api/vm/104/set/memory`, { memory: 4096 }))
    await measure('set disk', () => post(`${app.url}/api/vm/104/set/disk`, { disk: '10G' }))
    await measure('migrate', () =>
      readSse(`${app.url}/api/vm/104/set/node`, { body: { node: app.sim.nodes[1] } }),
    )
    await measure('destroy', () => post(`${app.url}/api/vm/104/destroy`))
  } finally {
    await app.close()
  }
  return rows
}
