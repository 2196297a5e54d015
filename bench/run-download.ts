import { measureDownload } from './download.js'

/**
 * Only the download section of the bench (`npm run bench:download -- [rounds]`): for tuning the
 * image store without the minutes the whole bench takes.
 */
const rounds = Number(process.argv[2] ?? 3)
const result = await measureDownload(rounds)
console.log(JSON.stringify(result))
