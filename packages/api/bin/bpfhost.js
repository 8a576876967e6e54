#!/usr/bin/env node
// The `bpfhost` command (see `bpfhost --help`); the code is in dist/cli/.
import { main } from '../dist/cli/main.js';

// A closed pipe (`bpfhost map dump ... | head`) ends the output, not the process with a stack trace.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
process.exitCode = main(process.argv.slice(2));
