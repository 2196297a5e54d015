#!/usr/bin/env node
// Launcher of the `pve-qemu` command: loads the TypeScript sources through tsx (a dependency),
// so the command works from a checkout without a build step.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli/main.ts')
