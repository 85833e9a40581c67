/** Every detector Rampart ships; the registry checks the list at start-up. */
import type { DetectorDescriptor } from '../types.ts';
import { customRulesDetector } from './custom-rules.ts';

export const DETECTORS: readonly DetectorDescriptor<never>[] = [customRulesDetector as DetectorDescriptor<never>];
