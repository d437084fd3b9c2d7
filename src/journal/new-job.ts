import { PeenmarkError } from "../errors.ts";
import { parseRecord } from "../profile/load.ts";
import { personName, writtenReason } from "./names.ts";
import type { NewJob } from "./types.ts";

/**
 * A job as every engine writes it: the record through MarkingRecordSchema (NFC), names and
 * reasons checked and trimmed. Throws E_SCHEMA for a record that does not pass or a missing
 * technician, E_JOURNAL for a bad name or reason.
 */
export function normaliseNewJob(input: NewJob): NewJob {
  const remark = input.remark && {
    of: input.remark.of,
    reason: writtenReason(input.remark.reason),
    authorisedBy: personName(input.remark.authorisedBy, "remark.authorisedBy"),
    ...(input.remark.currentProfile ? { currentProfile: { reason: writtenReason(input.remark.currentProfile.reason) } } : {}),
  };
  const job: NewJob = {
    ...input,
    record: parseRecord("the job's marking record", input.record),
    technician: personName(input.technician, "technician"),
    ...(remark ? { remark } : {}),
  };
  if (job.technician === "") throw new PeenmarkError("E_SCHEMA", "the technician's name is missing: say who is marking", { where: "technician", details: { issues: [{ path: "$.technician", message: "the technician's name must not be empty" }] } });
  return job;
}
