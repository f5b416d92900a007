/**
 * The corpus of invalid playbooks: one file per mistake under ./invalid/, and the exact
 * file:line:col and message each one must produce. Positions are asserted in full, so a change
 * that breaks source locations fails here.
 */
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, formatLocation, type OmsplayError, ValidationErrors } from '../../../lib/errors.js';
import { loadInventory } from '../../../lib/inventory/load.js';
import type { Inventory } from '../../../lib/inventory/types.js';
import { modules } from '../../../lib/modules/index.js';
import { playbookProblems } from '../../../lib/playbook/check.js';
import { loadPlaybook } from '../../../lib/playbook/load.js';

const DIR = relative(process.cwd(), join(dirname(fileURLToPath(import.meta.url)), 'invalid'));

/** [case file, where the first problem is (relative to ./invalid), message fragment(s)] */
type Case = [file: string, at: string, message: string | string[]];

const CASES: Case[] = [
  ['register-magic-variable.yml', 'register-magic-variable.yml:5:17', 'register `groups` is the name of a variable omsplay sets itself'],
  ['ansible-with-items.yml', 'ansible-with-items.yml:5:7', 'unknown task keyword `with_items`'],
  ['unknown-play-keyword-unknown.yml', 'unknown-play-keyword-unknown.yml:3:3', 'unknown play keyword `colour`'],
  ['task-file-as-playbook.yml', 'task-file-as-playbook.yml:1:1', 'this playbook is a list of tasks, not of plays'],
  ['recursive-alias.yml', 'recursive-alias.yml:4:12', 'an alias refers to a node that contains it'],
  ['collection-key.yml', 'collection-key.yml:4:9', 'a mapping key must be a name, not a list or mapping'],
  ['argument-at-task-level.yml', 'argument-at-task-level.yml:6:9', 'missing required argument `dest` for module `copy`'],
  ['bad-indent.yml', 'bad-indent.yml:6:1', "invalid YAML: Sequence item without - indicator"],
  ['bad-max-fail-percentage.yml', 'bad-max-fail-percentage.yml:3:24', "`max_fail_percentage`: expected a number <= 100, got number 150"],
  ['bad-register-name.yml', 'bad-register-name.yml:5:17', "`register`: expected a variable name (letters, digits, _), got string \"host-name\""],
  ['bad-run-once.yml', 'bad-run-once.yml:5:17', "`run_once`: expected true, false or \"region\" (once per region), got string \"always\""],
  ['bad-serial-zero.yml', 'bad-serial-zero.yml:3:15', "`serial` item 2: expected a batch size: a whole number >= 1 or a percentage like \"30%\", got number 0"],
  ['bad-serial.yml', 'bad-serial.yml:3:11', "`serial`: expected a batch size (a whole number >= 1 or a percentage like \"30%\") or a list of them, got string \"fifty%\""],
  ['bad-timeout.yml', 'bad-timeout.yml:5:16', "`timeout`: expected a number > 0, got number -5"],
  ['broken-flow.yml', 'broken-flow.yml:4:26', "invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]"],
  ['broken-quote.yml', 'broken-quote.yml:5:14', "invalid YAML: Missing closing \"quote"],
  ['copy-without-dest.yml', 'copy-without-dest.yml:6:9', "missing required argument `dest` for module `copy`"],
  ['delegate-to-unknown.yml', 'delegate-to-unknown.yml:5:20', ['delegate_to `oms-hz-9` is not a host of', 'did you mean `oms-hz-1`?']],
  ['duplicate-key-play.yml', 'duplicate-key-play.yml:5:3', "duplicate key `tasks`"],
  ['duplicate-key-task.yml', 'duplicate-key-task.yml:7:7', "duplicate key `when`"],
  ['empty-block.yml', 'empty-block.yml:5:14', "`block` is empty"],
  ['empty-list.yml', 'empty-list.yml:1:1', "the playbook is empty"],
  ['empty-when.yml', 'empty-when.yml:5:7', "`when`: expected a condition (true/false, an expression like (eq region \"hz\"), a {{ }} template) or a list of them, got nothing (null)"],
  ['empty.yml', 'empty.yml:1:1', "the playbook is empty"],
  ['error-inside-task-file.yml', '_support/tasks/bad-keyword.yml:5:3', "unknown task keyword `ignore_error` — did you mean `ignore_errors`?"],
  ['failure-outside-on-failure.yml', 'failure-outside-on-failure.yml:5:14', "undefined variable `failure` in task `debug`"],
  ['handler-block.yml', 'handler-block.yml:6:7', "a handler is a single module task; `block` cannot be used in a handler"],
  ['host-pattern-no-match.yml', 'host-pattern-no-match.yml:2:10', ['host pattern `oms_nodez`', 'matches no host, region or group']],
  ['import-templated-name.yml', 'import-templated-name.yml:5:21', "`import_tasks` needs a fixed file name"],
  ['include-cycle.yml', '_support/tasks/cycle-b.yml:3:17', ['include cycle: ', 'cycle-a.yml → ', 'cycle-b.yml → ', 'cycle-a.yml']],
  ['include-self.yml', '_support/tasks/self.yml:2:18', ['include cycle: ', 'self.yml → ', 'self.yml']],
  ['loop-control-without-loop.yml', 'loop-control-without-loop.yml:5:7', "`loop_control` needs `loop`"],
  ['loop-on-block.yml', 'loop-on-block.yml:6:7', "`loop` cannot be used on a block (put it on the tasks inside)"],
  ['loop-var-outside-loop.yml', 'loop-var-outside-loop.yml:5:14', "undefined variable `item` in task `debug`"],
  ['mapping-playbook.yml', 'mapping-playbook.yml:1:1', "a playbook is a list of plays, this one is a mapping"],
  ['missing-hosts.yml', 'missing-hosts.yml:1:3', "missing required play keyword `hosts`"],
  ['missing-task-file.yml', 'missing-task-file.yml:5:21', ['task file `_support/tasks/does-not-exist.yml` does not exist']],
  ['missing-vars-file.yml', 'missing-vars-file.yml:5:7', ['vars file `_support/vars/prod.yml` does not exist']],
  ['module-arg-type.yml', 'module-arg-type.yml:5:15', "`port` for module `wait_for`: expected an integer, got string \"eighty\""],
  ['module-arg-typo.yml', 'module-arg-typo.yml:5:9', "missing required argument `dest` for module `copy`"],
  ['module-args-string.yml', 'module-args-string.yml:4:13', "module `copy` takes a mapping of arguments, got string \"src=a.txt dest=/tmp/a.txt\""],
  ['multiple-documents.yml', 'multiple-documents.yml:4:1', "more than one YAML document in this file (a second `---`)"],
  ['notify-no-handler.yml', 'notify-no-handler.yml:4:7', "notify `restart oms` matches no handler of play `notify that reaches no handler` — did you mean `restart OMS`?"],
  ['on-failure-bad-play.yml', 'on-failure-bad-play.yml:7:7', "unknown play keyword `taks` — did you mean `tags`?"],
  ['on-failure-missing-playbook.yml', 'on-failure-missing-playbook.yml:5:24', ['playbook `_support/rollback-missing.yml` does not exist']],
  ['register-on-include.yml', 'register-on-include.yml:5:7', "`register` cannot be used on `include_tasks`"],
  ['register-used-before.yml', 'register-used-before.yml:5:14', "undefined variable `result` in task `debug`"],
  ['rescue-without-block.yml', 'rescue-without-block.yml:5:7', "`rescue` needs `block`"],
  ['retries-without-until.yml', 'retries-without-until.yml:5:7', "`retries` needs `until`"],
  ['scalar-playbook.yml', 'scalar-playbook.yml:1:1', "a playbook is a list of plays, this one is a string"],
  ['secret-on-mapping.yml', 'secret-on-mapping.yml:4:9', "!secret applies to a scalar value (a string or number), not a list or mapping"],
  ['tabs.yml', 'tabs.yml:4:1', "a tab is used for indentation"],
  ['task-file-is-play.yml', '_support/tasks/a-play.yml:1:1', "a task file is a list of tasks, this one is a mapping"],
  ['task-without-module.yml', 'task-without-module.yml:4:7', "task `nothing to do` has no module"],
  ['template-syntax-condition.yml', 'template-syntax-condition.yml:6:13', ['template syntax error', '(eq region_name']],
  ['template-syntax.yml', 'template-syntax.yml:5:14', ['template syntax error', 'version {{ oms_version ']],
  ['two-modules.yml', 'two-modules.yml:6:7', "a task has exactly one module, this one has 2 modules: `command` and `shell`"],
  ['undefined-variable-when.yml', 'undefined-variable-when.yml:6:13', "undefined variable `ha_settings` in task `only with HA`"],
  ['undefined-variable.yml', 'undefined-variable.yml:8:14', "undefined variable `oms_verison` in task `show version` — did you mean `oms_version`?"],
  ['unknown-loop-control-key.yml', 'unknown-loop-control-key.yml:7:9', "unknown loop_control key `loopvar` — did you mean `loop_var`?"],
  ['unknown-module-no-suggestion.yml', 'unknown-module-no-suggestion.yml:4:7', "unknown module `frobnicate`"],
  ['unknown-module-set-facts.yml', 'unknown-module-set-facts.yml:4:7', "unknown module `set_facts` — did you mean `set_fact`?"],
  ['unknown-module.yml', 'unknown-module.yml:5:7', "unknown module `comand` — did you mean `command`?"],
  ['unknown-play-keyword-no-suggestion.yml', 'unknown-play-keyword-no-suggestion.yml:3:3', "unknown play keyword `gather_facts`"],
  ['unknown-play-keyword.yml', 'unknown-play-keyword.yml:3:3', "unknown play keyword `task` — did you mean `tasks`?"],
  ['unknown-tag.yml', 'unknown-tag.yml:4:15', "unknown tag `!vault`"],
  ['unknown-task-keyword.yml', 'unknown-task-keyword.yml:6:7', "unknown task keyword `whne` — did you mean `when`?"],
  ['unquoted-colon.yml', 'unquoted-colon.yml:1:9', "invalid YAML: Nested mappings are not allowed in compact mappings"],
  ['vars-file-is-list.yml', '_support/vars/list.yml:1:1', "a vars file is a mapping of variable names to values"],
  ['wrong-type-name.yml', 'wrong-type-name.yml:4:13', "`name`: expected a string, got a list"],
  ['wrong-type-parallel.yml', 'wrong-type-parallel.yml:8:19', '`parallel`: expected a whole number of at least 1, or a {{ }} template that gives one, got string "many"'],
  ['wrong-type-retries.yml', 'wrong-type-retries.yml:7:16', "`retries`: expected an integer, got string \"many\""],
  ['wrong-type-tasks.yml', 'wrong-type-tasks.yml:4:5', "`tasks`: expected a list, got a mapping"],
  ['wrong-type-vars.yml', 'wrong-type-vars.yml:3:9', "`vars`: expected a mapping of variable names to values, got a list"],
  ['yaml11-become.yml', 'yaml11-become.yml:3:11', "`become`: expected a boolean (true/false), got string \"no\""],
  ['yaml11-ignore-errors.yml', 'yaml11-ignore-errors.yml:5:22', "`ignore_errors`: expected a boolean (true/false), got string \"on\""],
  ['yaml11-when.yml', 'yaml11-when.yml:5:13', "`when: yes` is the string \"yes\", not a boolean"],
];

/** Further problems some cases must also report (all problems are shown, not only the first). */
const ALSO: Array<[file: string, at: string, message: string]> = [
  ['module-arg-typo.yml', 'module-arg-typo.yml:6:9', 'unknown argument `dst` for module `copy` — did you mean `dest`?'],
  ['argument-at-task-level.yml', 'argument-at-task-level.yml:7:7', '`dest` is an argument of module `copy`, not a task keyword'],
];

/** Hints that must come with the message. */
const HINTS: Array<[file: string, hint: string]> = [
  ['yaml11-when.yml', 'write true or false'],
  ['yaml11-become.yml', 'write true or false'],
  ['yaml11-ignore-errors.yml', 'write true or false'],
  ['mapping-playbook.yml', 'start each play with `- `'],
  ['tabs.yml', 'spaces, not tabs'],
  ['duplicate-key-task.yml', 'each key may appear once'],
  ['unquoted-colon.yml', 'must be quoted'],
  ['broken-quote.yml', 'not closed'],
  ['unknown-play-keyword-no-suggestion.yml', 'omsplay gathers no facts'],
  ['unknown-play-keyword-unknown.yml', 'allowed: name, hosts, vars'],
  ['ansible-with-items.yml', 'use `loop:`'],
  ['unknown-module-no-suggestion.yml', 'modules: assert, command, copy'],
  ['undefined-variable.yml', 'pass -e oms_verison=...'],
  ['retries-without-until.yml', 'add `until` or remove `retries`'],
  ['missing-task-file.yml', 'relative to the file that includes them'],
  ['host-pattern-no-match.yml', 'did you mean `oms_nodes`?'],
];

let inventory: Inventory;

async function problems(file: string): Promise<OmsplayError[]> {
  try {
    const playbook = await loadPlaybook(join(DIR, file), { modules });
    return playbookProblems(playbook, inventory, {});
  } catch (e) {
    if (e instanceof ValidationErrors) return e.errors;
    return [e as OmsplayError];
  }
}

describe('invalid playbooks corpus', () => {
  beforeAll(async () => {
    inventory = await loadInventory(join(DIR, '_support', 'inventory.yml'));
  });

  it('covers every file of the corpus, and at least 35 cases', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.yml')).sort();
    expect(CASES.map((c) => c[0]).sort()).toEqual(files);
    expect(files.length).toBeGreaterThanOrEqual(35);
  });

  it.each(CASES)('%s → %s', async (file, at, message) => {
    const errors = await problems(file);
    expect(errors.length).toBeGreaterThan(0);
    const first = errors[0];
    expect(formatLocation(first.location)).toBe(join(DIR, at.replace(/:\d+:\d+$/, '')) + at.slice(at.search(/:\d+:\d+$/)));
    for (const fragment of [message].flat()) expect(first.message).toContain(fragment);
    // Exit code 4, and what a person reads starts with the position and has no stack trace.
    for (const e of errors) {
      expect(e.exitCode).toBe(ExitCode.parse);
      expect(e.format()).toMatch(/^\S+:\d+:\d+: (config|validation) error: /);
      expect(e.format()).not.toMatch(/\n\s+at /);
    }
  });

  it.each(ALSO)('%s also reports %s', async (file, at, message) => {
    const errors = await problems(file);
    const where = join(DIR, at.replace(/:\d+:\d+$/, '')) + at.slice(at.search(/:\d+:\d+$/));
    expect(errors.map((e) => `${formatLocation(e.location)} ${e.message}`)).toContain(`${where} ${message}`);
  });

  it.each(HINTS)('%s hints %s', async (file, hint) => {
    const [first] = await problems(file);
    expect(first.hint).toContain(hint);
  });
});
