/** Entry point of one junk generator process (bench/flood.ts forks it at nice 19). */
import { junkMain, type JunkOpts } from './junkClient.js';

void junkMain(JSON.parse(process.argv[2] ?? '{}') as JunkOpts);
