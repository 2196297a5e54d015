import { setMaxListeners } from 'node:events'
import { describeError } from '../../errors.js'
import { formatUpid } from './upid.js'

/** What a running task body can do: print lines, warn, and notice the simulator closing. */
export interface TaskContext {
  readonly upid: string
  /** one line of task output, as the task would print it */
  readonly log: (line: string) => void
  /** a `WARN: <message>` line; the task then ends with `WARNINGS: N` */
  readonly warn: (message: string) => void
  /** aborted when the simulator closes */
  readonly signal: AbortSignal
}

export interface TaskRecord {
  readonly upid: string
  readonly node: string
  readonly pid: number
  readonly pstart: number
  /** epoch seconds */
  readonly starttime: number
  readonly type: string
  readonly id: string
  /** the user part, without a token id */
  readonly user: string
  readonly tokenid?: string
  readonly lines: string[]
  status: 'running' | 'stopped'
  exitstatus?: string
  /** epoch seconds */
  endtime?: number
  warnings: number
  readonly listeners: Set<(line: string) => void>
  readonly done: Promise<string>
}

export interface StartTaskOptions {
  node: string
  /** the node's boot time (epoch ms), for `pstart` */
  nodeBootTime: number
  type: string
  id: string
  user: string
  tokenId?: string
  run: (ctx: TaskContext) => Promise<void>
}

const keepPerNode = 500

/**
 * Runs worker tasks like `fork_worker`: each gets a UPID at once, runs asynchronously, writes a
 * log that ends with `TASK OK`, `TASK WARNINGS: N` or `TASK ERROR: <msg>`.
 */
export class TaskManager {
  readonly #tasks = new Map<string, TaskRecord>()
  readonly #nextPid = new Map<string, number>()
  // One signal for every running task: each task's pending wait listens on it, so the
  // listener count is the number of tasks running at once, not a leak.
  readonly #abort = unlimitedListeners(new AbortController())

  /** Starts a task and returns its UPID; the body runs after the caller has the UPID. */
  start(options: StartTaskOptions): string {
    const now = Date.now()
    const pid = this.#allocatePid(options.node)
    const pstart = Math.max(0, Math.floor((now - options.nodeBootTime) / 10))
    const starttime = Math.floor(now / 1000)
    const fullUser =
      options.tokenId === undefined ? options.user : `${options.user}!${options.tokenId}`
    const upid = formatUpid({
      node: options.node,
      pid,
      pstart,
      starttime,
      type: options.type,
      id: options.id,
      user: fullUser,
    })
    let resolveDone: (status: string) => void = () => undefined
    const done = new Promise<string>((resolve) => {
      resolveDone = resolve
    })
    const record: TaskRecord = {
      upid,
      node: options.node,
      pid,
      pstart,
      starttime,
      type: options.type,
      id: options.id,
      user: options.user,
      ...(options.tokenId === undefined ? {} : { tokenid: options.tokenId }),
      lines: [],
      status: 'running',
      warnings: 0,
      listeners: new Set(),
      done,
    }
    this.#tasks.set(upid, record)
    this.#prune(options.node)
    const write = (line: string): void => {
      record.lines.push(line)
      for (const listener of record.listeners) listener(line)
    }
    const ctx: TaskContext = {
      upid,
      log: write,
      warn: (message) => {
        record.warnings++
        write(`WARN: ${message}`)
      },
      signal: this.#abort.signal,
    }
    const finish = (exitstatus: string, last: string): void => {
      record.lines.push(last)
      record.status = 'stopped'
      record.exitstatus = exitstatus
      record.endtime = Math.floor(Date.now() / 1000)
      record.listeners.clear()
      resolveDone(exitstatus)
    }
    void Promise.resolve()
      .then(() => options.run(ctx))
      .then(
        () => {
          if (record.warnings > 0)
            finish(`WARNINGS: ${record.warnings}`, `TASK WARNINGS: ${record.warnings}`)
          else finish('OK', 'TASK OK')
        },
        (error: unknown) => {
          const message = describeError(error).trim() || 'unknown error'
          finish(message, `TASK ERROR: ${message}`)
        },
      )
    return upid
  }

  get(upid: string): TaskRecord | undefined {
    return this.#tasks.get(upid)
  }

  /** Every remembered task of `node`, newest first. */
  list(node: string): TaskRecord[] {
    return [...this.#tasks.values()].filter((task) => task.node === node).reverse()
  }

  /** Replays a task's lines to `onLine` (without the closing `TASK ...` line), follows new ones, and resolves with its exit status. */
  follow(upid: string, onLine?: (line: string) => void): Promise<string> {
    const task = this.#tasks.get(upid)
    if (!task) return Promise.reject(new Error(`no such task: ${upid}`))
    if (onLine) {
      const written = task.status === 'running' ? task.lines : task.lines.slice(0, -1)
      for (const line of written) onLine(line)
      if (task.status === 'running') task.listeners.add(onLine)
    }
    return task.done
  }

  /** True while any task runs. */
  get busy(): boolean {
    return [...this.#tasks.values()].some((task) => task.status === 'running')
  }

  /** Aborts running tasks and waits until they have ended. */
  async close(): Promise<void> {
    this.#abort.abort(new Error('interrupted by signal'))
    await Promise.all([...this.#tasks.values()].map((task) => task.done))
  }

  #allocatePid(node: string): number {
    const pid = this.#nextPid.get(node) ?? 0x1a2b0 + Math.floor(Math.random() * 0x4000)
    this.#nextPid.set(node, pid + 1 + Math.floor(Math.random() * 7))
    return pid
  }

  #prune(node: string): void {
    const mine = [...this.#tasks.values()].filter(
      (task) => task.node === node && task.status === 'stopped',
    )
    for (const task of mine.slice(0, Math.max(0, mine.length - keepPerNode)))
      this.#tasks.delete(task.upid)
  }
}

function unlimitedListeners(controller: AbortController): AbortController {
  setMaxListeners(0, controller.signal)
  return controller
}
