#!/usr/bin/env node
// Launcher of the `pve-qemu` command: the compiled CLI (`npm run build` writes dist/; the
// published package ships it built).
import '../dist/cli/main.js'
