import { die, paramError, PveParamError } from '../api/errors.js'
import { nodeSpec, tableLookup, verifyParams } from '../api/params.js'
import type { Route, RouteContext } from '../api/route.js'
import { downloadTarget, downloadToStorage } from '../operations/download.js'
import type { DownloadPlan } from '../operations/download.js'
import { isFileStorage, requireStorage } from '../state/volumes.js'
import { pathNode } from './node.js'
import { forkWorker } from './task-start.js'

const algorithms = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512']

/** `normalize_content_filename`: the path stripped, anything outside `[a-zA-Z0-9_.-]` becomes `_`. */
function normalizeFilename(name: string): string {
  return (name.split('/').pop() ?? '').replace(/[^a-zA-Z0-9_.-]/g, '_')
}

function downloadUrl(rc: RouteContext) {
  const values = verifyParams(
    rc.params,
    tableLookup({
      node: nodeSpec,
      storage: { type: 'string' },
      url: { type: 'string', pattern: /^https?:\/\/.*/ },
      filename: { type: 'string', maxLength: 255 },
      content: { type: 'string', enum: ['iso', 'vztmpl', 'import'] },
      checksum: { type: 'string', optional: true },
      'checksum-algorithm': { type: 'string', enum: algorithms, optional: true },
      compression: { type: 'string', optional: true },
      'verify-certificates': { type: 'boolean', optional: true },
    }),
    rc.caller,
    ['url', 'filename', 'content'],
  )
  if (values.checksum !== undefined && values['checksum-algorithm'] === undefined) {
    throw new PveParamError({
      'checksum-algorithm': "missing property - 'checksum' requires this property",
    })
  }
  if (values['checksum-algorithm'] !== undefined && values.checksum === undefined) {
    throw new PveParamError({
      checksum: "missing property - 'checksum-algorithm' requires this property",
    })
  }
  const node = pathNode(rc)
  const storage = requireStorage(node, values.storage ?? '')
  const content =
    values.content === 'iso' || values.content === 'vztmpl' ? values.content : 'import'
  const filename = normalizeFilename(values.filename ?? '')
  if (content === 'iso' && !/\.(iso|img)$/i.test(filename))
    paramError('filename', 'wrong file extension')
  if (content === 'vztmpl' && !/\.tar(\.(gz|xz|zst|bz2))?$/i.test(filename))
    paramError('filename', 'wrong file extension')
  if (content === 'import' && !/\.(ova|qcow2|raw|vmdk)$/i.test(filename))
    paramError('filename', 'invalid filename or wrong extension')
  if (values.compression !== undefined && content !== 'iso')
    die(`decompression not supported for ${content}`)
  if (!isFileStorage(storage))
    die(`can't upload to storage type '${storage.type}', not a file based storage!`)
  if (!storage.content.includes(content))
    die(`storage '${storage.id}' is not configured for content-type '${content}'`)
  const target = downloadTarget(storage, content, filename)
  const plan: DownloadPlan = {
    url: values.url ?? '',
    filename,
    content,
    ...target,
    ...(values.checksum === undefined ? {} : { checksum: values.checksum }),
    ...(values['checksum-algorithm'] === undefined
      ? {}
      : { algorithm: values['checksum-algorithm'] }),
  }
  return forkWorker(rc, 'download', filename, (task) =>
    downloadToStorage(rc.sim, node, storage, plan, task),
  )
}

export const storageDownloadRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/nodes/{node}/storage/{storage}/download-url',
    permission: (p) => [`/storage/${p.storage ?? ''}`, 'Datastore.AllocateTemplate'],
    handler: downloadUrl,
  },
]
