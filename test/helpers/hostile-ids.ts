/** Hostile ids: traversal, separators, quotes and OData, encodings, look-alikes, control and invisible characters, size. */
export const HOSTILE_IDS: readonly string[] = [
  '../x',
  '..',
  '.',
  '../../recordings/cam1',
  'a/b',
  'a%2Fb',
  'a%252Fb',
  'a\\b',
  "a'b",
  "cam1' or PartitionKey ne '",
  "PartitionKey eq 'x' or true",
  'cam1 or true',
  '*',
  'cam1#x',
  'cam1?x=1',
  'cam1&code=x',
  'cam1+x',
  'CAM1',
  'Cam1',
  'саm1', // Cyrillic а
  'ｃａｍ１', // full-width
  'cam1\u200b', // zero-width space
  'cam\u00ad1', // soft hyphen
  'cam‐1', // U+2010 hyphen, not '-'
  'cam1\u0000',
  'cam1\n',
  'cam 1',
  ' cam1',
  '😀',
  '',
  'x'.repeat(33),
  'x'.repeat(4096),
];
