import { describe, expect, it } from 'vitest';
import { terminalAnswer, terminalText } from '../../../scripts/cli/terminal-text';

describe('terminalText', () => {
  it('removes CSI sequences: colours, cursor moves, screen clears', () => {
    expect(terminalText('\u001b[31mred\u001b[0m \u001b[2J\u001b[Hcleared \u001b[1;1Hmoved')).toBe('red cleared moved');
    expect(terminalText('\u009b31mC1 CSI')).toBe('C1 CSI');
  });

  it('removes OSC strings (window title, hyperlinks) ended by BEL or ST, and two-byte escapes', () => {
    expect(terminalText('a\u001b]0;pwned\u0007b')).toBe('ab');
    expect(terminalText('a\u001b]8;;http://evil.example\u001b\\link\u001b]8;;\u001b\\b')).toBe('alinkb');
    expect(terminalText('a\u001bcb\u001b')).toBe('ab');
    expect(terminalText('a\u009d0;title\u009cb')).toBe('ab');
  });

  it('drops C0, DEL and C1 controls, turns tab, CR, VT and FF into a space', () => {
    expect(terminalText('a\u0000b\u0007c\u0008d\u007fe\u0085f\u0080g')).toBe('abcdefg');
    expect(terminalText('resolved\rby admin\ttab\u000bvt\u000cff')).toBe('resolved by admin tab vt ff');
  });

  it('keeps newlines only where asked', () => {
    expect(terminalText('line one\nline two')).toBe('line one line two');
    expect(terminalText('line one\r\nline two', { newlines: true })).toBe('line one \nline two');
  });

  it('leaves ordinary text, accents and emoji alone', () => {
    const text = 'Zoë paid 1 000 € — ok ✓ 👍';
    expect(terminalText(text)).toBe(text);
  });
});

describe('terminalAnswer', () => {
  it('cleans every string of an answer, keys included, keeping newlines in notes only', () => {
    const answer = {
      discrepancy: {
        acknowledgedBy: 'mallory\n\u001b[2Kresolved by admin',
        acknowledgedNote: 'line\nnext\u001b[A',
        runsSeen: 2,
        alerted: true,
      },
      evidence: { 'bo\u001b[31m.key': 'v\u0007' },
      history: [{ note: 'a\nb', by: 'x\ny' }],
      cursor: null,
    };
    expect(terminalAnswer(answer)).toEqual({
      discrepancy: { acknowledgedBy: 'mallory resolved by admin', acknowledgedNote: 'line\nnext', runsSeen: 2, alerted: true },
      evidence: { 'bo.key': 'v' },
      history: [{ note: 'a\nb', by: 'x y' }],
      cursor: null,
    });
  });
});
