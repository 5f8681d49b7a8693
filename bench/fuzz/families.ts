/**
 * Every family of malformed input the fuzzer knows. Case n belongs to family n mod the count,
 * so any run of at least that many cases spans all of them, and a case number names its family.
 */
import type { Family } from './caseKit.js';
import { AUTH_FAMILIES } from './familiesAuth.js';
import { FORM_FAMILIES } from './familiesForms.js';
import { HTTP_FAMILIES } from './familiesHttp.js';
import { STRUCTURE_FAMILIES } from './familiesStructure.js';
import { WS_FAMILIES } from './familiesWs.js';

export const FAMILIES: readonly Family[] = [...STRUCTURE_FAMILIES, ...HTTP_FAMILIES, ...WS_FAMILIES, ...AUTH_FAMILIES, ...FORM_FAMILIES];

export function familyOf(caseNo: number, families: readonly Family[] = FAMILIES): Family {
  return families[caseNo % families.length]!;
}
