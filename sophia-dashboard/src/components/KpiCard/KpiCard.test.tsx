// @vitest-environment jsdom
import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Kpi } from '../../data/metrics.js';
import { setUpDomTests } from '../../testing/dom.js';
import { KpiCard } from './KpiCard.js';

setUpDomTests();

const kpi: Kpi = {
  id: 'response',
  label: 'Median first reply',
  value: '1.73 s',
  detail: 'time to Sophia’s first answer',
  delta: {
    text: '\u22120.09 s',
    direction: 'down',
    tone: 'good',
    description: 'down 0.09 s on the previous 14 days',
  },
};

describe('KpiCard', () => {
  it('is a card named by its label, with the value and a spoken description of the change', () => {
    render(<KpiCard kpi={kpi} />);
    const card = screen.getByRole('article', { name: 'Median first reply' });
    expect(within(card).getByText('1.73 s')).toBeTruthy();
    expect(within(card).getByText('down 0.09 s on the previous 14 days')).toBeTruthy();
    // The arrow and signed number are for the eye only; the sentence above is what is read out.
    expect(within(card).getByText('↓ −0.09 s').getAttribute('aria-hidden')).toBe('true');
  });

  it('colors the change by whether it is good news, not by its sign', () => {
    render(<KpiCard kpi={kpi} />);
    expect(screen.getByText('↓ −0.09 s').closest('p')?.className).toContain('kpi__delta--good');
  });

  it('leaves the change out when there is no baseline', () => {
    const { delta: _, ...withoutDelta } = kpi;
    render(<KpiCard kpi={withoutDelta} />);
    expect(screen.queryByText(/previous/)).toBeNull();
  });
});
