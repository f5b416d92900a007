/** The inventory file's shape as written, after it passed schemas/inventory.schema.json. */
import type { Vars } from './types.js';
import type { TransportName } from '../connection/transports.js';

/** Connection keys as written in YAML (snake_case). */
export interface RawConnection {
  connection?: TransportName;
  user?: string;
  port?: number;
  key_file?: string;
  key_passphrase_env?: string;
  password_env?: string;
  agent?: boolean;
  known_hosts?: string;
  accept_new_host_keys?: boolean;
  jump?: string[];
  become?: boolean;
  become_user?: string;
  become_password_env?: string;
  become_method?: 'sudo' | 'sudo_direct';
  become_commands?: string[];
  connect_timeout?: number;
}

export const CONNECTION_KEYS = [
  'connection',
  'user',
  'port',
  'key_file',
  'key_passphrase_env',
  'password_env',
  'agent',
  'known_hosts',
  'accept_new_host_keys',
  'jump',
  'become',
  'become_user',
  'become_password_env',
  'become_method',
  'become_commands',
  'connect_timeout',
] as const satisfies ReadonlyArray<keyof RawConnection>;

export interface RawHost extends Omit<RawConnection, 'connection'> {
  address?: string;
  vars?: Vars | null;
  /** A transport name, or a mapping of connection settings. */
  connection?: TransportName | RawConnection;
}

export interface RawRegion {
  vars?: Vars | null;
  connection?: RawConnection;
  hosts?: Record<string, RawHost | null> | null;
}

export interface RawGroup {
  hosts?: string[];
  children?: string[];
  vars?: Vars | null;
  connection?: RawConnection;
}

export interface RawInventory {
  vars?: Vars | null;
  connection?: RawConnection;
  regions: Record<string, RawRegion>;
  groups?: Record<string, RawGroup>;
}
