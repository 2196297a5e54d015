// The install suite again, through the cli driver and the fake qm/pvesh/pvesm (issue 4), on
// the main node and, for installs with `node`, on another node after the migration.
process.env.INSTALL_ROUTE_DRIVER = 'cli'
await import('./install-route.test.js')
