// The usage report's groupings: apart from the report, for what describes it without running it (admin-docs.ts).
export const GROUPINGS = ['user', 'team', 'key', 'model', 'provider', 'session', 'day'] as const;
export type Grouping = (typeof GROUPINGS)[number];
