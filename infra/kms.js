/**
 * The optional customer-managed KMS key of the stack (`KMS_KEY_ARN`, a key ARN; empty: AWS-managed keys), read by
 * serverless.yml for the tables and the topic and by infra/iam-roles.js for the roles that use it. One reader, so the
 * encrypted resources and the permissions to use their key never disagree.
 */

/** The key's ARN, or '' when none is set; anything but a key ARN is refused at packaging, naming the variable. */
function kmsKeyArn() {
  const value = (process.env.KMS_KEY_ARN ?? '').trim();
  if (value && !/^arn:aws[\w-]*:kms:[\w-]+:\d{12}:key\/[\w-]+$/.test(value)) {
    throw new Error(`KMS_KEY_ARN must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not ${JSON.stringify(value)}`);
  }
  return value;
}

module.exports = {
  kmsKeyArn,
  /** A table's SSESpecification: KMS always (the AWS-managed aws/dynamodb key when no key is given). */
  tableEncryption: () => ({ SSEEnabled: true, SSEType: 'KMS', ...(kmsKeyArn() && { KMSMasterKeyId: kmsKeyArn() }) }),
  /** The topic's KmsMasterKeyId: the given key, else the AWS-managed key for SNS. */
  topicKey: () => kmsKeyArn() || 'alias/aws/sns',
};
