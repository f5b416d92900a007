import { describe, expect, it } from 'vitest';
import { CommandSplitError, splitCommand } from '../../../../lib/commands/split-command.js';

describe('splitCommand', () => {
  it.each([
    ['echo hi', ['echo', 'hi']],
    ['  echo   a\tb  ', ['echo', 'a', 'b']],
    [`echo 'a b' "c d"`, ['echo', 'a b', 'c d']],
    [`echo it\\'s`, ['echo', "it's"]],
    [`echo "say \\"hi\\" \\$HOME \\\\"`, ['echo', 'say "hi" $HOME \\']],
    [`echo "\\n stays"`, ['echo', '\\n stays']],
    ['echo a\\ b', ['echo', 'a b']],
    [`echo ''`, ['echo', '']],
    [`echo a'b'"c"`, ['echo', 'abc']],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, not a JS template
    ['echo $HOME ${X} *.txt #x', ['echo', '$HOME', '${X}', '*.txt', '#x']],
    [`echo 'a|b;c>d'`, ['echo', 'a|b;c>d']],
    [`docker inspect --format '{{.State.Status}}' oms`, ['docker', 'inspect', '--format', '{{.State.Status}}', 'oms']],
    ['', []],
  ])('%j', (input, argv) => {
    expect(splitCommand(input)).toEqual(argv);
  });

  it.each([
    ['ps aux | grep oms', /shell operator "\|" at column 8/],
    ['a; b', /shell operator ";"/],
    ['a && b', /shell operator "&"/],
    ['cat < f', /shell operator "<"/],
    ['echo > f', /shell operator ">"/],
    ['echo $(id)', /command substitution/],
    ['echo `id`', /command substitution/],
    ['echo "$(id)"', /command substitution/],
    ["echo 'open", /unterminated single quote/],
    ['echo "open', /unterminated double quote/],
    ['echo \\', /trailing backslash/],
  ])('refuses %j', (input, message) => {
    const e = (() => {
      try {
        splitCommand(input);
      } catch (err) {
        return err;
      }
      throw new Error('did not throw');
    })();
    expect(e).toBeInstanceOf(CommandSplitError);
    expect((e as CommandSplitError).message).toMatch(message);
    expect((e as CommandSplitError).hint).toMatch(/shell/);
  });
});
