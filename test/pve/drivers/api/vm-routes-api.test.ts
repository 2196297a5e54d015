// The whole API suite again, through the api driver over HTTPS to the simulator's REST face,
// with a token holding only the documented privileges (issue 6): the drivers must not drift.
process.env.VM_ROUTES_DRIVER = 'api'
await import('../../../http/vm-routes.test.js')
