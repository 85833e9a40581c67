/**
 * Options every DLP detector shares. `minScore` drops weak candidates inside the detector, so a
 * profile threshold below it changes nothing; context windows are in UTF-16 code units, bounded
 * so a detector's work stays linear in the text.
 */
import { z } from 'zod';

export const minScoreOption = z.number().min(0).max(1).default(0.5);
export const contextWindowOption = z.number().int().min(0).max(200).default(48);
