/** Bearer token the sandbox back office (`/back-api/backoffice/...`) accepts. */
export const SANDBOX_BACKOFFICE_TOKEN = 'sandbox-backoffice-token';
/** Bearer token the sandbox Reporting API (`/back-api/reporting/...`) accepts. */
export const SANDBOX_REPORTING_TOKEN = 'sandbox-reporting-token';
/** INDX API login the sandbox accepts (it signs requests together with the password). */
export const SANDBOX_INDX_LOGIN = 'sandbox-indx-login';
/** INDX API password the sandbox accepts. */
export const SANDBOX_INDX_PASSWORD = 'sandbox-indx-password';
/** The only MultiMarkets `companyId` header value the sandbox accepts. */
export const SANDBOX_MULTIMARKETS_COMPANY_ID = '1001';
