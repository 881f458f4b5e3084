import { runSimulation } from '@cloud-copilot/iam-simulate';
import { ACCOUNT } from './cfn-template';

/** AWS's default key policy: the account's IAM policies decide who may use the key. */
const DEFAULT_KEY_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Enable IAM User Permissions',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
  ],
};

/**
 * Whether a role's identity policy allows one request, as IAM would decide it (@cloud-copilot/iam-simulate,
 * offline): 'Allowed', 'ImplicitlyDenied' or 'ExplicitlyDenied'. The simulator also validates the action's
 * name and that the ARN is a resource type the action takes; an invalid request throws, naming the errors.
 * A KMS key is used only when its key policy lets IAM decide: the key is given the default key policy, which does
 * (docs/permissions.md says so for KMS_KEY_ARN's key).
 */
export async function simulate(
  statements: unknown[],
  action: string,
  resource: string,
  context: Record<string, string> = {},
): Promise<string> {
  const response = await runSimulation(
    {
      request: {
        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/function-role/session`,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: context,
      },
      identityPolicies: [{ name: 'role', policy: { Version: '2012-10-17', Statement: statements } }],
      ...(action.startsWith('kms:') && { resourcePolicy: DEFAULT_KEY_POLICY }),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (response.resultType === 'error') throw new Error(`${action} on ${resource}: ${JSON.stringify(response.errors)}`);
  return response.overallResult;
}
