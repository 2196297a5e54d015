/**
 * The one line to print when the service cannot listen: for a port already in use, what that
 * means and how to pick another, instead of Node's `listen EADDRINUSE: address already in use`.
 */
export function explainListenError(error: unknown, port: number, host: string): Error {
  const code =
    typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined
  if (code === 'EADDRINUSE') {
    const next = port === 65535 ? port - 1 : port + 1
    return new Error(
      `port ${port} on ${host} is already taken by another program (another pve-qemu?); stop it, or pick another port: PORT=${next} npm start`,
      { cause: error },
    )
  }
  if (code === 'EACCES') {
    return new Error(
      `port ${port} on ${host} needs more privileges than this process has (ports below 1024 need root); pick another: PORT=8080 npm start`,
      { cause: error },
    )
  }
  if (code === 'EADDRNOTAVAIL') {
    return new Error(
      `HOST=${host} is not an address of this machine; use one it has, or 0.0.0.0 for all`,
      { cause: error },
    )
  }
  return error instanceof Error ? error : new Error(String(error))
}
