#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI lives in compiled TypeScript (npm install runs `tsc` via "prepare").
require('../dist/driver/cli.js').main(process.argv.slice(2));
