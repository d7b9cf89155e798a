#!/usr/bin/env node
// Entry point of the `nl-codec` command; the code lives in dist/cli/main.js (built from src/cli).
import { main } from '../dist/cli/main.js';

// A reader that closes the pipe early (`nl-codec decode big.bin | head`) is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

// exitCode rather than exit(): stdout may be a pipe still flushing a large output.
process.exitCode = await main(process.argv.slice(2));
