import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { PerOperation } from '../operation-memo';

const operationOf = (text: string) => parse(text).definitions[0] as OperationDefinitionNode;

describe('PerOperation', () => {
  it('works an operation out once, and again for another parse of the same text', () => {
    const memo = new PerOperation<number>();
    let computed = 0;
    const compute = () => ++computed;
    const operation = operationOf('{ a }');
    expect(memo.get(operation, undefined, compute)).toBe(1);
    expect(memo.get(operation, undefined, compute)).toBe(1);
    // A document Apollo parsed anew (evicted from its store, or another text) is a new key.
    expect(memo.get(operationOf('{ a }'), undefined, compute)).toBe(2);
  });

  it('works it out again against a replaced schema', () => {
    const memo = new PerOperation<string>();
    const operation = operationOf('{ a }');
    const first = buildSchema('type Query { a: Int }');
    const second = buildSchema('type Query { a: String }');
    const typeOfA = (schema: typeof first) => () =>
      String(schema.getQueryType()!.getFields().a!.type);
    expect(memo.get(operation, first, typeOfA(first))).toBe('Int');
    expect(memo.get(operation, first, typeOfA(second))).toBe('Int');
    expect(memo.get(operation, second, typeOfA(second))).toBe('String');
  });
});
