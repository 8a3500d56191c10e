import { OperationNameLabels } from '../../../platform/observability/operation-names';

describe('OperationNameLabels', () => {
  it('keeps the first names, then counts new ones as other', () => {
    const labels = new OperationNameLabels(2);
    expect(
      ['A', 'B', 'C', 'A', null, '', 'bad name', 'B'].map((name) => labels.label(name)),
    ).toEqual(['A', 'B', 'other', 'A', 'anonymous', 'anonymous', 'other', 'B']);
  });

  it('never grows past its cap, whatever clients send', () => {
    const labels = new OperationNameLabels(100);
    const seen = new Set(Array.from({ length: 10_000 }, (_, i) => labels.label(`Op${i}`)));
    expect(seen.size).toBe(101);
  });
});
