import { nodeRuntimeFacts } from '../system/runtime';
import type { SystemFacts } from '../system/system.service';
import { systemView } from './system-views';

const facts = (version: string): SystemFacts => ({
  service: { name: 'article4-lms', version: '0.1.0' },
  runtime: nodeRuntimeFacts(version, '2026-11-30'),
  database: 'postgres',
  sbom: { format: 'CycloneDX 1.5', digest: 'ab'.repeat(32), components: 195 },
});

describe('the admin page’s system facts', () => {
  it('gives the support verdict in words and a tone, in both languages', () => {
    expect(systemView(facts('24.11.0'), 'ja')).toMatchObject({
      service: 'article4-lms 0.1.0',
      node: '24.11.0',
      endOfLife: '2028-04-30',
      support: { tone: 'ok', label: 'サポート期間内', supported: true },
      database: 'PostgreSQL',
      sbom: { digest: 'ab'.repeat(32), summary: 'CycloneDX 1.5、部品 195 個', href: '/api/v1/system/sbom' },
    });
    expect(systemView(facts('20.20.2'), 'en').support).toEqual({ tone: 'bad', label: 'past its end of life', supported: false });
    expect(systemView(facts('25.1.0'), 'en').support).toEqual({ tone: 'warn', label: 'not a long-term-support line', supported: false });
    expect(systemView({ ...facts('24.11.0'), sbom: null }, 'en').sbom).toBeNull();
  });
});
