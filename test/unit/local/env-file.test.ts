import { describe, expect, it } from 'vitest';
import { parseEnvFile } from '../../../scripts/local/env-file';

describe('parseEnvFile', () => {
  it('reads bare, quoted and exported assignments, skipping blank lines and comments', () => {
    const text = [
      '# staging exchange',
      '',
      'BACKOFFICE_URL=https://bo.staging.example',
      'export REPORTING_TOKEN = rep-token  # from the vault',
      `INDX_PASSWORD='p#ss "word"'`,
      'TOLERANCES="{\\"*\\": {\\"btc\\": {\\"absolute\\": \\"0.01\\"}}}"',
      'HASH=abc#def',
      'EMPTY=',
    ].join('\r\n');
    expect(parseEnvFile(text)).toEqual({
      assignments: [
        { name: 'BACKOFFICE_URL', value: 'https://bo.staging.example', line: 3 },
        { name: 'REPORTING_TOKEN', value: 'rep-token', line: 4 },
        { name: 'INDX_PASSWORD', value: 'p#ss "word"', line: 5 },
        { name: 'TOLERANCES', value: '{"*": {"btc": {"absolute": "0.01"}}}', line: 6 },
        { name: 'HASH', value: 'abc#def', line: 7 },
        { name: 'EMPTY', value: '', line: 8 },
      ],
      problems: [],
    });
  });

  it('names the line of a malformed assignment without repeating what is on it', () => {
    const { assignments, problems } = parseEnvFile('BACKOFFICE_URL=https://bo.example\nBACKOFFICE_TOKEN s3cr3t-value\n1ABC=x\n');
    expect(assignments.map(({ name }) => name)).toEqual(['BACKOFFICE_URL']);
    expect(problems).toEqual([
      'line 2: expected NAME=value (a comment starts with #)',
      'line 3: expected NAME=value (a comment starts with #)',
    ]);
    expect(problems.join()).not.toContain('s3cr3t');
  });

  it('refuses a quote left open or followed by more than a comment', () => {
    const { problems } = parseEnvFile(`BACKOFFICE_TOKEN="s3cr3t\nINDX_LOGIN='login' extra\nINDX_PASSWORD="ok" # fine\n`);
    expect(problems).toEqual([
      "line 1: BACKOFFICE_TOKEN's value opens a quote that is not closed, or has more than a comment after it",
      "line 2: INDX_LOGIN's value opens a quote that is not closed, or has more than a comment after it",
    ]);
  });

  it('refuses a variable set twice, naming both lines', () => {
    expect(parseEnvFile('PAGE_SIZE=10\n\nPAGE_SIZE=20\n').problems).toEqual(['line 3: PAGE_SIZE is already set on line 1']);
  });
});
