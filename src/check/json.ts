// The report as the JSON API (`GET /api/v1/check`) and `mailconfig check --json` give it: the English sentences,
// without the findings the pages translate (the document the OpenAPI schema CheckReport describes).
import type { Check, CheckReport } from './types.js';

/** A check as the JSON API and `mailconfig check --json` give it: the English sentences only. */
export type CheckJson = Pick<Check, 'id' | 'status' | 'message' | 'fix'>;
export interface CheckReportJson {
  domain: string;
  checks: CheckJson[];
  records: string;
}

export function reportJson(report: CheckReport): CheckReportJson {
  return { domain: report.domain, checks: report.checks.map(({ id, status, message, fix }) => ({ id, status, message, fix })), records: report.records };
}
