/**
 * The reserved concurrency of runShard: `SHARD_RESERVED_CONCURRENCY`, or by default twice
 * `SHARD_CONCURRENCY` (default 4, so 8). A fanned-out run keeps at most SHARD_CONCURRENCY shards
 * running; a shard handing over to its successor overlaps it for a moment, hence the factor two.
 * Read by serverless.yml as `${file(./infra/shard-reserved-concurrency.js)}`, which needs a number
 * (a `${env:…}` variable would be a string).
 */
module.exports = () => {
  const explicit = process.env.SHARD_RESERVED_CONCURRENCY;
  const value = explicit ? Number(explicit) : 2 * Number(process.env.SHARD_CONCURRENCY || 4);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(
      `SHARD_RESERVED_CONCURRENCY must be a whole number ≥ 1 (or SHARD_CONCURRENCY one ≥ 1), got ${explicit ?? process.env.SHARD_CONCURRENCY}`,
    );
  }
  return value;
};
