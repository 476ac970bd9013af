import { describe, expect, it } from 'vitest';
import { smallOperations } from '../testing/fixtures.js';
import { describeChannels, describeConversations, describeResponseTimes } from './chartText.js';
import { channelSeries, dailySeries } from './metrics.js';

describe('chart descriptions', () => {
  const daily = dailySeries(smallOperations);

  it('state the total, the resolution rate and the busiest day', () => {
    expect(describeConversations(daily)).toBe(
      'Conversations per day from Nov 21 to Nov 22: 2,200 in total, 77.3% resolved by Sophia. ' +
        'Busiest day Nov 21 with 1,200.',
    );
  });

  it('state the fastest median and the worst tail', () => {
    expect(describeResponseTimes(daily)).toBe(
      'Median first-reply time per day ranged down to 1.60 s on Nov 22; the 95th percentile peaked at 5.00 s on Nov 21.',
    );
  });

  it('name the biggest channel and the best and worst resolution rates', () => {
    expect(describeChannels(channelSeries(smallOperations.channels))).toBe(
      'Web chat carries the most conversations (1,500). Sophia resolves the most on Web chat (80.0%) ' +
        'and the least on Email (71.4%).',
    );
  });

  it('say so when there is nothing to describe', () => {
    expect(describeConversations([])).toBe('No conversations in this period.');
    expect(describeResponseTimes([])).toBe('No reply times in this period.');
    expect(describeChannels([])).toBe('No channel data in this period.');
  });
});
