/** Every name and address a lab uses, derived from its ID alone, so cleanup needs nothing but the ID. */

export const MAX_LAB_ID = 50;
/** Hosts get .10 .. .254 of the /24. */
export const MAX_HOSTS = 245;

export function labDir(id: number): string {
  return `/var/tmp/omsplay-lab-${id}`;
}
export function bridgeName(id: number): string {
  return `olab${id}`;
}
export function internalBridgeName(id: number): string {
  return `olab${id}i`;
}
export function netnsName(id: number, host: string): string {
  return `olab${id}-${host}`;
}
/** Netns names of this lab start with this prefix (and no other lab's do: "olab1-" is not a prefix of "olab10-"). */
export function netnsPrefix(id: number): string {
  return `olab${id}-`;
}
/** Root-side veth of host index i on the main bridge (interface names are limited to 15 characters). */
export function mainVeth(id: number, index: number): string {
  return `ol${id}m${index}`;
}
export function internalVeth(id: number, index: number): string {
  return `ol${id}i${index}`;
}
/** Matches this lab's root-side veths and no other lab's. */
export function vethPattern(id: number): RegExp {
  return new RegExp(`^ol${id}[mi][0-9]+$`);
}
export function subnet(id: number): string {
  return `10.77.${id}.0/24`;
}
export function gateway(id: number): string {
  return `10.77.${id}.1`;
}
export function internalSubnet(id: number): string {
  return `10.78.${id}.0/24`;
}
export function hostAddress(id: number, index: number): string {
  return `10.77.${id}.${10 + index}`;
}
export function internalAddress(id: number, index: number): string {
  return `10.78.${id}.${10 + index}`;
}

export function checkLabId(id: number): number {
  if (!Number.isInteger(id) || id < 0 || id > MAX_LAB_ID) {
    throw new Error(`lab id must be an integer 0..${MAX_LAB_ID}, got ${id}`);
  }
  return id;
}

/** Lab host names become netns names, file names and /etc/hosts entries. */
export function checkHostName(name: string): string {
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(name)) {
    throw new Error(`lab host name must match [a-z][a-z0-9-]{0,30}, got ${JSON.stringify(name)}`);
  }
  return name;
}

export function defaultLabId(): number {
  const raw = process.env.LAB_ID;
  return raw === undefined || raw === '' ? 0 : checkLabId(Number(raw));
}
