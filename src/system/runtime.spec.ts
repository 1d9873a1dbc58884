import { nodeRuntimeFacts, runtimeWarning } from './runtime';

describe('runtime support (Article 9-2)', () => {
  it('calls Node 20 end of life after 2026-04-30, and says so', () => {
    const f = nodeRuntimeFacts('v20.20.2', '2026-11-30');
    expect(f).toEqual({ version: '20.20.2', major: 20, endOfLife: '2026-04-30', support: 'end_of_life' });
    expect(runtimeWarning(f)).toMatch(/20\.20\.2 reached its end of life on 2026-04-30/);
  });

  it('supports Node 20 up to and including its last day, but warns that it is older than the supported line', () => {
    const f = nodeRuntimeFacts('20.20.2', '2026-04-30');
    expect(f.support).toBe('supported');
    expect(runtimeWarning(f)).toMatch(/older than the supported 24/);
  });

  it('has nothing to say about Node 24 LTS today', () => {
    const f = nodeRuntimeFacts('24.22.3', '2026-11-30');
    expect(f).toEqual({ version: '24.22.3', major: 24, endOfLife: '2028-04-30', support: 'supported' });
    expect(runtimeWarning(f)).toBeNull();
  });

  it('warns on odd (never LTS) and unknown lines', () => {
    expect(nodeRuntimeFacts('25.1.0', '2026-11-30').support).toBe('not_lts');
    expect(nodeRuntimeFacts('30.0.0', '2026-11-30').support).toBe('unknown');
    expect(runtimeWarning(nodeRuntimeFacts('30.0.0', '2026-11-30'))).toMatch(/not in the service's release table/);
  });
});
