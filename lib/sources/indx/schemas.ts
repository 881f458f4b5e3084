import { z } from 'zod';
import { decimalAmount } from '../answer-schema';

/**
 * A whole number. INDX answers are read with exact numbers, so every JSON number arrives as its
 * digit string; counts and ids are safe integers and become a `number` again here.
 */
const integer = z
  .union([z.number(), z.string().regex(/^-?\d+$/, 'expected an integer')])
  .transform(Number)
  .refine(Number.isSafeInteger, 'expected a safe integer');

/** A text field the document describes as "string of 0 to 255 symbols"; absent is read as empty. */
const text = z
  .string()
  .nullish()
  .transform((value) => value ?? '');

/** One instrument of the trader's portfolio: `notes` held, averaged `price`. */
export const indxInstrumentSchema = z.object({
  id: integer,
  name: text,
  notes: decimalAmount,
  price: decimalAmount,
  type: text,
  kind: integer,
  by: integer,
});

/**
 * One row of the trader's deals: what buying and selling an instrument cost and brought. Not read
 * by any check (the balance is `wmz` and the portfolio), so every field is optional.
 */
export const indxProfitSchema = z.object({
  symbolid: integer.optional(),
  buy: decimalAmount.optional(),
  sell: decimalAmount.optional(),
});

/**
 * The `value` of a successful `Balance`: the trader's `wmz` account and portfolio (`price` is the
 * portfolio's value), and `profit`, the deals (read so its fields are known, not checked).
 */
export const indxBalanceValueSchema = z.object({
  wmid: z.string().min(1),
  nickname: text,
  balance: z.object({ price: decimalAmount, wmz: decimalAmount }),
  portfolio: z
    .array(indxInstrumentSchema)
    .nullish()
    .transform((rows) => rows ?? []),
  profit: z.array(indxProfitSchema).nullish(),
});

/** The `Balance` answer before its code is looked at: `{code, desc, value}`; `value` is read only when `code` is 0. */
export const indxEnvelopeSchema = z.object({
  code: integer,
  desc: z.string().nullish(),
  value: z.unknown().optional(),
});

/** A `Balance` answer with code 0: the trader's balance is in `value`. */
export const indxSuccessSchema = indxEnvelopeSchema.extend({ value: indxBalanceValueSchema });

/** A parsed portfolio instrument. */
export type IndxInstrument = z.infer<typeof indxInstrumentSchema>;
