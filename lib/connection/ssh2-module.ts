/**
 * ssh2, loaded on first use: a run that reaches no host over SSH (local tasks), `validate`, `inventory` never pay
 * for its ~40 CommonJS files (about a fifth of a cold start).
 */
type Ssh2 = typeof import('ssh2');

let loading: Promise<Ssh2> | undefined;
let loaded: Ssh2 | undefined;

export function loadSsh2(): Promise<Ssh2> {
  loading ??= import('ssh2').then((m) => {
    loaded = (m as unknown as { default: Ssh2 }).default ?? m;
    return loaded;
  });
  return loading;
}

/** The module, once loadSsh2() has resolved (synchronous callers further down the connect path). */
export function ssh2Loaded(): Ssh2 {
  if (!loaded) throw new Error('ssh2 used before loadSsh2()');
  return loaded;
}
