/** Every detector Rampart ships; the registry checks the list at start-up. */
import type { DetectorDescriptor } from '../types.ts';
import { customRulesDetector } from './custom-rules.ts';
import { DLP_DETECTORS } from './dlp-index.ts';
import { llmJudgeDetector } from './llm-judge.ts';
import { onnxClassifierDetector } from './onnx-classifier.ts';
import { exfilLinksDetector } from './output-exfil-links.ts';
import { promptInjectionDetector } from './prompt-injection.ts';

const erase = <O>(d: DetectorDescriptor<O>) => d as DetectorDescriptor<never>;

export const DETECTORS: readonly DetectorDescriptor<never>[] = [
  erase(promptInjectionDetector),
  ...DLP_DETECTORS,
  erase(customRulesDetector),
  erase(llmJudgeDetector),
  erase(onnxClassifierDetector),
  erase(exfilLinksDetector),
];
