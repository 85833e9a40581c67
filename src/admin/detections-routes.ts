/** /admin/v1/detections: guard findings, newest first, filtered and paginated. */
import { RampartError } from '../core/errors.ts';
import type { DetectionFilter, DetectionRepo } from '../store/types.ts';
import { pageParams, timeParam, type AdminRoute } from './admin-api.ts';

const TEXT = /^[A-Za-z0-9._:@/#-]{1,256}$/;

export function parseDetectionFilter(query: URLSearchParams): DetectionFilter {
  const filter: DetectionFilter = { ...pageParams(query, 1000) };
  for (const [param, key] of [
    ['principal', 'principalId'],
    ['deployment', 'deployment'],
    ['category', 'category'],
    ['detector', 'detector'],
    ['action', 'action'],
    ['severity', 'severity'],
    ['requestId', 'requestId'],
  ] as const) {
    const v = query.get(param);
    if (v === null) continue;
    if (!TEXT.test(v)) throw new RampartError('RAMPART_INVALID_REQUEST', { detail: `${param}: must be 1-256 characters of letters, digits and . _ : @ / # -` });
    filter[key] = v;
  }
  for (const name of ['from', 'to'] as const) {
    const ms = timeParam(query, name);
    if (ms !== undefined) filter[name] = ms;
  }
  return filter;
}

export function detectionRoutes(repo: DetectionRepo): AdminRoute[] {
  return [
    {
      method: 'GET',
      path: '/admin/v1/detections',
      action: 'detections.list',
      permission: 'detections:read',
      handle: async ({ query }) => {
        const page = await repo.list(parseDetectionFilter(query));
        return { status: 200, body: { data: page.items.map((d) => ({ ...d, time: new Date(d.time).toISOString() })), nextCursor: page.nextCursor } };
      },
    },
  ];
}
