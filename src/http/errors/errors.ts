import { AppError } from '../../errors.js'

/** One-line description of each code the HTTP layer answers with on its own. */
export const httpErrorCodes: Record<string, string> = {
  NOT_FOUND: 'no route has that method and path, or no init script has that name',
  INTERNAL: 'a bug of the service; the log has the details',
  ACCESS_DENIED: 'the client address is not in ALLOW_IPS',
  VM_PROTECTED: 'the VM is in PROTECTED_VMIDS or carries PROTECTED_TAG',
  WEB_NOT_BUILT: 'the dashboard files are missing; npm run build:web makes them',
  HOST_NOT_ALLOWED: 'the Host header names a host that is not in ALLOWED_HOSTS (DNS rebinding)',
  ORIGIN_NOT_ALLOWED: 'a changing request came from a web page whose origin is not allowed',
  CROSS_SITE_REFUSED: 'the browser says a changing request came from another site',
  CONNECTIONS_LIMIT: 'MAX_CONNECTIONS connections are open already',
  JOB_FOLLOWERS_LIMIT: 'MAX_FOLLOWERS_PER_JOB streams follow that job already',
  JOB_STREAMS_LIMIT: 'MAX_FOLLOWERS job streams are open already',
}

/** An error the HTTP layer raises itself; its status comes from {@link statusForCode}. */
export class HttpRefusalError extends AppError {
  override readonly name = 'HttpRefusalError'
}
