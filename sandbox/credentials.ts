/** Bearer token the sandbox back office (`/back-api/backoffice/...`) accepts. */
export const SANDBOX_BACKOFFICE_TOKEN = 'sandbox-backoffice-token';
/** Bearer token the sandbox Reporting API (`/back-api/reporting/...`) accepts. */
export const SANDBOX_REPORTING_TOKEN = 'sandbox-reporting-token';
/** INDX API login the sandbox accepts for traders without their own (it signs requests together with the password). */
export const SANDBOX_INDX_LOGIN = 'sandbox-indx-login';
/** INDX API password the sandbox accepts for traders without their own. */
export const SANDBOX_INDX_PASSWORD = 'sandbox-indx-password';

/** An INDX trader's own API credentials (the document: "obtained by the Trader on the API access page") and the variables that hold them locally. */
export interface SandboxIndxTraderCredentials {
  login: string;
  password: string;
  culture: 'ru-RU' | 'en-EN';
  loginVariable: string;
  passwordVariable: string;
}

/**
 * The own credentials of the first INDX traders of every book, in order (the others use
 * {@link SANDBOX_INDX_LOGIN}): one signs in Russian, one in English. The variable names do not
 * depend on the WMID, so `.env.local` holds them for any `--users`/`--seed`.
 */
export const SANDBOX_INDX_TRADERS: readonly SandboxIndxTraderCredentials[] = [
  {
    login: 'sandbox-indx-trader1-login',
    password: 'sandbox-indx-trader1-password',
    culture: 'ru-RU',
    loginVariable: 'INDX_TRADER1_LOGIN',
    passwordVariable: 'INDX_TRADER1_PASSWORD',
  },
  {
    login: 'sandbox-indx-trader2-login',
    password: 'sandbox-indx-trader2-password',
    culture: 'en-EN',
    loginVariable: 'INDX_TRADER2_LOGIN',
    passwordVariable: 'INDX_TRADER2_PASSWORD',
  },
];

/** The environment holding every sandbox trader's own credentials (what `.env.local` sets). */
export function sandboxIndxTraderEnvironment(): Record<string, string> {
  return Object.fromEntries(
    SANDBOX_INDX_TRADERS.flatMap((trader) => [
      [trader.loginVariable, trader.login],
      [trader.passwordVariable, trader.password],
    ]),
  );
}
/** The only MultiMarkets `companyId` header value the sandbox accepts. */
export const SANDBOX_MULTIMARKETS_COMPANY_ID = '1001';
