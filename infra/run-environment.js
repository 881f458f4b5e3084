/**
 * The environment of the run functions (runScheduled, runDirect, runShard), the only ones given
 * upstream URLs and credentials: serverless.yml's `custom.runEnvironment`, plus the variables the
 * venue mapping names for INDX traders' own credentials (infra/venue-credential-env.js). Read by
 * serverless.yml as `${file(./infra/run-environment.js)}`, so the list is written once.
 */
const venueCredentialEnv = require('./venue-credential-env');

module.exports = async ({ resolveVariable }) => ({
  ...(await resolveVariable('self:custom.runEnvironment')),
  ...venueCredentialEnv(),
});
