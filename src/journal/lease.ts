import { PeenmarkError } from "../errors.ts";
import type { JobEnd, NewJob, OperatorAction } from "./types.ts";

/**
 * Leases: a block of a series' numbers the registry hands to one station beforehand, so that
 * the station may go on marking series numbers while it cannot reach the registry
 * (docs/REGISTRY.md, "Outages"). In the registry the numbers are reserved to the station
 * (state `reserved`, no job, the lease named), so no other station draws them; the station
 * keeps the lease in its outbox and marks from it only while cut off and before the lease
 * expires. What it marked reaches the registry later through `uploadOffline`, keyed by the
 * station's own key for the job, exactly once. An operator, or the station once it is back,
 * returns the numbers it did not use; the registry never frees a leased number on its own
 * (a station cut off past the expiry may still have marked it and not yet said so).
 */
export interface LeaseTerms {
  /**
   * The station it is for: by default the station this registry connection is for. An operator
   * granting from another PC (`peenmark journal lease grant --station`) names it.
   */
  readonly stationId?: string;
  /** How many numbers, 1–1000. */
  readonly size: number;
  /** How long the station may mark from it while cut off, hours (at most 30 days). */
  readonly hours: number;
  /** The operator who granted it, and why (at least 10 characters), as for every operator act. */
  readonly operator: string;
  readonly reason: string;
}

export interface Lease {
  readonly id: string;
  readonly seriesId: string;
  readonly stationId: string;
  /** The numbers and the serials they format to, in the order the series gives them. */
  readonly numbers: readonly { readonly number: number; readonly serial: string }[];
  readonly createdAt: string;
  readonly createdBy: string;
  readonly reason: string;
  readonly expiresAt: string;
  readonly returned?: { readonly at: string; readonly by: string; readonly reason: string };
  /** Numbers of the lease a job has taken (uploaded or marked online). */
  readonly used: number;
}

/** A job a station marked while cut off from the registry, as it uploads it. */
export interface OfflineJob {
  /** The station's own key for this job, unique for ever (the upload's idempotency key). */
  readonly key: string;
  /** The job as the station created it; `seriesNumber` is a number of one of its leases. */
  readonly job: NewJob;
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly endedAt: string;
  /** How it ended on the metal. */
  readonly end: JobEnd;
}

export const MAX_LEASE = 1000;
export const MAX_LEASE_HOURS = 24 * 30;

export function checkLeaseTerms(t: LeaseTerms): void {
  if (t.stationId !== undefined && !/^[\p{L}\p{N}._-]{1,64}$/u.test(t.stationId)) throw new PeenmarkError("E_JOURNAL", `station id "${t.stationId}" is not 1–64 letters, digits, '.', '_' or '-'`, { where: "stationId" });
  if (!Number.isInteger(t.size) || t.size < 1 || t.size > MAX_LEASE) throw new PeenmarkError("E_JOURNAL", `a lease is 1–${MAX_LEASE} numbers, not ${t.size}`, { where: "size" });
  if (!Number.isFinite(t.hours) || t.hours <= 0 || t.hours > MAX_LEASE_HOURS) throw new PeenmarkError("E_JOURNAL", `a lease lasts more than 0 and at most ${MAX_LEASE_HOURS} hours, not ${t.hours}`, { where: "hours" });
}

export function checkOfflineJob(o: OfflineJob, stationId: string | undefined): void {
  if (stationId === undefined) throw new PeenmarkError("E_JOURNAL", "only a station (with its id) uploads the jobs it marked while cut off", { where: "stationId" });
  if (o.job.stationId !== stationId) throw new PeenmarkError("E_JOURNAL", `job ${o.key} was marked by station "${o.job.stationId}", not "${stationId}": each station uploads its own`, { where: "job.stationId" });
  if (!/^[\x21-\x7e]{8,120}$/.test(o.key)) throw new PeenmarkError("E_JOURNAL", "an upload's key is 8–120 printable characters, unique to the job", { where: "key" });
  if (!o.job.seriesNumber) throw new PeenmarkError("E_JOURNAL", `job ${o.key} has no series number: a station cut off from the registry marks only numbers of a lease`, { where: "job.seriesNumber" });
}

export type LeaseReturn = OperatorAction;
