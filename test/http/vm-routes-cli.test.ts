// The whole API suite again, through the cli driver and the fake qm/pvesh/pvesm (issue 3):
// the drivers must not drift apart.
process.env.VM_ROUTES_DRIVER = 'cli'
await import('./vm-routes.test.js')
