// @vitest-environment jsdom
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { setUpDomTests } from '../../testing/dom.js';
import { ChartCard } from './ChartCard.js';

setUpDomTests();

function renderCard() {
  return render(
    <ChartCard
      title="Conversations by channel"
      description="Web chat carries the most conversations."
      legend={[
        { label: 'Resolved by Sophia', color: 'var(--chart-1)' },
        { label: 'Handed to a human', color: 'var(--chart-2)' },
      ]}
      table={{
        caption: 'Conversations by channel, last 14 days',
        columns: ['Channel', 'Conversations'],
        rows: [
          { key: 'web', cells: ['Web chat', '1,500'] },
          { key: 'email', cells: ['Email', '700'] },
        ],
      }}
    >
      <svg aria-hidden="true" data-chart="stand-in" />
    </ChartCard>,
  );
}

describe('ChartCard', () => {
  it('is a figure named by the chart title and described by its headline', () => {
    renderCard();
    const figure = screen.getByRole('figure', { name: 'Conversations by channel' });
    expect(figure.getAttribute('aria-describedby')).toBeTruthy();
    const description = document.getElementById(figure.getAttribute('aria-describedby') ?? '');
    expect(description?.textContent).toBe('Web chat carries the most conversations.');
    expect(figure.querySelector('[data-chart="stand-in"]')).not.toBeNull();
  });

  it('has a legend list naming every series', () => {
    renderCard();
    const legend = screen.getByRole('list', { name: 'Conversations by channel legend' });
    expect(
      within(legend)
        .getAllByRole('listitem')
        .map((item) => item.textContent),
    ).toEqual(['Resolved by Sophia', 'Handed to a human']);
  });

  it('offers the numbers as a table with row and column headers', async () => {
    renderCard();
    const summary = screen.getByText('Show the data');
    const details = summary.closest('details');
    expect(details?.open).toBe(false);
    await userEvent.click(summary);
    expect(details?.open).toBe(true);
    const table = screen.getByRole('table', { name: 'Conversations by channel, last 14 days' });
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map((th) => th.textContent),
    ).toEqual(['Channel', 'Conversations']);
    expect(within(table).getByRole('rowheader', { name: 'Email' })).toBeTruthy();
    expect(within(table).getByRole('cell', { name: '1,500' })).toBeTruthy();
  });
});
