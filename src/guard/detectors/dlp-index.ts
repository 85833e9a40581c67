/**
 * The DLP detectors, ready for the engine's registry: PII recognizers (`pii.*`) and secret
 * recognizers (`secret.*`). Each entry is one module exporting one descriptor.
 */
import type { DetectorDescriptor } from '../types.ts';
import { foldWidthOnce } from '../normalize/width.ts';
import { dateOfBirthDetector } from './pii-date-of-birth.ts';
import { emailDetector } from './pii-email.ts';
import { euNationalIdDetector } from './pii-eu-national-id.ts';
import { ibanDetector } from './pii-iban.ts';
import { ipAddressDetector } from './pii-ip-address.ts';
import { nationalIdDetector } from './pii-national-id.ts';
import { paymentCardDetector } from './pii-payment-card.ts';
import { personNameDetector } from './pii-person-name.ts';
import { phoneDetector } from './pii-phone.ts';
import { postalAddressDetector } from './pii-postal-address.ts';
import { ukNinoDetector } from './pii-uk-nino.ts';
import { usSsnDetector } from './pii-us-ssn.ts';
import { cloudKeysDetector } from './secret-cloud-keys.ts';
import { connectionStringDetector } from './secret-connection-string.ts';
import { genericAssignmentDetector } from './secret-generic-assignment.ts';
import { jwtDetector } from './secret-jwt.ts';
import { llmKeysDetector } from './secret-llm-keys.ts';
import { platformTokensDetector } from './secret-platform-tokens.ts';
import { privateKeyDetector } from './secret-private-key.ts';
import { saasTokensDetector } from './secret-saas-tokens.ts';
import { vcsTokensDetector } from './secret-vcs-tokens.ts';

/** PII recognizers with a checksum, a numbering plan or a strict format behind them. */
export const PII_DETECTORS = [
  emailDetector,
  phoneDetector,
  paymentCardDetector,
  ibanDetector,
  usSsnDetector,
  ukNinoDetector,
  euNationalIdDetector,
  nationalIdDetector,
  ipAddressDetector,
  dateOfBirthDetector,
] as const;

/** Best-effort PII recognizers (no checksum; lower scores). */
export const BEST_EFFORT_PII_DETECTORS = [postalAddressDetector, personNameDetector] as const;

export const SECRET_DETECTORS = [
  cloudKeysDetector,
  vcsTokensDetector,
  saasTokensDetector,
  llmKeysDetector,
  platformTokensDetector,
  privateKeyDetector,
  jwtDetector,
  connectionStringDetector,
  genericAssignmentDetector,
] as const;

/** Forgets the options type: the registry checks options through each descriptor's own schema. */
const erase = <O>(d: DetectorDescriptor<O>) => d as DetectorDescriptor<never>;

/**
 * The detector reading fullwidth letters, digits and punctuation as ASCII (normalize/width.ts):
 * the fold keeps every offset, so the findings' spans are spans of the text as given.
 */
function widthFolded<O>(d: DetectorDescriptor<O>): DetectorDescriptor<O> {
  return {
    ...d,
    create(options, ctx) {
      const detect = d.create(options, ctx);
      return (input) => {
        const text = foldWidthOnce(input.text);
        return detect(text === input.text ? input : { ...input, text });
      };
    },
  };
}

/** Every DLP detector, for the engine's registry. */
export const DLP_DETECTORS: readonly DetectorDescriptor<never>[] = [...PII_DETECTORS, ...BEST_EFFORT_PII_DETECTORS, ...SECRET_DETECTORS].map((d) => erase(widthFolded(d)));
