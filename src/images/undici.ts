/**
 * The parts of undici the image store uses, re-exported by a module that http-client.ts imports
 * dynamically (undici loads on the first download). A static import here, not `await
 * import('undici')` there: in the bundle (scripts/bundle.mjs) a CommonJS package imported
 * dynamically has only a default export, and named ones would be undefined.
 */
export { Agent, EnvHttpProxyAgent, interceptors } from 'undici'
