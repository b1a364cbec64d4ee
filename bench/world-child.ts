// Child process of the discovery bench: runs one simulated network (bench/case-worlds.ts) until told to stop, and
// prints what the measuring parent needs (DNS address, test CA, port map) as one JSON line.
import { startCase, type CaseName } from './case-worlds.js';

const { world, info } = await startCase(process.argv[2] as CaseName);
process.stdout.write(`${JSON.stringify(info)}\n`);
process.on('message', () => void world.close().then(() => process.exit(0)));
