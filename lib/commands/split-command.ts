/**
 * Splits a free-form `command:` string into argv the way a POSIX shell splits words, WITHOUT a
 * shell: quotes and backslashes group and escape, `$VAR` and globs stay literal, and shell
 * operators (pipes, lists, redirections, substitutions) are refused with a hint to use `shell`,
 * because silently passing `|` as an argument is the classic Ansible `command` surprise.
 */
export class CommandSplitError extends Error {
  readonly hint = 'the command module runs no shell; use the `shell` module for pipes, redirections, `;`, `&&` or substitutions';
}

const OPERATOR = new Set(['|', '&', ';', '<', '>', '(', ')', '`']);

export function splitCommand(input: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const fail = (what: string): never => {
    throw new CommandSplitError(`${what} at column ${i + 1} of: ${input}`);
  };
  while (i < input.length) {
    const c = input[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = input.indexOf("'", i + 1);
      if (end < 0) fail('unterminated single quote');
      word += input.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= input.length) fail('unterminated double quote');
        const d = input[i]!;
        if (d === '"') break;
        if (d === '\\' && '"\\$`\n'.includes(input[i + 1] ?? '')) {
          if (input[i + 1] !== '\n') word += input[i + 1];
          i += 2;
          continue;
        }
        if (d === '`' || (d === '$' && input[i + 1] === '(')) fail('command substitution');
        word += d;
        i++;
      }
      i++;
    } else if (c === '\\') {
      if (i + 1 >= input.length) fail('trailing backslash');
      if (input[i + 1] !== '\n') word += input[i + 1];
      i += 2;
    } else if (OPERATOR.has(c)) {
      fail(c === '`' ? 'command substitution' : `shell operator "${c}"`);
    } else if (c === '$' && input[i + 1] === '(') {
      fail('command substitution');
    } else {
      word += c;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}
