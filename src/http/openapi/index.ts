export { openApi, openApiPaths, type OpenApiOptions } from './openapi-plugin.js'
export { routeDocs, type RouteDoc } from './route-docs.js'
