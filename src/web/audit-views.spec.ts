import { AUDIT_ACTIONS } from '../audit/audit-actions';
import { lookup } from './i18n';
import { auditActionOptions } from './audit-views';

describe('the audit page’s words', () => {
  it('has words for every kind of event, in both languages', () => {
    const missing = AUDIT_ACTIONS.flatMap((a) =>
      (['ja', 'en'] as const).filter((l) => !lookup(l, `audit.action.${a}`)).map((l) => `${l}:${a}`),
    );
    expect(missing).toEqual([]);
    expect(auditActionOptions('ja', 'certificate.revoked').find((o) => o.selected)).toEqual({
      value: 'certificate.revoked',
      label: '修了証の取消し',
      selected: true,
    });
  });
});
