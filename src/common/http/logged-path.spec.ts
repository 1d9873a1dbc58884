import { loggedPath } from './logged-path';

describe('loggedPath', () => {
  const req = (url: string, pattern: string | undefined, params: Record<string, string> = {}) => ({
    url,
    routeOptions: { url: pattern },
    params,
  });

  it('keeps identifiers we issue', () => {
    const id = '0b6f2d4e-3c1a-4f7b-9a2e-5d6c7b8a9f01';
    expect(loggedPath(req(`/api/v1/organizations/${id}/workers?limit=5`, '/api/v1/organizations/:id/workers', { id }))).toBe(
      `/api/v1/organizations/${id}/workers`,
    );
    expect(loggedPath(req('/verify/ABCD-EFGH-JKMN-P', '/verify/:serial', { serial: 'ABCD-EFGH-JKMN-P' }))).toBe('/verify/ABCD-EFGH-JKMN-P');
    expect(loggedPath(req('/api/v1/modules/personal-information', '/api/v1/modules/:id', { id: 'personal-information' }))).toBe(
      '/api/v1/modules/personal-information',
    );
    expect(loggedPath(req('/assets/app.css', '/assets/*', { '*': 'app.css' }))).toBe('/assets/app.css');
  });

  it('never writes what a person typed into a path', () => {
    const typed = 'yamada.taro@example.jp';
    expect(loggedPath(req(`/verify/${encodeURIComponent(typed)}`, '/verify/:serial', { serial: typed }))).toBe('/verify/:serial');
    expect(loggedPath(req('/verify/abcd-efgh-jkmn-p', '/verify/:serial', { serial: 'abcd-efgh-jkmn-p' }))).toBe('/verify/:serial');
    expect(loggedPath(req('/api/v1/organizations/山田/workers', '/api/v1/organizations/:id/workers', { id: '山田' }))).toBe(
      '/api/v1/organizations/:id/workers',
    );
    expect(loggedPath(req(`/${encodeURIComponent(typed)}`, undefined))).toBe('/…');
    expect(loggedPath(req('/wp-admin/setup.php', undefined))).toBe('/wp-admin/…');
    expect(loggedPath(req('/', undefined))).toBe('/');
  });
});
