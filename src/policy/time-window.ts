/**
 * Weekly time windows for conditional access: days of the week and a local-time range in an IANA
 * time zone, read through Intl (so daylight saving follows the zone's rules, no tz database of our
 * own). A range whose end is earlier than its start crosses midnight, and its after-midnight part
 * belongs to the day it started on: `days: [fri], from: 22:00, to: 06:00` includes Saturday 03:00.
 */
import { WEEKDAYS, type TimeWindowConfig } from '../config/access.ts';

export interface TimeWindow {
  /** True when the instant (epoch milliseconds) falls inside the window. */
  contains(epochMs: number): boolean;
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

/** Checks the config once; the returned window only formats and compares. */
export function compileTimeWindow(cfg: TimeWindowConfig): TimeWindow {
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone: cfg.timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const from = minutes(cfg.from);
  const to = minutes(cfg.to);
  const days = cfg.days ? new Set(cfg.days.map((d) => WEEKDAYS.indexOf(d))) : null;
  const crosses = to < from;
  return {
    contains(epochMs) {
      let day = -1;
      let minute = 0;
      for (const part of fmt.formatToParts(epochMs)) {
        if (part.type === 'weekday') day = WEEKDAYS.indexOf(part.value.toLowerCase().slice(0, 3) as (typeof WEEKDAYS)[number]);
        else if (part.type === 'hour') minute += Number(part.value) * 60;
        else if (part.type === 'minute') minute += Number(part.value);
      }
      if (day < 0) return false; // cannot tell: the window does not hold
      let inRange: boolean;
      if (from === to) inRange = true;
      else if (!crosses) inRange = minute >= from && minute < to;
      else if (minute >= from) inRange = true;
      else if (minute < to) {
        inRange = true;
        day = (day + 6) % 7; // the early-morning part of yesterday's window
      } else inRange = false;
      return inRange && (days === null || days.has(day));
    },
  };
}
