import type { GetObjectCommand, GetObjectCommandOutput } from '@aws-sdk/client-s3';

/**
 * S3's own clock, read from a response: the `Date` header, beside the object's `Last-Modified`. Ages
 * of coordination objects (publish claims) are judged by these two, both set by S3, so a client whose
 * clock is minutes off can neither take over a fresh claim nor wait forever on a dead one.
 */
export interface ServerTimes {
  /** The response's `Date` header: "now" on S3's clock. */
  serverNow: Date | undefined;
  /** The object's `Last-Modified`. */
  lastModified: Date | undefined;
}

interface HeaderBearing {
  headers?: Record<string, string | undefined>;
}

function parseHttpDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/**
 * Adds a middleware to `command` that keeps the response's `Date` header. Returns a reader for it and
 * for the Last-Modified of an output. (The SDK does not surface `Date` in any command output.)
 */
export function captureServerDate(command: GetObjectCommand): {
  times(output: GetObjectCommandOutput): ServerTimes;
} {
  let date: string | undefined;
  command.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      date = (result.response as HeaderBearing | undefined)?.headers?.date;
      return result;
    },
    { step: 'deserialize', name: 'frontendopsServerDate', override: true },
  );
  return {
    times: (output) => ({ serverNow: parseHttpDate(date), lastModified: output.LastModified }),
  };
}

/**
 * True when an object last written at `lastModified` (S3's clock) is at least `ttlSeconds` old at
 * `serverNow` (S3's clock). Unknown times never count as expired: a claim that cannot be judged is
 * waited on, not taken over. HTTP dates have whole seconds, so the age is rounded down.
 */
export function isExpiredByServerClock(times: ServerTimes, ttlSeconds: number): boolean {
  if (times.serverNow === undefined || times.lastModified === undefined) return false;
  const ageMs = times.serverNow.getTime() - Math.floor(times.lastModified.getTime() / 1000) * 1000;
  return ageMs >= ttlSeconds * 1000;
}
