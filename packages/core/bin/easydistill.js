#!/usr/bin/env node
// The `easydistill` command: the built CLI (run `npm run build` in packages/core first when
// working from a clone; tests run src/cli/main.ts through tsx instead).
import '../dist/cli.js';
