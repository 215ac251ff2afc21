// The build step tsc cannot do: the schematics collection and its option schemas are JSON read by the Nest CLI
// (through @angular-devkit/schematics) from the package, next to the compiled factories in dist/schematics.
import { cpSync } from 'node:fs';

cpSync('lib/schematics', 'dist/schematics', { recursive: true, filter: (source) => !/\.ts$/.test(source) });
