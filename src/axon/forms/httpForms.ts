import type { IncomingHttpHeaders } from 'node:http';
import { rejection } from '../rejection.js';
import { btauthForm } from './btauthForm.js';
import { epistulaForm } from './epistulaForm.js';
import { legacyForm } from './legacyForm.js';
import type { HttpForm, HttpFormName } from './httpForm.js';

/** Every HTTP form the axon speaks; a new form is one file and one entry here. */
export const HTTP_FORMS: readonly HttpForm[] = [legacyForm, btauthForm, epistulaForm];

/**
 * The one form whose headers the request carries. No form's headers is an authentication
 * failure (401); two forms at once is ambiguous and refused.
 */
export function claimedForm(h: IncomingHttpHeaders): HttpForm {
  let found: HttpForm | undefined;
  for (const form of HTTP_FORMS) {
    if (!form.claims(h)) continue;
    if (found) throw rejection('BAD_REQUEST', 'Bad Request: headers of more than one authentication form');
    found = form;
  }
  if (!found) throw rejection('BAD_SIGNATURE', 'Unauthorized: no authentication headers (bt_header_dendrite_*, X-Bittensor-*, Epistula-*)');
  return found;
}

/** A route refuses the forms it was not configured for, as an authentication failure. */
export function checkAccepted(form: HttpForm, accepted: readonly HttpFormName[]): void {
  if (!accepted.includes(form.name)) throw rejection('BAD_SIGNATURE', `Unauthorized: this route does not accept the ${form.name} form`);
}
