import { isValidCorporateNumber, isValidMunicipalityCode } from './check-digits';

describe('municipality code check digit', () => {
  it.each(['343021', '130001', '011002', '271004', '011011'])('accepts %s', (c) => expect(isValidMunicipalityCode(c)).toBe(true));
  it.each(['343022', '34302', '3430211', 'abcdef', '130000'])('rejects %s', (c) => expect(isValidMunicipalityCode(c)).toBe(false));
});

describe('corporate number check digit', () => {
  // 国税庁 (7000012050002) and published numbers of well-known companies.
  it.each(['7000012050002', '1180301018771', '5010401067252'])('accepts %s', (c) => expect(isValidCorporateNumber(c)).toBe(true));
  it.each(['7000012050003', '700001205000', 'x000012050002', '8000012050002'])('rejects %s', (c) =>
    expect(isValidCorporateNumber(c)).toBe(false),
  );
});
