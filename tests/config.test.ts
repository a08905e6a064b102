import { parseConfig, parseBytes, parseMs } from '../core/config';
import { parsePrecision, parsePrecisionFlags, containerBits } from '../core/precision';
import { matchesNode, lookupByNode } from '../core/node-glob';

describe('config file', () => {
  test('a valid config parses', () => {
    const c = parseConfig(JSON.stringify({ target: 'stm32n6', precision: { conv7: 'w4a8', 'conv*': 'w8a8' }, placement: { conv9: 'cpu' }, flashBudget: '6MiB' }), 'hsq.config.json');
    expect(c.precision).toEqual({ conv7: 'w4a8', 'conv*': 'w8a8' });
  });
  test.each([
    [{ precison: {} }, /hsq.config.json: precison: unknown key/],
    [{ precision: { conv7: 'w5a8' } }, /precision.conv7: must be a precision like w4a8/],
    [{ placement: { conv9: 'gpu' } }, /placement.conv9: must be one of "npu", "cpu"/],
    [{ calibration: { resize: [1] } }, /calibration.resize: /],
    [{ flashBudget: 'lots' }, /flashBudget: /],
  ])('bad config %j names the key', (doc, re) => {
    expect(() => parseConfig(JSON.stringify(doc), 'hsq.config.json')).toThrow(re);
  });
  test('bad JSON', () => expect(() => parseConfig('{', 'c.json')).toThrow(/c.json: not valid JSON/));
  test('sizes and durations', () => {
    expect(parseBytes('6MiB', 'x')).toBe(6 * 1024 * 1024);
    expect(parseBytes(100, 'x')).toBe(100);
    expect(parseMs('0.5s', 'x')).toBe(500);
    expect(() => parseBytes('6 parsecs', 'flashBudget')).toThrow(/flashBudget/);
  });
});

describe('precision notation and node globs', () => {
  test('wXaY', () => {
    expect(parsePrecision('w4a8', 'x')).toEqual({ weightBits: 4, actBits: 8 });
    expect(() => parsePrecision('w5a8', 'conv7')).toThrow(/conv7: weight bits 5/);
    expect(() => parsePrecision('w4a1', 'conv7')).toThrow(/activation bits 1/);
    expect(() => parsePrecision('int4', 'conv7')).toThrow(/not of the form wXaY/);
    expect([1, 2, 3, 4, 8].map(containerBits)).toEqual([1, 2, 4, 4, 8]);
  });
  test('--precision flags with comma lists', () => {
    expect(parsePrecisionFlags(['conv7,conv8=w4a8', 'conv?=w8a8']).map((p) => p.pattern)).toEqual(['conv7', 'conv8', 'conv?']);
    expect(() => parsePrecisionFlags(['conv7'])).toThrow(/expected NODE=wXaY/);
  });
  test('globs cross slashes; exact names win', () => {
    expect(matchesNode('*conv1*', '/model/conv1/Conv')).toBe(true);
    expect(matchesNode('conv?', 'conv7')).toBe(true);
    expect(matchesNode('conv?', 'conv10')).toBe(false);
    expect(lookupByNode({ 'conv*': 'a', conv7: 'b' }, 'conv7')?.value).toBe('b');
    expect(lookupByNode({ 'conv*': 'a', 'conv7*': 'b' }, 'conv77')?.value).toBe('b');
  });
});
