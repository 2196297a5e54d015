export { startSimGuests } from './start-sim-guests.js'
export type {
  SimGuests,
  SimVmEvent,
  SimVmEventSource,
  StartSimGuestsOptions,
} from './start-sim-guests.js'
export type { SimGuestFaults } from './sim-guest-faults.js'
export { emulateScript } from './emulate-script.js'
export type { ScriptEmulation, ScriptOutputLine } from './emulate-script.js'
