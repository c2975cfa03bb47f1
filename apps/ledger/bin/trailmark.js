#!/usr/bin/env node
import { main } from '../dist/cli.js';

const status = await main(process.argv);
// Exit at once on a failure: a start that failed half-way may hold timers and connections that would keep the
// process alive, doing nothing, after it reported the failure.
if (status !== 0) process.exit(status);
