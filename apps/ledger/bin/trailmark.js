#!/usr/bin/env node
import { main } from '../dist/cli.js';

const status = await main(process.argv);
if (status !== 0) process.exitCode = status;
