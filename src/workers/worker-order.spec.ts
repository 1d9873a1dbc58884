import { gojuonOrder, type Sortable } from './worker-order';

const w = (id: string, name: string, furigana: string | null = null, employeeNumber: string | null = null): Sortable => ({
  id,
  name,
  furigana,
  employeeNumber,
});

describe('the order of worker lists (五十音順)', () => {
  it('sorts by フリガナ with the Japanese collation, not by the code points of the names', () => {
    const list = [
      w('1', '山田　太郎', 'ヤマダ タロウ'),
      w('2', '佐藤　花子', 'サトウ ハナコ'),
      w('3', '新人　一郎', 'シンジン イチロウ'),
      w('4', '木村　次郎', 'キムラ ジロウ'),
      w('5', '加藤　三郎', 'カトウ サブロウ'),
      w('6', '後藤　四郎', 'ゴトウ シロウ'),
    ];
    expect([...list].sort(gojuonOrder).map((x) => x.name)).toEqual([
      '加藤　三郎',
      '木村　次郎',
      '後藤　四郎',
      '佐藤　花子',
      '新人　一郎',
      '山田　太郎',
    ]);
  });

  it('puts those without フリガナ after, by name; then employee numbers as numbers; then ids', () => {
    const list = [
      w('a', '鈴木'),
      w('b', '田中', 'タナカ'),
      w('d', '同名', 'ドウメイ', 'E10'),
      w('c', '同名', 'ドウメイ', 'E2'),
      w('e', '同名', 'ドウメイ'),
    ];
    expect([...list].sort(gojuonOrder).map((x) => x.id)).toEqual(['b', 'c', 'd', 'e', 'a']);
  });
});
