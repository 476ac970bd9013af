/**
 * `mcp:<client name>` for the audit log's `requestedBy`. The name comes from the client's
 * `initialize` and is the client's own claim: it is cut to a short run of plain characters so it cannot
 * forge log structure or carry a payload.
 */
export function requesterOf(clientName: string | undefined): string {
  const cleaned = (clientName ?? '')
    .replace(/[^A-Za-z0-9._@ -]/g, '')
    .trim()
    .slice(0, 64);
  return `mcp:${cleaned === '' ? 'client' : cleaned}`;
}
