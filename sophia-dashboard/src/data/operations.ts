import raw from './operations.json';

/** One UTC day of Sophia's conversation traffic. */
export interface DailyStats {
  /** `YYYY-MM-DD` (UTC). */
  date: string;
  conversations: number;
  /** Resolved by Sophia without a human. */
  resolved: number;
  /** Handed over to a human agent. */
  escalated: number;
  /** Median and 95th-percentile time to Sophia's first reply. */
  p50Ms: number;
  p95Ms: number;
  /** Mean customer-satisfaction score, 1–5. */
  csat: number;
  availabilityPct: number;
}

export interface ChannelStats {
  channel: string;
  conversations: number;
  resolved: number;
  escalated: number;
}

/**
 * The bundled operations snapshot. `daily` holds two periods of `periodDays` days, oldest first: the
 * earlier one is the baseline the KPI deltas compare against.
 */
export interface OperationsData {
  schema: number;
  product: string;
  environment: string;
  generatedAt: string;
  periodDays: number;
  daily: DailyStats[];
  channels: ChannelStats[];
}

// The JSON is our own file: the annotation makes the compiler check its shape, no runtime parse needed.
export const operations: OperationsData = raw;
