/** Every detector Rampart ships; the registry checks the list at start-up. */
import type { DetectorDescriptor } from '../types.ts';
import { customRulesDetector } from './custom-rules.ts';
import { llmJudgeDetector } from './llm-judge.ts';

export const DETECTORS: readonly DetectorDescriptor<never>[] = [customRulesDetector as DetectorDescriptor<never>, llmJudgeDetector as DetectorDescriptor<never>];
