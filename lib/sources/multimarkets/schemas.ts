import { z } from 'zod';
import { decimalAmount } from '../answer-schema';

/** Envelope codes arrive as strings in the document's example and as numbers elsewhere; both are read as text. */
const envelopeCode = z.union([z.string(), z.number()]).transform(String);

/** Fields every envelope carries; only `ok` decides anything, so the rest is read leniently. */
const envelopeFields = {
  msg: z.string().nullish(),
  code: envelopeCode.nullish(),
  bizCode: envelopeCode.nullish(),
  trace: z.string().nullish(),
  msgParams: z.unknown().optional(),
  tm: z.union([z.number(), z.string()]).nullish(),
};

/**
 * The `data` of a successful `get-user-amount`: `amount` is a decimal string whose scale is
 * `amount_digits`. An amount with more decimals than announced is refused, because the check
 * compares at that scale and a silent truncation would hide a real difference.
 */
export const multiMarketsAmountSchema = z
  .object({
    amount: decimalAmount,
    currency: z.string().min(1),
    amount_digits: z.number().int().min(0).max(36),
    user_name: z.string().min(1),
  })
  .transform((data, ctx) => {
    const { amount } = data;
    if (amount.scale > data.amount_digits) {
      ctx.addIssue({
        code: 'custom',
        path: ['amount'],
        message: `has ${amount.scale} decimals, more than amount_digits (${data.amount_digits})`,
      });
      return z.NEVER;
    }
    return { amount, scale: data.amount_digits, currency: data.currency, userName: data.user_name };
  });

/** `ok: true`: the balance is in `data` (a success that also says `fail: true` is contradictory and refused). */
const successEnvelope = z.object({
  ...envelopeFields,
  ok: z.literal(true),
  fail: z.literal(false).nullish(),
  data: multiMarketsAmountSchema,
});

/** `ok: false`: `code` and `msg` say why; `data` is ignored. */
const failureEnvelope = z.object({
  ...envelopeFields,
  ok: z.literal(false),
  fail: z.boolean().nullish(),
  data: z.unknown().optional(),
});

/** The `POST /api/cats-gateway/get-user-amount` answer: `{msg, code, bizCode, trace, msgParams, tm, data, ok, fail}`. */
export const multiMarketsEnvelopeSchema = z.discriminatedUnion('ok', [successEnvelope, failureEnvelope]);
