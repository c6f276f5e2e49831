import { InterviewReport } from '../../gen/report';
import { protoJson, ProtoJson } from './proto-json';

let codec: ProtoJson<InterviewReport> | undefined;

/**
 * The interview report's proto3 JSON (interview.report.v1.InterviewReport): the document scoring
 * stores and serves as format "json" and the interview API's report_json, read back by both.
 */
export function reportJson(): ProtoJson<InterviewReport> {
  codec ??= protoJson('interview.report.v1.InterviewReport', InterviewReport);
  return codec;
}
