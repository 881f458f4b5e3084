/**
 * `npm run openapi`: writes docs/openapi.json, the OpenAPI 3.1 document of the HTTP API, from the route table and
 * the zod schemas (lib/api/openapi.ts). test/unit/api/openapi-document.test.ts fails while the file differs from them.
 */
import { writeFileSync } from 'node:fs';
import { OPENAPI_FILE, openApiDocument } from '../lib/api/openapi';

writeFileSync(OPENAPI_FILE, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
