// @vitest-environment jsdom
import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { computeKpis } from '../../data/metrics.js';
import { setUpDomTests } from '../../testing/dom.js';
import { smallOperations } from '../../testing/fixtures.js';
import { KpiGrid } from './KpiGrid.js';

setUpDomTests();

describe('KpiGrid', () => {
  it('lists every KPI as a card in a named section', () => {
    render(<KpiGrid kpis={computeKpis(smallOperations)} periodLabel="Nov 21 – Nov 22, 2026" />);
    const section = screen.getByRole('region', { name: 'Key metrics, Nov 21 – Nov 22, 2026' });
    const cards = within(section).getAllByRole('article');
    expect(cards.map((card) => within(card).getByRole('heading').textContent)).toEqual([
      'Conversations',
      'Resolved by Sophia',
      'Median first reply',
      'Customer satisfaction',
      'Availability',
    ]);
    expect(within(section).getAllByRole('listitem')).toHaveLength(5);
  });
});
