/**
 * A local serverless plugin (registered first under `plugins:` in serverless.yml) that keeps two
 * mistakes from reaching AWS:
 * - **the local stage is never deployed.** It is the default stage (so `sls offline`, `sls invoke
 *   local` and `npm start` need no flag), and it carries the public dev key and the sandbox's tokens
 *   and runs its routes without an authorizer: `sls deploy` (or `deploy function`) for it is refused
 *   when the plugin is loaded, before any hook of the AWS provider runs. A bare `sls deploy` therefore
 *   deploys nothing.
 * - **outside the local stage credentials are SSM parameter names only.** Packaging or deploying
 *   another stage with a credential in a function's environment as plain text (CloudFormation would
 *   store it in the function's configuration, readable by anyone with `lambda:GetFunction`) fails,
 *   naming each variable; so does a `*_PARAMETER` outside the stage's SSM path, which the
 *   functions' role cannot read.
 * Docs: docs/deploy.md.
 */
const venueCredentialEnv = require('./venue-credential-env');

/** The stage that is never deployed. */
const LOCAL_STAGE = 'local';

/** The credentials the functions read (lib/middleware/ssm-secrets.ts `SECRET_VARIABLES`), and the local stage's dev key. */
const SECRET_VARIABLES = ['BACKOFFICE_TOKEN', 'REPORTING_TOKEN', 'INDX_LOGIN', 'INDX_PASSWORD', 'AUTH_DEV_KEY'];

/** The commands that deploy; `deploy list` only reads. */
const DEPLOY_COMMANDS = new Set(['deploy', 'deploy function']);

/** Every environment a function is given: the provider's and each function's own, with where it is set. */
function environments(service) {
  const provider = [{ where: 'provider.environment', env: service.provider.environment ?? {} }];
  const functions = Object.entries(service.functions ?? {}).map(([name, fn]) => ({
    where: `functions.${name}.environment`,
    env: fn?.environment ?? {},
  }));
  return [...provider, ...functions];
}

/** The variables holding a credential: the fixed ones and those the venue mapping names for INDX traders. */
function secretNames(env = process.env) {
  return [...SECRET_VARIABLES, ...Object.keys(venueCredentialEnv(env))];
}

/**
 * The problems that keep `stage` from being packaged or deployed: each credential given in plain
 * text (naming the variable and where), each SSM parameter name outside `/balance-recon/<stage>/`.
 * None on the local stage.
 */
function plaintextProblems(service, stage, env = process.env) {
  if (stage === LOCAL_STAGE) return [];
  const names = new Set(secretNames(env));
  const prefix = `/balance-recon/${stage}/`;
  const found = new Map();
  for (const { where, env: variables } of environments(service)) {
    for (const [name, value] of Object.entries(variables)) {
      const plaintext = names.has(name);
      if (typeof value !== 'string' || value === '' || !(plaintext || name.endsWith('_PARAMETER'))) continue;
      if (!plaintext && value.startsWith(prefix)) continue;
      found.set(name, { value, wheres: [...(found.get(name)?.wheres ?? []), where] });
    }
  }
  return [...found].map(([name, { value, wheres }]) => {
    if (!names.has(name)) return `${name} names "${value}", outside ${prefix}, which the functions may not read (${wheres.join(', ')})`;
    const fix = SECRET_VARIABLES.includes(name)
      ? `unset it and set ${name}_PARAMETER=${prefix}<name> (an SSM SecureString parameter)`
      : `name an SSM parameter under ${prefix} in the venue mapping instead ({"parameter": "${prefix}…"})`;
    return `${name} is given in plain text (${wheres.join(', ')}): ${fix}`;
  });
}

/** Refuses the deploy of the local stage and a non-local stage with a plaintext credential. */
class GuardPlugin {
  constructor(serverless, options = {}) {
    this.serverless = serverless;
    this.options = options;
    const command = (serverless.processedInput?.commands ?? []).join(' ');
    if (DEPLOY_COMMANDS.has(command) && this.stage() === LOCAL_STAGE) {
      throw this.error(
        `Refusing to deploy the "${LOCAL_STAGE}" stage: it is for this machine only (public dev key, sandbox tokens, no authorizer). ` +
          'Deploy a named stage: `sls deploy --stage <name>` (docs/deploy.md).',
      );
    }
    const check = () => this.checkSecrets();
    this.hooks = {
      'before:package:initialize': check,
      'before:deploy:deploy': check,
      'before:deploy:function:initialize': check,
    };
  }

  stage() {
    return this.options.stage ?? this.serverless.service.provider.stage ?? LOCAL_STAGE;
  }

  checkSecrets() {
    const problems = plaintextProblems(this.serverless.service, this.stage());
    if (problems.length > 0) {
      throw this.error(
        `Refusing to package the "${this.stage()}" stage: outside "${LOCAL_STAGE}" credentials are given only as SSM parameter names.\n` +
          problems.map((problem) => `  - ${problem}`).join('\n'),
      );
    }
  }

  error(message) {
    const ServerlessError = this.serverless.classes?.Error ?? Error;
    return new ServerlessError(message, 'BALANCE_RECON_GUARD');
  }
}

module.exports = GuardPlugin;
module.exports.plaintextProblems = plaintextProblems;
module.exports.SECRET_VARIABLES = SECRET_VARIABLES;
