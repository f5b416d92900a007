/**
 * The transport registry: every value the inventory's `connection:` takes, and the module that implements it.
 * Adding a transport is one file (lib/connection/NAME.ts exporting `transport`, see transport.ts) plus one line
 * here; `npm run schemas` then lists it in schemas/inventory.schema.json (a unit test keeps the two in step).
 * A transport's module loads on first use (`load`): a run that reaches no host over SSH never loads the ssh code
 * nor ssh2.
 */
import { ConfigError, type SourceLocation } from '../errors.js';
import { didYouMeanOrKnown } from '../did-you-mean.js';
// The control node's transport is small and most runs use it (delegate_to: localhost, the run lock): bundled with
// the registry, since a chunk of its own costs a cold start more than its code (bench/results/startup.md).
import * as local from './local.js';
import type { Transport } from './transport.js';

export interface TransportEntry {
  /** One line for the schema, `-vvv` and error messages. */
  summary: string;
  load(): Promise<{ transport: Transport }>;
}

export const TRANSPORTS = {
  ssh: { summary: 'the default: over SSH', load: () => import('./ssh-transport.js') },
  local: { summary: 'the control node', load: async () => local },
} as const satisfies Record<string, TransportEntry>;

export type TransportName = keyof typeof TRANSPORTS;

export const TRANSPORT_NAMES = Object.keys(TRANSPORTS) as TransportName[];

export function isTransportName(name: unknown): name is TransportName {
  return typeof name === 'string' && Object.hasOwn(TRANSPORTS, name);
}

/** An inventory `connection:` value that names no transport (exit 4). */
export function unknownTransport(name: string, location?: SourceLocation): ConfigError {
  return new ConfigError(`unknown connection type \`${name}\``, {
    location,
    hint: didYouMeanOrKnown(name, TRANSPORT_NAMES, 'connection types'),
  });
}

/** The registry entry for `name`, or a ConfigError with a did-you-mean hint. */
export function transportEntry(name: string): TransportEntry {
  if (!isTransportName(name)) throw unknownTransport(name);
  return TRANSPORTS[name];
}
