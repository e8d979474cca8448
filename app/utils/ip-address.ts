/**
 * IP addresses read by hand rather than with `node:net`, so that the request
 * path (session protection, rate limits) runs on any runtime. It accepts
 * exactly what Node's `net.isIPv4` / `net.isIPv6` accept (a unit test compares
 * them on thousands of strings) and gives the numbers behind the text.
 */

export type IpAddress = { version: 4; octets: number[] } | { version: 6; groups: number[] };

const OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
/** Dotted decimal, no leading zeros (`010.0.0.1` is not an address: some read it as octal). */
const IPV4 = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);
const GROUP = /^[0-9a-f]{1,4}$/i;
/** A scope after `%` (`fe80::1%eth0`): the characters Node allows there. */
const ZONE = /^[0-9a-z.:-]+$/i;

/** The four numbers of a dotted IPv4 address, or null. */
export function parseIPv4(text: string): number[] | null {
  const match = IPV4.exec(text);
  return match ? match.slice(1).map(Number) : null;
}

/** The eight 16-bit groups of an IPv6 address (`::` expanded, a dotted IPv4 tail as two groups, a zone dropped), or null. */
export function parseIPv6(text: string): number[] | null {
  let address = text;
  const percent = address.indexOf("%");
  if (percent >= 0) {
    if (!ZONE.test(address.slice(percent + 1))) return null;
    address = address.slice(0, percent);
  }
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const sides = halves.map((half) => (half === "" ? [] : half.split(":")));
  const numbers: number[][] = [];
  for (const [index, parts] of sides.entries()) {
    const groups: number[] = [];
    for (const [position, part] of parts.entries()) {
      const isLast = index === sides.length - 1 && position === parts.length - 1;
      const tail = isLast && part.includes(".") ? parseIPv4(part) : null;
      if (tail) groups.push((tail[0]! << 8) | tail[1]!, (tail[2]! << 8) | tail[3]!);
      else if (GROUP.test(part)) groups.push(Number.parseInt(part, 16));
      else return null;
    }
    numbers.push(groups);
  }
  const [left = [], right] = numbers;
  if (right === undefined) return left.length === 8 ? left : null;
  // `::` stands for at least one group of zeros.
  const missing = 8 - left.length - right.length;
  return missing >= 1 ? [...left, ...Array<number>(missing).fill(0), ...right] : null;
}

/**
 * An IPv4 or IPv6 address (surrounding spaces ignored), or null. An
 * IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, however it is written) is the
 * IPv4 address it maps: a dual-stack socket reports IPv4 clients so.
 */
export function parseIpAddress(text: string): IpAddress | null {
  const address = text.trim();
  const octets = parseIPv4(address);
  if (octets) return { version: 4, octets };
  const groups = parseIPv6(address);
  if (!groups) return null;
  const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  if (mapped) return { version: 4, octets: [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255] };
  return { version: 6, groups };
}

/**
 * How the app groups a client's address: IPv4 by its first `ipv4Bits` (24:
 * `203.0.113.0/24`; 32: the address itself), IPv6 always by its /64
 * (`2001:db8:0:0::/64`: one subscriber usually holds a whole /64 and picks new
 * addresses in it at will). Text that is no address comes back trimmed and in
 * lower case, so it still groups with itself.
 */
export function clientNetwork(text: string, ipv4Bits: 24 | 32): string {
  const address = parseIpAddress(text);
  if (!address) return text.trim().toLowerCase();
  if (address.version === 4) return ipv4Bits === 32 ? address.octets.join(".") : `${address.octets.slice(0, 3).join(".")}.0/24`;
  return `${address.groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(":")}::/64`;
}
