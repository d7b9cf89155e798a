#!/usr/bin/env node
// `rtnl`: ip-like command line for @nlkit/rtnl (see dist/cli/main.js).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
