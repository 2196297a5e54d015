import { measureDownload } from './download.js'
void measureDownload().then((r) => console.log(r))
