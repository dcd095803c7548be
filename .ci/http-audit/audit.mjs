// Runs graphql-http's GraphQL-over-HTTP audits (MUST, SHOULD and MAY) against a served c360,
// prints each with its result, and exits non-zero on any failure or warning.
// Usage: node audit.mjs URL   (C360_AUDIT_TOKEN and C360_AUDIT_PURPOSE give the credentials)
import { auditServer } from 'graphql-http';

const url = process.argv[2];
const token = process.env.C360_AUDIT_TOKEN;
const purpose = process.env.C360_AUDIT_PURPOSE || 'AUDIT';
if (!url || !token) {
  console.error('usage: C360_AUDIT_TOKEN=... node audit.mjs http://127.0.0.1:PORT/graphql');
  process.exit(2);
}

// Every request carries a token and a purpose: c360 answers 401/403 before GraphQL otherwise.
const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  headers.set('x-access-purpose', purpose);
  return fetch(input, { ...init, headers });
};

const results = await auditServer({ url, fetchFn });
const tally = { ok: 0, warn: 0, error: 0 };
for (const result of results) {
  tally[result.status] += 1;
  const mark = result.status === 'ok' ? 'PASS' : result.status.toUpperCase();
  console.log(`${mark} ${result.id} ${result.name}`);
  if (result.status !== 'ok') {
    let body = '';
    try {
      body = await result.response.text();
    } catch {
      body = '(body already read)';
    }
    console.log(`     ${result.reason}; status ${result.response.status}; body ${body}`);
  }
}
console.log(`${tally.ok} passed, ${tally.warn + tally.error} failed`);
process.exit(tally.warn + tally.error === 0 ? 0 : 1);
