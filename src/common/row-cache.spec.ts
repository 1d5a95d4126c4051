import { describe, expect, it } from '@jest/globals';
import { RowCache } from './row-cache.js';

describe('row cache', () => {
  it('loads once, then answers from memory', async () => {
    const cache = new RowCache<{ id: string }>();
    let loads = 0;
    const load = async () => {
      loads++;
      return { id: 'a' };
    };
    expect(await cache.through('a', load)).toEqual({ id: 'a' });
    expect(await cache.through('a', load)).toEqual({ id: 'a' });
    expect(loads).toBe(1);
  });

  it('does not remember what was not found', async () => {
    const cache = new RowCache<string>();
    expect(await cache.through('x', async () => null)).toBeNull();
    expect(await cache.through('x', async () => 'found later')).toBe('found later');
  });

  it('forgets a row after its time to live', () => {
    let now = 0;
    const cache = new RowCache<string>(10, 1000, () => now);
    cache.set('token', 'owner');
    now = 999;
    expect(cache.get('token')).toBe('owner');
    now = 1000;
    expect(cache.get('token')).toBeUndefined();
  });

  it('drops the least recently used beyond its capacity', () => {
    const cache = new RowCache<number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
  });
});
