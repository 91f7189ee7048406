// The teaching process's minutes added up against the class hours. A 学时
// (class hour) in Chinese medical schools is 45 minutes.

export const CLASS_HOUR_MINUTES = 45;

/** The process's total minutes, and the minutes its class hours make (null when no hours are set). */
export function minutesCheck(process: unknown, hours: unknown): { total: number; hours: number; expected: number | null; differs: boolean } {
  const rows = Array.isArray(process) ? (process as { minutes?: unknown }[]) : [];
  const total = rows.reduce((n, r) => n + (typeof r?.minutes === 'number' && Number.isFinite(r.minutes) ? r.minutes : 0), 0);
  if (typeof hours !== 'number' || !Number.isFinite(hours) || hours <= 0) return { total, hours: 0, expected: null, differs: false };
  const expected = Math.round(hours * CLASS_HOUR_MINUTES);
  return { total, hours, expected, differs: total !== expected };
}
