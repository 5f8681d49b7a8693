import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import { listLeaves } from '../../../src/config/schemaWalk.js';

describe('docs/configuration.md', () => {
  it('documents every config key with its environment name', () => {
    const doc = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    const missing = listLeaves(configSchema)
      .filter((l) => !doc.includes(`| \`${l.path.join('.')}\` | \`${l.envName}\` |`))
      .map((l) => l.path.join('.'));
    expect(missing).toEqual([]);
  });
});
