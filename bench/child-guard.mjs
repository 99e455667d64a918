// Preloaded (`node --import`) into every benchmark child: the child exits when the benchmark
// that started it goes away, even if the benchmark was killed and could not clean up.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
