import { lessonContents } from './lesson-contents';

describe('a lesson’s table of contents and reading time', () => {
  const html =
    '<h1>題</h1>\n<p>本文</p>\n<h2>第11第1項：報告</h2>\n<p>a</p>\n<h3>職場の場面：<em>報告</em> &amp; 検査</h3>\n<h2>まとめ</h2>\n';

  it('gives each h2 and h3 an id and lists them, h3 under their h2', () => {
    const r = lessonContents(html, 'ja');
    expect(r.contents).toEqual([
      { id: 's-1', text: '第11第1項：報告', children: [{ id: 's-1-1', text: '職場の場面：報告 & 検査' }] },
      { id: 's-2', text: 'まとめ', children: [] },
    ]);
    expect(r.html).toContain('<h2 id="s-1">第11第1項：報告</h2>');
    expect(r.html).toContain('<h3 id="s-1-1">職場の場面：<em>報告</em> &amp; 検査</h3>');
    expect(r.title).toBe('<h1>題</h1>');
    expect(r.html).not.toContain('<h1>');
  });

  it('estimates Japanese at 500 characters a minute and English at 200 words, rounded up, at least 1', () => {
    expect(lessonContents(`<p>${'あ'.repeat(1000)}</p>`, 'ja').readingMinutes).toBe(2);
    expect(lessonContents(`<p>${'あ'.repeat(1001)}</p>`, 'ja').readingMinutes).toBe(3);
    expect(lessonContents(`<p>${'word '.repeat(400)}</p>`, 'en').readingMinutes).toBe(2);
    expect(lessonContents('<p>短い</p>', 'ja').readingMinutes).toBe(1);
  });
});
