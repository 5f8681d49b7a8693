import type { MinerConfig } from './schema.js';

const SECRET_KEY = /(password|secret|token|mnemonic|privatekey|secretseed|secretphrase)$|^seed$/i;
const REDACTED = '[redacted]';
const REDACTED_URL = '***';

const URL_CREDENTIALS = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#@]*)@/i;

/** Removes the password of a URL such as redis://user:pass@host (a bare token counts as one). */
export function redactUrl(value: string): string {
  const m = URL_CREDENTIALS.exec(value);
  if (!m) return value;
  const userinfo = m[2] ?? '';
  const colon = userinfo.indexOf(':');
  const safe = colon >= 0 ? `${userinfo.slice(0, colon)}:${REDACTED_URL}` : REDACTED_URL;
  return `${m[1] ?? ''}${safe}@${value.slice(m[0].length)}`;
}

function redactValue(key: string, value: unknown): unknown {
  if (typeof value === 'string') return SECRET_KEY.test(key) && value !== '' ? REDACTED : redactUrl(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(key, v));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(k, v)]));
  }
  return value;
}

/**
 * A copy of the config safe to print or log. The schema holds no secrets by design, but URLs
 * may carry credentials and keys named like secrets are blanked in case a section adds one.
 */
export function redactConfig(cfg: MinerConfig): MinerConfig {
  return redactValue('', cfg) as MinerConfig;
}
