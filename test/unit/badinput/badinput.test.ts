/**
 * The bad-input corpus (issue 7, "Bad input"): one fixture per case under ./corpus/ (pb-*.yml playbooks run
 * against corpus/_support/inventory.yml, inv-*.yml inventories run with corpus/_support/playbook.yml; option
 * cases are argv only), each run through the real CLI entry `main()` — and a sample of them as separate
 * processes (`omsplay run` / `omsplay validate` with a real exit code).
 *
 * Every case must give: the exit code (4 parse/validation, 5 bad options); `file:line:col: kind: message`
 * where a file is at fault; a `  hint:` line; no stack trace; and nothing run. "Nothing run" is proven with a
 * marker: every corpus playbook's first task is `command: [touch, "{{ marker }}"]`, and every host of the
 * corpus inventory is the control node itself (connection: local), so a case that slipped through validation
 * WOULD create the marker file (the control case below shows it does); no run journal is started either.
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../lib/cli/main.js';
import { lockPaths } from '../../../lib/engine/lock.js';
import { omsplay } from '../../support/omsplay.js';

const DIR = relative(process.cwd(), join(import.meta.dirname, 'corpus'));
const INV = `${DIR}/_support/inventory.yml`;
const PB = `${DIR}/_support/playbook.yml`;
/** Reads from_run.dumps and from_run.t1 (as rollback.yml does); its first task touches the marker, its play takes a lock. */
const FROM_RUN_PB = `${DIR}/_support/from-run.yml`;
const FROM_RUN_READS = `${FROM_RUN_PB} reads values an earlier run recorded (from_run.dumps, from_run.t1) and runs only with --from-run`;
const FROM_RUN_HINT = 'add --from-run last, or --from-run RUN_ID (see omsplay runs)';

/** The kinds of bad input issue 7 lists; every one must be covered by at least one case. */
const KINDS = [
  'broken YAML',
  'duplicate keys',
  'tabs',
  'unknown keyword',
  'wrong type',
  'unknown module',
  'bad module arguments',
  'two modules in one task',
  'undefined variable',
  'template syntax error',
  'host pattern matching nothing',
  'duplicate host names',
  'host in two regions',
  'include cycle',
  'missing vars file',
  'inventory without regions',
  'missing key file',
  'port out of range',
  'empty playbook',
  'playbook is a mapping',
  'YAML 1.1 booleans',
  'bad options',
  'other',
] as const;
type Kind = (typeof KINDS)[number];

interface Case {
  /** Fixture file under corpus/ (pb-*, inv-*), or a name for an option case (opt-*). */
  id: string;
  kind: Kind;
  exit: 4 | 5;
  /** `file:line:col` relative to corpus/ (the file at fault), or null when no file is (options). */
  at: string | null;
  message: string | string[];
  hint: string;
  /** argv for option cases (the marker and state dir are added by the test). */
  argv?: string[];
  /** Also run as a separate process. */
  proc?: 'run' | 'validate';
}

const CASES: Case[] = [
  // broken YAML
  { id: 'pb-broken-yaml-quote.yml', kind: 'broken YAML', exit: 4, at: 'pb-broken-yaml-quote.yml:6:20', message: 'invalid YAML: Missing closing "quote', hint: 'not closed', proc: 'run' },
  { id: 'pb-broken-yaml-flow.yml', kind: 'broken YAML', exit: 4, at: 'pb-broken-yaml-flow.yml:7:1', message: 'invalid YAML: Flow sequence in block collection', hint: 'indentation' },
  { id: 'pb-broken-yaml-indent.yml', kind: 'broken YAML', exit: 4, at: 'pb-broken-yaml-indent.yml:7:1', message: 'invalid YAML: A block sequence may not be used as an implicit map key', hint: 'must be quoted' },
  { id: 'pb-unquoted-colon.yml', kind: 'broken YAML', exit: 4, at: 'pb-unquoted-colon.yml:6:14', message: 'invalid YAML: Nested mappings are not allowed in compact mappings', hint: 'must be quoted' },
  { id: 'pb-multiple-documents.yml', kind: 'broken YAML', exit: 4, at: 'pb-multiple-documents.yml:6:1', message: 'more than one YAML document in this file', hint: 'one YAML document per file' },
  { id: 'pb-unknown-tag.yml', kind: 'broken YAML', exit: 4, at: 'pb-unknown-tag.yml:4:9', message: 'unknown tag `!vault`', hint: 'the only tag omsplay knows is !secret' },
  { id: 'pb-secret-on-mapping.yml', kind: 'broken YAML', exit: 4, at: 'pb-secret-on-mapping.yml:4:9', message: '!secret applies to a scalar value', hint: 'password: !secret' },
  { id: 'inv-broken-yaml.yml', kind: 'broken YAML', exit: 4, at: 'inv-broken-yaml.yml:2:1', message: 'invalid YAML: Flow map in block collection', hint: 'indentation', proc: 'validate' },
  // duplicate keys
  { id: 'pb-duplicate-key-task.yml', kind: 'duplicate keys', exit: 4, at: 'pb-duplicate-key-task.yml:8:7', message: 'duplicate key `when`', hint: 'each key may appear once', proc: 'run' },
  { id: 'pb-duplicate-key-play.yml', kind: 'duplicate keys', exit: 4, at: 'pb-duplicate-key-play.yml:6:3', message: 'duplicate key `tasks`', hint: 'each key may appear once' },
  { id: 'inv-duplicate-key.yml', kind: 'duplicate keys', exit: 4, at: 'inv-duplicate-key.yml:4:3', message: 'duplicate key `user`', hint: 'each key may appear once' },
  // tabs
  { id: 'pb-tabs.yml', kind: 'tabs', exit: 4, at: 'pb-tabs.yml:6:1', message: 'a tab is used for indentation', hint: 'spaces, not tabs', proc: 'run' },
  { id: 'inv-tabs.yml', kind: 'tabs', exit: 4, at: 'inv-tabs.yml:5:1', message: 'a tab is used for indentation', hint: 'spaces, not tabs' },
  // unknown keywords, with a suggestion where one is close
  { id: 'pb-unknown-task-keyword.yml', kind: 'unknown keyword', exit: 4, at: 'pb-unknown-task-keyword.yml:7:7', message: 'unknown task keyword `whne` — did you mean `when`?', hint: 'task keywords: name, when', proc: 'validate' },
  { id: 'pb-unknown-play-keyword.yml', kind: 'unknown keyword', exit: 4, at: 'pb-unknown-play-keyword.yml:3:3', message: 'unknown play keyword `task` — did you mean `tasks`?', hint: 'allowed: name, hosts' },
  { id: 'pb-unknown-ansible-keyword.yml', kind: 'unknown keyword', exit: 4, at: 'pb-unknown-ansible-keyword.yml:7:7', message: 'unknown task keyword `with_items`', hint: 'use `loop:`' },
  { id: 'pb-unknown-loop-control-key.yml', kind: 'unknown keyword', exit: 4, at: 'pb-unknown-loop-control-key.yml:8:22', message: 'unknown loop_control key `loopvar` — did you mean `loop_var`?', hint: 'loop_var' },
  { id: 'inv-unknown-host-key.yml', kind: 'unknown keyword', exit: 4, at: 'inv-unknown-host-key.yml:6:9', message: 'unknown host key `adress` — did you mean `address`?', hint: 'address' },
  { id: 'inv-unknown-top-level-key.yml', kind: 'unknown keyword', exit: 4, at: 'inv-unknown-top-level-key.yml:2:1', message: 'unknown inventory key `region` — did you mean `regions`?', hint: 'regions' },
  // wrong types
  { id: 'pb-wrong-type-retries.yml', kind: 'wrong type', exit: 4, at: 'pb-wrong-type-retries.yml:9:16', message: '`retries`: expected an integer, got string "many"', hint: 'retries', proc: 'run' },
  { id: 'pb-wrong-type-tasks.yml', kind: 'wrong type', exit: 4, at: 'pb-wrong-type-tasks.yml:4:5', message: '`tasks`: expected a list, got a mapping', hint: 'task' },
  { id: 'pb-wrong-type-vars.yml', kind: 'wrong type', exit: 4, at: 'pb-wrong-type-vars.yml:3:9', message: '`vars`: expected a mapping of variable names to values, got a list', hint: 'write a mapping' },
  { id: 'pb-wrong-type-name.yml', kind: 'wrong type', exit: 4, at: 'pb-wrong-type-name.yml:1:9', message: '`name`: expected a string, got a list', hint: 'name' },
  { id: 'pb-wrong-type-serial.yml', kind: 'wrong type', exit: 4, at: 'pb-wrong-type-serial.yml:3:11', message: '`serial`: expected a batch size', hint: 'batch' },
  { id: 'pb-missing-hosts.yml', kind: 'wrong type', exit: 4, at: 'pb-missing-hosts.yml:1:3', message: 'missing required play keyword `hosts`', hint: 'pattern' },
  { id: 'inv-port-wrong-type.yml', kind: 'wrong type', exit: 4, at: 'inv-port-wrong-type.yml:2:9', message: '`port`: expected a port number from 1 to 65535, got string "twenty-two"', hint: 'SSH port' },
  // unknown modules
  { id: 'pb-unknown-module.yml', kind: 'unknown module', exit: 4, at: 'pb-unknown-module.yml:6:7', message: 'unknown module `comand` — did you mean `command`?', hint: 'modules: assert, command', proc: 'run' },
  { id: 'pb-unknown-module-no-suggestion.yml', kind: 'unknown module', exit: 4, at: 'pb-unknown-module-no-suggestion.yml:6:7', message: 'unknown module `frobnicate`', hint: 'modules: assert, command' },
  // bad module arguments
  { id: 'pb-module-arg-typo.yml', kind: 'bad module arguments', exit: 4, at: 'pb-module-arg-typo.yml:7:9', message: ['missing required argument `dest` for module `copy`', 'unknown argument `dst` for module `copy` — did you mean `dest`?'], hint: 'and `dest`', proc: 'validate' },
  { id: 'pb-module-arg-type.yml', kind: 'bad module arguments', exit: 4, at: 'pb-module-arg-type.yml:6:24', message: '`port` for module `wait_for`: expected an integer, got string "eighty"', hint: 'port' },
  { id: 'pb-module-arg-missing.yml', kind: 'bad module arguments', exit: 4, at: 'pb-module-arg-missing.yml:7:9', message: 'missing required argument `dest` for module `mysql.dump`', hint: 'dest' },
  { id: 'pb-module-args-string.yml', kind: 'bad module arguments', exit: 4, at: 'pb-module-args-string.yml:6:13', message: 'module `copy` takes a mapping of arguments, got string', hint: 'write its arguments as keys' },
  { id: 'pb-module-arg-bad-enum.yml', kind: 'bad module arguments', exit: 4, at: 'pb-module-arg-bad-enum.yml:6:48', message: '`state` for module `docker.container`: expected one of "started"', hint: 'started: exists and runs' },
  // two modules in one task
  { id: 'pb-two-modules.yml', kind: 'two modules in one task', exit: 4, at: 'pb-two-modules.yml:8:7', message: 'a task has exactly one module, this one has 2 modules: `command` and `shell`', hint: 'one task per module', proc: 'run' },
  { id: 'pb-task-without-module.yml', kind: 'two modules in one task', exit: 4, at: 'pb-task-without-module.yml:6:7', message: 'task `nothing to do` has no module', hint: 'exactly one module key' },
  // undefined variables
  { id: 'pb-undefined-variable.yml', kind: 'undefined variable', exit: 4, at: 'pb-undefined-variable.yml:9:20', message: 'undefined variable `oms_verison` in task `show version` — did you mean `oms_version`?', hint: '-e oms_verison=', proc: 'run' },
  { id: 'pb-undefined-variable-when.yml', kind: 'undefined variable', exit: 4, at: 'pb-undefined-variable-when.yml:8:13', message: 'undefined variable `ha_settings` in task `only with HA`', hint: '(default ha_settings "value")' },
  { id: 'pb-undefined-variable-args.yml', kind: 'undefined variable', exit: 4, at: 'pb-undefined-variable-args.yml:7:23', message: 'undefined variable `nothing_defines_me` in task `copy it`', hint: 'register/set_fact' },
  // template syntax errors
  { id: 'pb-template-syntax.yml', kind: 'template syntax error', exit: 4, at: 'pb-template-syntax.yml:6:20', message: ['template syntax error', 'version {{ oms_version '], hint: "every '{{' has its '}}'", proc: 'validate' },
  { id: 'pb-template-syntax-condition.yml', kind: 'template syntax error', exit: 4, at: 'pb-template-syntax-condition.yml:7:13', message: ["template syntax error: a ')' is missing", '(eq region'], hint: "every '(' its ')'" },
  { id: 'pb-jinja-condition.yml', kind: 'template syntax error', exit: 4, at: 'pb-jinja-condition.yml:7:13', message: "template syntax error: unexpected '='", hint: '(eq a b)' },
  // host patterns that match nothing
  { id: 'pb-host-pattern-no-match.yml', kind: 'host pattern matching nothing', exit: 4, at: 'pb-host-pattern-no-match.yml:2:10', message: 'host pattern `oms_nodez`: `oms_nodez` matches no host, region or group', hint: 'did you mean `oms_nodes`?', proc: 'run' },
  { id: 'pb-host-pattern-intersection-empty.yml', kind: 'host pattern matching nothing', exit: 4, at: 'pb-host-pattern-intersection-empty.yml:2:10', message: '`hangzou` matches no host, region or group', hint: 'did you mean `hangzhou`?' },
  { id: 'pb-delegate-to-unknown.yml', kind: 'host pattern matching nothing', exit: 4, at: 'pb-delegate-to-unknown.yml:7:20', message: 'delegate_to `oms-hz-9` is not a host of', hint: 'delegate_to takes an inventory host name' },
  { id: 'inv-unknown-group-member.yml', kind: 'host pattern matching nothing', exit: 4, at: 'inv-unknown-group-member.yml:9:23', message: 'group `oms_nodes` names unknown host `oms-hz-3`', hint: 'did you mean `oms-hz-1` or `oms-hz-2`?' },
  { id: 'inv-unknown-jump-host.yml', kind: 'host pattern matching nothing', exit: 4, at: 'inv-unknown-jump-host.yml:2:10', message: 'jump host `bastion-9` is not an inventory host', hint: 'did you mean `bastion-1`?' },
  // duplicate host names, a host in two regions
  { id: 'inv-duplicate-host.yml', kind: 'duplicate host names', exit: 4, at: 'inv-duplicate-host.yml:7:7', message: 'duplicate key `oms-hz-1`', hint: 'each key may appear once', proc: 'run' },
  { id: 'inv-hosts-differ-in-case.yml', kind: 'duplicate host names', exit: 4, at: 'inv-hosts-differ-in-case.yml:8:7', message: 'host `OMS-1` in region `shanghai` differs only in case from host `oms-1`', hint: 'exactly one region' },
  { id: 'inv-host-in-two-regions.yml', kind: 'host in two regions', exit: 4, at: 'inv-host-in-two-regions.yml:9:7', message: 'host `oms-1` is declared in two regions: `hangzhou` (line 5) and `shanghai`', hint: 'exactly one region', proc: 'validate' },
  // include cycles
  { id: 'pb-include-cycle.yml', kind: 'include cycle', exit: 4, at: '_support/tasks/cycle-b.yml:2:17', message: ['include cycle: ', 'cycle-a.yml → ', 'cycle-b.yml → '], hint: 'must not include itself', proc: 'run' },
  { id: 'pb-include-self.yml', kind: 'include cycle', exit: 4, at: '_support/tasks/self.yml:2:18', message: ['include cycle: ', 'self.yml → ', 'self.yml'], hint: 'must not include itself' },
  { id: 'inv-group-cycle.yml', kind: 'include cycle', exit: 4, at: 'inv-group-cycle.yml:10:16', message: 'group children form a cycle: a > b > a', hint: 'a group cannot contain itself' },
  // missing files
  { id: 'pb-missing-vars-file.yml', kind: 'missing vars file', exit: 4, at: 'pb-missing-vars-file.yml:4:7', message: 'vars file `_support/vars/prod.yml` does not exist', hint: 'relative to the playbook', proc: 'run' },
  { id: 'pb-vars-file-is-list.yml', kind: 'missing vars file', exit: 4, at: '_support/vars/list.yml:1:1', message: 'a vars file is a mapping of variable names to values', hint: 'without `- `' },
  { id: 'pb-missing-task-file.yml', kind: 'missing vars file', exit: 4, at: 'pb-missing-task-file.yml:6:21', message: 'task file `_support/tasks/does-not-exist.yml` does not exist', hint: 'relative to the file that includes them' },
  // inventories without regions
  { id: 'inv-no-regions.yml', kind: 'inventory without regions', exit: 4, at: 'inv-no-regions.yml:2:1', message: 'unknown inventory key `hosts`', hint: 'regions', proc: 'run' },
  { id: 'inv-empty-regions.yml', kind: 'inventory without regions', exit: 4, at: 'inv-empty-regions.yml:2:1', message: 'the inventory has no regions', hint: 'every host belongs to exactly one region' },
  { id: 'inv-empty.yml', kind: 'inventory without regions', exit: 4, at: 'inv-empty.yml:1:1', message: 'the inventory is empty', hint: 'regions' },
  { id: 'inv-list.yml', kind: 'inventory without regions', exit: 4, at: 'inv-list.yml:1:1', message: 'the inventory must be a mapping, not a list', hint: 'top-level keys' },
  // key file
  { id: 'inv-key-file-missing.yml', kind: 'missing key file', exit: 4, at: 'inv-key-file-missing.yml:6:17', message: 'key file ./keys/does-not-exist (', hint: 'relative to the inventory file', proc: 'run' },
  // ports
  { id: 'inv-port-out-of-range.yml', kind: 'port out of range', exit: 4, at: 'inv-port-out-of-range.yml:7:15', message: '`port`: expected a port number from 1 to 65535, got number 70000', hint: 'SSH port', proc: 'validate' },
  { id: 'inv-port-zero.yml', kind: 'port out of range', exit: 4, at: 'inv-port-zero.yml:2:9', message: '`port`: expected a port number from 1 to 65535, got number 0', hint: 'SSH port' },
  // empty playbooks, wrong shapes
  { id: 'pb-empty.yml', kind: 'empty playbook', exit: 4, at: 'pb-empty.yml:1:1', message: 'the playbook is empty', hint: 'a playbook is a list of plays', proc: 'run' },
  { id: 'pb-empty-list.yml', kind: 'empty playbook', exit: 4, at: 'pb-empty-list.yml:1:1', message: 'the playbook is empty', hint: 'a playbook is a list of plays' },
  { id: 'pb-only-comment.yml', kind: 'empty playbook', exit: 4, at: 'pb-only-comment.yml:1:1', message: 'the playbook is empty', hint: 'a playbook is a list of plays' },
  { id: 'pb-mapping.yml', kind: 'playbook is a mapping', exit: 4, at: 'pb-mapping.yml:1:1', message: 'a playbook is a list of plays, this one is a mapping', hint: 'start each play with `- `', proc: 'run' },
  { id: 'pb-scalar.yml', kind: 'playbook is a mapping', exit: 4, at: 'pb-scalar.yml:1:1', message: 'a playbook is a list of plays, this one is a string', hint: 'hosts: all' },
  { id: 'pb-task-list.yml', kind: 'playbook is a mapping', exit: 4, at: 'pb-task-list.yml:1:1', message: 'this playbook is a list of tasks, not of plays', hint: 'import this task file' },
  // YAML 1.1 booleans (yes/no/on/off are strings in YAML 1.2) and booleans where strings are meant
  { id: 'pb-yaml11-become.yml', kind: 'YAML 1.1 booleans', exit: 4, at: 'pb-yaml11-become.yml:3:11', message: '`become`: expected a boolean (true/false), got string "no"', hint: 'write true or false', proc: 'run' },
  { id: 'pb-yaml11-when.yml', kind: 'YAML 1.1 booleans', exit: 4, at: 'pb-yaml11-when.yml:7:13', message: '`when: yes` is the string "yes", not a boolean', hint: 'write true or false' },
  { id: 'pb-yaml11-ignore-errors.yml', kind: 'YAML 1.1 booleans', exit: 4, at: 'pb-yaml11-ignore-errors.yml:7:22', message: '`ignore_errors`: expected a boolean (true/false), got string "on"', hint: 'write true or false' },
  { id: 'pb-yaml11-module-arg.yml', kind: 'YAML 1.1 booleans', exit: 4, at: 'pb-yaml11-module-arg.yml:12:19', message: '`triggers` for module `mysql.dump`: expected a boolean (true/false), got string "off"', hint: 'write true or false' },
  { id: 'inv-yaml11-become.yml', kind: 'YAML 1.1 booleans', exit: 4, at: 'inv-yaml11-become.yml:2:11', message: '`become`: expected a boolean (true/false), got string "yes"', hint: 'write true or false' },
  { id: 'pb-boolean-where-string-meant.yml', kind: 'YAML 1.1 booleans', exit: 4, at: 'pb-boolean-where-string-meant.yml:6:13', message: '`name`: expected a string, got boolean true', hint: 'quote it' },
  { id: 'inv-boolean-where-string-meant.yml', kind: 'YAML 1.1 booleans', exit: 4, at: 'inv-boolean-where-string-meant.yml:2:9', message: '`user`: expected a string, got boolean true', hint: 'quote it' },
  // other validation the corpus keeps
  { id: 'pb-notify-no-handler.yml', kind: 'other', exit: 4, at: 'pb-notify-no-handler.yml:4:7', message: ['notify `restart oms` matches no handler of play', 'did you mean `restart OMS`?'], hint: 'handlers: restart OMS' },
  { id: 'pb-retries-without-until.yml', kind: 'other', exit: 4, at: 'pb-retries-without-until.yml:7:7', message: '`retries` needs `until`', hint: 'add `until` or remove `retries`' },
  // bad command-line options (exit 5)
  { id: 'opt-unknown-flag', kind: 'bad options', exit: 5, at: null, argv: ['run', PB, '-i', INV, '--frobnicate'], message: "unknown option '--frobnicate'", hint: 'usage: omsplay run PLAYBOOK -i INVENTORY', proc: 'run' },
  { id: 'opt-forks-abc', kind: 'bad options', exit: 5, at: null, argv: ['run', PB, '-i', INV, '--forks', 'abc'], message: '--forks must be a whole number of at least 1, got "abc"', hint: '--forks 10', proc: 'run' },
  { id: 'opt-forks-zero', kind: 'bad options', exit: 5, at: null, argv: ['run', PB, '-i', INV, '-f', '0'], message: '--forks must be a whole number of at least 1, got "0"', hint: '--forks 10' },
  { id: 'opt-forks-missing-value', kind: 'bad options', exit: 5, at: null, argv: ['run', PB, '-i', INV, '-f'], message: "option '-f, --forks <N>' argument missing", hint: 'omsplay run PLAYBOOK' },
  { id: 'opt-missing-inventory', kind: 'bad options', exit: 5, at: null, argv: ['run', PB], message: 'an inventory is required', hint: 'add -i', proc: 'run' },
  { id: 'opt-two-playbooks', kind: 'bad options', exit: 5, at: null, argv: ['run', PB, PB, '-i', INV], message: 'run takes exactly one playbook', hint: 'omsplay run PLAYBOOK', proc: 'run' },
  { id: 'opt-no-playbook', kind: 'bad options', exit: 5, at: null, argv: ['run', '-i', INV], message: 'run takes exactly one playbook', hint: 'omsplay run PLAYBOOK' },
  { id: 'opt-validate-two-playbooks', kind: 'bad options', exit: 5, at: null, argv: ['validate', PB, PB, '-i', INV], message: 'validate takes exactly one playbook', hint: 'omsplay validate PLAYBOOK', proc: 'validate' },
  { id: 'opt-unknown-command', kind: 'bad options', exit: 5, at: null, argv: ['runn', PB, '-i', INV], message: 'unknown command "runn"', hint: 'the commands: run, validate' },
  { id: 'opt-extra-var-without-value', kind: 'bad options', exit: 5, at: null, argv: ['run', PB, '-i', INV, '-e', 'novalue'], message: '-e "novalue": expected key=value', hint: '-e oms_target_version=4.0.0' },
  { id: 'opt-limit-matches-nothing', kind: 'bad options', exit: 5, at: null, argv: ['run', PB, '-i', INV, '--limit', 'oms-zz-9'], message: 'host pattern `oms-zz-9`: `oms-zz-9` matches no host, region or group', hint: 'did you mean', proc: 'run' },
  { id: 'opt-from-run-missing', kind: 'bad options', exit: 5, at: null, argv: ['run', FROM_RUN_PB, '-i', INV], message: FROM_RUN_READS, hint: FROM_RUN_HINT, proc: 'run' },
  { id: 'opt-from-run-missing-check', kind: 'bad options', exit: 5, at: null, argv: ['run', FROM_RUN_PB, '-i', INV, '--check'], message: FROM_RUN_READS, hint: FROM_RUN_HINT },
  { id: 'opt-from-run-as-extra-var', kind: 'bad options', exit: 5, at: null, argv: ['run', FROM_RUN_PB, '-i', INV, '-e', '{"from_run": {"dumps": [], "t1": "x"}}'], message: `-e from_run: ${FROM_RUN_PB} reads from_run.dumps, from_run.t1, which only --from-run sets`, hint: `remove -e from_run; ${FROM_RUN_HINT}` },
  { id: 'opt-from-run-beside-extra-var', kind: 'bad options', exit: 5, at: null, argv: ['run', FROM_RUN_PB, '-i', INV, '--from-run', 'last', '-e', 'from_run=x'], message: '-e from_run: ', hint: 'remove -e from_run' },
  { id: 'opt-from-run-unknown', kind: 'bad options', exit: 5, at: null, argv: ['run', PB, '-i', INV, '--from-run', 'no-such-run'], message: 'no earlier run matches --from-run no-such-run', hint: 'omsplay runs' },
  // files named on the command line that do not exist or do not parse (exit 4: the file is at fault)
  { id: 'opt-inventory-missing', kind: 'bad options', exit: 4, at: null, argv: ['run', PB, '-i', `${DIR}/_support/no-such-inventory.yml`], message: 'no-such-inventory.yml does not exist', hint: 'check the path' },
  { id: 'opt-playbook-missing', kind: 'bad options', exit: 4, at: null, argv: ['run', `${DIR}/no-such-playbook.yml`, '-i', INV], message: 'no-such-playbook.yml not found', hint: 'give a path' },
  { id: 'opt-extra-vars-file-missing', kind: 'bad options', exit: 4, at: null, argv: ['run', PB, '-i', INV, '-e', `@${DIR}/_support/no-such-vars.yml`], message: 'no-such-vars.yml does not exist', hint: 'check the path' },
];

const MARK = 'MARKER';
let work: string;
let seq = 0;

/** A fresh directory per case: the marker path and OMSPLAY_HOME live there. */
async function caseDir(): Promise<{ marker: string; home: string }> {
  const d = join(work, String(seq++));
  const { mkdir } = await import('node:fs/promises');
  await mkdir(d);
  return { marker: join(d, MARK), home: join(d, 'home') };
}

function argvOf(c: Case, marker: string, command: 'run' | 'validate' = 'run'): string[] {
  // The marker goes right after the subcommand, so a case's own last option (e.g. a lone `-f`) stays last.
  if (c.argv) return c.argv[0] === 'runn' ? c.argv : [c.argv[0]!, '-e', `marker=${marker}`, ...c.argv.slice(1)];
  const [pb, inv] = c.id.startsWith('pb-') ? [`${DIR}/${c.id}`, INV] : [PB, `${DIR}/${c.id}`];
  return [command, pb, '-i', inv, '-e', `marker=${marker}`];
}

/** Runs main() in this process with stdout/stderr captured and OMSPLAY_HOME pointed at home. */
async function inProcess(argv: string[], home: string): Promise<{ code: number; out: string }> {
  let out = '';
  const write = (chunk: unknown) => {
    out += String(chunk);
    return true;
  };
  const [so, se] = [process.stdout.write, process.stderr.write];
  const oldHome = process.env.OMSPLAY_HOME;
  process.env.OMSPLAY_HOME = home;
  process.stdout.write = write as typeof process.stdout.write;
  process.stderr.write = write as typeof process.stderr.write;
  try {
    const code = await main(argv);
    return { code, out };
  } finally {
    process.stdout.write = so;
    process.stderr.write = se;
    if (oldHome === undefined) delete process.env.OMSPLAY_HOME;
    else process.env.OMSPLAY_HOME = oldHome;
  }
}

function check(c: Case, code: number | null, raw: string, marker: string, home: string): void {
  const out = raw.replaceAll(`${process.cwd()}/`, '');
  expect(code, out).toBe(c.exit);
  // The first problem, where it is and what it is.
  const lines = out.split('\n');
  const first = lines.findIndex((l) => /^(\S+:\d+:\d+: )?(config error|validation error|bad options): /.test(l));
  expect(first, `a "file:line:col: kind: message" line in:\n${out}`).toBeGreaterThanOrEqual(0);
  if (c.at) expect(lines[first]!.startsWith(`${DIR}/${c.at}: `), out).toBe(true);
  for (const m of [c.message].flat()) expect(out).toContain(m);
  // A hint follows (for the first problem).
  const hint = lines.slice(first + 1).find((l) => l.startsWith('  hint: ') || /^\S+:\d+:\d+: /.test(l));
  expect(hint?.startsWith('  hint: '), `a hint under the first problem in:\n${out}`).toBe(true);
  expect(out.slice(out.indexOf('  hint: '))).toContain(c.hint);
  // No stack trace, no "unexpected error", nothing run, no journal started.
  expect(out).not.toMatch(/^\s+at .+/m);
  expect(out).not.toMatch(/unexpected error|TypeError|ReferenceError/);
  expect(existsSync(marker), 'the marker task must not run').toBe(false);
  expect(existsSync(join(home, 'runs')), 'no run journal may be started').toBe(false);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'omsplay-badinput-'));
});
afterAll(async () => {
  const { rm } = await import('node:fs/promises');
  await rm(work, { recursive: true, force: true });
});

describe('the bad-input corpus', () => {
  it('has one fixture per case, at least 50 cases, and covers every kind issue 7 lists', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.yml')).sort();
    expect(CASES.filter((c) => !c.argv).map((c) => c.id).sort()).toEqual(files);
    expect(CASES.length).toBeGreaterThanOrEqual(50);
    expect(new Set(CASES.map((c) => c.id)).size).toBe(CASES.length);
    for (const k of KINDS) expect(CASES.filter((c) => c.kind === k).length, k).toBeGreaterThan(0);
    // A good sample also runs as real processes: every kind but "other" at least once.
    for (const k of KINDS.filter((x) => x !== 'other')) expect(CASES.filter((c) => c.kind === k && c.proc).length, `${k} as a process`).toBeGreaterThan(0);
    expect(CASES.filter((c) => c.proc).length).toBeGreaterThanOrEqual(20);
  });

  it('control: the corpus inventory and playbook DO run the marker task when nothing is wrong', async () => {
    const { marker, home } = await caseDir();
    const r = await inProcess(['run', PB, '-i', INV, '-e', `marker=${marker}`], home);
    expect(r.code, r.out).toBe(0);
    expect(existsSync(marker)).toBe(true);
  });

  it.each(CASES.map((c) => [c.id, c] as const))('%s (main)', async (_id, c) => {
    const { marker, home } = await caseDir();
    const r = await inProcess(argvOf(c, marker), home);
    check(c, r.code, r.out, marker, home);
  });
});

describe('the bad-input corpus as separate processes', () => {
  it('control: `omsplay run` of the corpus playbook creates the marker', async () => {
    const { marker, home } = await caseDir();
    const r = await omsplay(['run', PB, '-i', INV, '-e', `marker=${marker}`], { env: { OMSPLAY_HOME: home } });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(existsSync(marker)).toBe(true);
  });

  const sample = CASES.filter((c) => c.proc);
  it.concurrent.each(sample.map((c) => [`omsplay ${c.proc} ${c.id}`, c] as const))('%s', async (_name, c) => {
    const { marker, home } = await caseDir();
    const argv = c.argv ? argvOf(c, marker) : argvOf(c, marker, c.proc);
    const r = await omsplay(argv, { env: { OMSPLAY_HOME: home } });
    check(c, r.code, `${r.stdout}${r.stderr}`, marker, home);
  });
});

describe('a playbook that reads from_run, without --from-run', () => {
  it('is refused before its lock: no journal (opened before any lock is taken), no lock, nothing run', async () => {
    const { marker, home } = await caseDir();
    const r = await inProcess(['run', FROM_RUN_PB, '-i', INV, '-e', `marker=${marker}`], home);
    expect(r.code, r.out).toBe(5);
    expect(r.out).toContain(`bad options: ${FROM_RUN_READS}\n  hint: ${FROM_RUN_HINT}`);
    expect(existsSync(join(home, 'runs'))).toBe(false);
    expect(existsSync(marker)).toBe(false);
    for (const p of lockPaths('corpus-from-run')) expect(existsSync(p), p).toBe(false);
  });

  it('--list-tasks and --list-hosts still answer: they run nothing and read no values', async () => {
    const { marker, home } = await caseDir();
    const tasks = await inProcess(['run', FROM_RUN_PB, '-i', INV, '--list-tasks', '-e', `marker=${marker}`], home);
    expect(tasks.code, tasks.out).toBe(0);
    expect(tasks.out).toContain('what the earlier run recorded');
    const hosts = await inProcess(['run', FROM_RUN_PB, '-i', INV, '--list-hosts', '-e', `marker=${marker}`], home);
    expect(hosts.code, hosts.out).toBe(0);
    expect(hosts.out).toContain('oms-sh-1');
    expect(existsSync(join(home, 'runs'))).toBe(false);
  });

  it('with --from-run it goes on to look for the earlier run (the refusal is only for a missing one)', async () => {
    const { marker, home } = await caseDir();
    const r = await inProcess(['run', FROM_RUN_PB, '-i', INV, '--from-run', 'last', '-e', `marker=${marker}`], home);
    expect(r.code, r.out).toBe(5);
    expect(r.out).toContain('no earlier run matches --from-run last');
    expect(r.out).toContain('recorded dumps, t1');
    expect(existsSync(marker)).toBe(false);
  });

  it('validate passes, warning that a run needs --from-run; with --from-run it says nothing of it', async () => {
    const { home } = await caseDir();
    const without = await inProcess(['validate', FROM_RUN_PB, '-i', INV, '-e', 'marker=m'], home);
    expect(without.code, without.out).toBe(0);
    expect(without.out).toContain(`warning: ${FROM_RUN_READS}\n  hint: ${FROM_RUN_HINT}`);
    expect(without.out).toContain('valid (1 plays, 2 tasks)');
    const withIt = await inProcess(['validate', FROM_RUN_PB, '-i', INV, '-e', 'marker=m', '--from-run', 'last'], home);
    expect(withIt.code, withIt.out).toBe(0);
    expect(withIt.out).not.toContain('warning');
  });

  it('a playbook that reads no from_run runs without it, with no warning', async () => {
    const { marker, home } = await caseDir();
    const v = await inProcess(['validate', PB, '-i', INV, '-e', `marker=${marker}`], home);
    expect(v.code, v.out).toBe(0);
    expect(v.out).not.toContain('from-run');
  });
});
