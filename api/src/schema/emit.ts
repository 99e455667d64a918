/** `npm run schema`: writes schema/schema.graphql from the code. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { printSdl } from '../graphql/schema.js';

const out = resolve(process.argv[2] ?? 'schema/schema.graphql');
writeFileSync(out, printSdl());
console.log(`wrote ${out}`);
