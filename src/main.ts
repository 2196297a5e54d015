import { runService } from './run-service.js'

/** The process `npm start` and the systemd unit run (compiled: `node dist/main.js`). */
runService(process.env).catch((error: unknown) => {
  process.stderr.write(
    `pve-qemu failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  )
  process.exit(1)
})
