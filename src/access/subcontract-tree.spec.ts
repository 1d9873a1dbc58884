import { SubcontractTree } from './subcontract-tree';

describe('SubcontractTree', () => {
  // prime P; A and B under P; A1 under A (pending); B1 under B
  const tree = new SubcontractTree('P', [
    { organizationId: 'A', parentOrganizationId: 'P', status: 'approved', tier: 1 },
    { organizationId: 'B', parentOrganizationId: 'P', status: 'pending_approval', tier: 1 },
    { organizationId: 'A1', parentOrganizationId: 'A', status: 'pending_approval', tier: 2 },
    { organizationId: 'B1', parentOrganizationId: 'B', status: 'approved', tier: 2 },
  ]);

  it('gives each organization its subtree, never siblings or parents', () => {
    expect(tree.subtree('A').sort()).toEqual(['A', 'A1']);
    expect(tree.subtree('B').sort()).toEqual(['B', 'B1']);
    expect(tree.subtree('P').sort()).toEqual(['A', 'A1', 'B', 'B1', 'P']);
    expect(tree.subtree('X')).toEqual([]);
  });

  it('requires every link up to the prime to be approved', () => {
    expect(tree.isApprovedChain('P')).toBe(true);
    expect(tree.isApprovedChain('A')).toBe(true);
    expect(tree.isApprovedChain('A1')).toBe(false);
    expect(tree.isApprovedChain('B1')).toBe(false); // B above it is pending
  });

  it('lets an ancestor reach a descendant only over approved links', () => {
    expect(tree.isApprovedBetween('A', 'A')).toBe(true);
    expect(tree.isApprovedBetween('P', 'A')).toBe(true);
    expect(tree.isApprovedBetween('A', 'A1')).toBe(false); // A1's own link is pending
    expect(tree.isApprovedBetween('B', 'B1')).toBe(true); // B's own (pending) link is not between them
    expect(tree.isApprovedBetween('P', 'B1')).toBe(false);
    expect(tree.isApprovedBetween('A', 'B1')).toBe(false); // not an ancestor
    expect(tree.isApprovedBetween('X', 'X')).toBe(false); // not on the tree
  });

  it('knows ancestry and tiers', () => {
    expect(tree.isAtOrAbove('P', 'A1')).toBe(true);
    expect(tree.isAtOrAbove('A', 'A1')).toBe(true);
    expect(tree.isAtOrAbove('B', 'A1')).toBe(false);
    expect(tree.tier('P')).toBe(0);
    expect(tree.tier('B1')).toBe(2);
  });
});
