/**
 * Benchmark child: the fake OpenAI-compatible upstream of the tests, in its own process so it
 * shares no event loop with the proxies or the load generator. Prints `{"base": ...}` once
 * listening.
 */
import { startFakeUpstream } from '../test/helpers/fake-upstream.js';

const up = await startFakeUpstream({}, { record: false });
console.log(JSON.stringify({ base: up.base }));
const stop = () => void up.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
