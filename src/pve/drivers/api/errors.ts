import { PveError, classifyPveMessage } from '../../errors.js'

/**
 * A Proxmox task that ended with an `exitstatus` other than `OK` or `WARNINGS: N`. Its kind and
 * message are the exit status's, as the cli driver reports the same failure; the task's last
 * log lines come along for the job's events and the log.
 */
export class PveTaskError extends PveError {
  readonly upid: string
  readonly exitStatus: string
  /** the task log's last lines before its closing `TASK ERROR` line, oldest first */
  readonly lastLines: readonly string[]

  constructor(upid: string, exitStatus: string, lastLines: readonly string[]) {
    super(classifyPveMessage(exitStatus), exitStatus.trim())
    this.upid = upid
    this.exitStatus = exitStatus
    this.lastLines = lastLines
  }
}

/** How a request failed before any HTTP answer came back. */
export type ConnectionFailure = 'refused' | 'reset' | 'timeout' | 'tls' | 'other'

/** No answer from the API: the connection could not be made, was cut, or was not trusted. */
export class PveConnectionError extends PveError {
  readonly failure: ConnectionFailure

  constructor(failure: ConnectionFailure, message: string, options?: ErrorOptions) {
    super('unreachable', message, options)
    this.failure = failure
  }
}

/**
 * A write whose answer leaves open whether it took effect: pveproxy's 595/596, a proxy's 502-504,
 * a connection cut after the request went out, or a client timeout. It is never simply repeated;
 * the driver reads the state (the node's task list, the VM's config) to learn what happened.
 */
export class PveUncertainWriteError extends PveError {
  readonly method: string
  readonly path: string

  constructor(method: string, path: string, reason: string, options?: ErrorOptions) {
    super('unreachable', `${method} ${path}: ${reason}; it may have taken effect`, options)
    this.method = method
    this.path = path
  }
}
