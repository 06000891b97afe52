// Timestamps as OneView writes them: ISO-8601 UTC with milliseconds.
export const isoNow = (): string => new Date().toISOString();
