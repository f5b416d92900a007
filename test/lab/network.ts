/**
 * The lab's network: bridge olab<ID> (10.77.<ID>.0/24, the control node at .1), an optional internal bridge
 * olab<ID>i (10.78.<ID>.0/24, no address here, so the control node cannot reach it), one namespace per host and
 * its veths. All in one `ip -batch` (one process for any number of hosts). Addresses are set by each host's init.
 */
import { bridgeName, gateway, internalBridgeName, internalSubnet, internalVeth, mainVeth } from './names.js';
import { runOk } from './run.js';
import type { LabHost } from './types.js';

export async function createNetwork(id: number, hosts: LabHost[]): Promise<void> {
  const br = bridgeName(id);
  const ibr = internalBridgeName(id);
  const lines = [`link add ${br} type bridge`, `address add ${gateway(id)}/24 dev ${br}`, `link set ${br} up`];
  const internal = hosts.some((h) => h.internalAddress);
  if (internal) {
    lines.push(`link add ${ibr} type bridge`, `link set ${ibr} up`);
    // Without this, packets for the internal subnet would follow the machine's default route out of the box.
    lines.push(`route add unreachable ${internalSubnet(id)}`);
  }
  for (const h of hosts) {
    lines.push(`netns add ${h.netns}`);
    if (!h.bastionOnly) {
      const v = mainVeth(id, h.index);
      lines.push(`link add ${v} type veth peer name eth0 netns ${h.netns}`, `link set ${v} master ${br} up`);
    }
    if (h.internalAddress) {
      const v = internalVeth(id, h.index);
      const inner = h.bastionOnly ? 'eth0' : 'eth1';
      lines.push(`link add ${v} type veth peer name ${inner} netns ${h.netns}`, `link set ${v} master ${ibr} up`);
    }
  }
  await runOk('ip', ['-batch', '-'], { input: `${lines.join('\n')}\n` });
}

/** Root-side veths of a host: setting them down makes the host silently vanish from the network (packets dropped). */
export function hostVeths(id: number, h: LabHost): string[] {
  const out: string[] = [];
  if (!h.bastionOnly) out.push(mainVeth(id, h.index));
  if (h.internalAddress) out.push(internalVeth(id, h.index));
  return out;
}

export async function setHostLinks(id: number, h: LabHost, up: boolean): Promise<void> {
  const lines = hostVeths(id, h).map((v) => `link set ${v} ${up ? 'up' : 'down'}`);
  await runOk('ip', ['-batch', '-'], { input: `${lines.join('\n')}\n` });
}
