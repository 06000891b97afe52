#!/usr/bin/env node
// The `streamer` command: `streamer serve` starts an appliance; every other command is a REST client (cli/).
import { runCli } from './cli/index.js';
import { serveAppliance } from './appliance.js';

process.exitCode = await runCli(process.argv.slice(2), { serve: serveAppliance });
