import { stringFlag, wholeNumber } from '../args.js'
import { exitCodes } from '../errors.js'
import type { Command } from './command.js'

/** `serve`: runs the service itself, configured like `npm start` (environment and `.env`). */
export const serveCommand: Command = {
  name: 'serve',
  usage: 'pve-qemu serve [--port 8080] [--host 0.0.0.0]',
  summary: 'run the pve-qemu service (the simulator unless a cluster is configured)',
  details: ['Every other setting comes from the environment and .env; see .env.example.'],
  options: { port: { type: 'string' }, host: { type: 'string' } },
  async run({ values }) {
    const port = wholeNumber(stringFlag(values, 'port'), '--port')
    const host = stringFlag(values, 'host')
    // loaded only here, so the client commands never load the server's modules; the flags go
    // into the configuration it reads, on top of the environment (which stays untouched)
    const { runService } = await import('../../run-service.js')
    await runService({
      ...process.env,
      ...(port === undefined ? {} : { PORT: String(port) }),
      ...(host === undefined ? {} : { HOST: host }),
    })
    return exitCodes.ok
  },
}
