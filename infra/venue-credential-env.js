/**
 * The environment variables the venue mapping names for INDX traders' own credentials
 * (`{"env": "<VARIABLE>"}`, docs/venue-accounts.md), passed from the deploying (or `sls offline`)
 * environment to the functions that read INDX: serverless.yml gives a function only the variables
 * it lists, and these names are the mapping's, not fixed. Read by serverless.yml as
 * `${file(./infra/venue-credential-env.js)}`; the mapping is validated by the functions themselves.
 * Deployed, prefer `{"parameter": …}` references: a variable's value is stored in the function's configuration.
 */
const { readFileSync } = require('node:fs');

module.exports = (env = process.env) => {
  const file = env.VENUE_ACCOUNTS_FILE;
  if (!file) return {};
  let mapping;
  try {
    mapping = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return {}; // the functions report an unreadable mapping at cold start, naming the file
  }
  const traders = Array.isArray(mapping?.indx) ? mapping.indx : [];
  const names = traders.flatMap((trader) => [trader?.login?.env, trader?.password?.env]).filter((name) => typeof name === 'string');
  return Object.fromEntries(names.map((name) => [name, env[name] ?? '']));
};
