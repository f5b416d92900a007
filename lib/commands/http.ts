/** Pure builder of an HTTP GET run ON a target host (curl, else wget), for health checks asked from the host itself. */

/**
 * Prints the response body; exits non-zero when the request fails. TLS certificates are not
 * verified: the OMS console uses a self-signed certificate and the request goes to the host itself.
 */
export function httpGet(url: string, timeoutSec: number): string[] {
  const script = [
    'u=$1; t=$2',
    'if command -v curl >/dev/null 2>&1; then exec curl -sSk --max-time "$t" -- "$u"; fi',
    'if command -v wget >/dev/null 2>&1; then exec wget -q -O - -T "$t" --no-check-certificate "$u"; fi',
    'echo "neither curl nor wget is installed" >&2; exit 127',
  ].join('\n');
  return ['sh', '-c', script, 'sh', url, String(timeoutSec)];
}
