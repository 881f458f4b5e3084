/**
 * `NO_COMPLETE_RUN_HOURS` (default 3, given the hourly schedule; 1–24): the NoCompleteRun alarm
 * fires when that many hours in a row saw no run end `complete`. Read by serverless.yml as
 * `${file(./infra/no-complete-run-hours.js)}`, which needs a number (a `${env:…}` variable would be a string).
 */
module.exports = () => {
  const text = process.env.NO_COMPLETE_RUN_HOURS || '3';
  const hours = Number(text);
  if (!Number.isInteger(hours) || hours < 1 || hours > 24)
    throw new Error(`NO_COMPLETE_RUN_HOURS must be a whole number of hours from 1 to 24, got ${text}`);
  return hours;
};
