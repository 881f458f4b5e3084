/** An independent RFC 4180 reader: the oracle the CSV writer (lib/api/csv.ts) is checked against, by the CLI's and the console's tests. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let index = 0;
  while (index < text.length) {
    if (text[index] === '"') {
      index++;
      for (;;) {
        if (index >= text.length) throw new Error('unterminated quoted field');
        if (text[index] === '"' && text[index + 1] === '"') {
          field += '"';
          index += 2;
        } else if (text[index] === '"') {
          index++;
          break;
        } else {
          field += text[index++];
        }
      }
    }
    if (text.startsWith('\r\n', index)) {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      index += 2;
    } else if (text[index] === ',') {
      record.push(field);
      field = '';
      index++;
    } else if (index < text.length) {
      if (text[index] === '"' || text[index] === '\r' || text[index] === '\n')
        throw new Error(`bare ${JSON.stringify(text[index])} at ${index}`);
      field += text[index++];
    }
  }
  if (field !== '' || record.length > 0) throw new Error('the last record is not ended by CRLF');
  return records;
}
