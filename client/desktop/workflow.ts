/**
 * The desktop's view of the workflow (API.md "Studies…"): which status the
 * "Advance" button moves to, and whether that move is a reader step that only the
 * reading-claim holder may take. The server holds the rules and refuses the rest;
 * this only decides what to offer and what to explain.
 */
import type { StudyStatus } from '../../shared/domain.ts'
import { ApiError } from '../api.ts'

export interface NextStep {
  readonly to: StudyStatus
  /** Reader steps need the reading claim (S15). */
  readonly readerStep: boolean
}

/** Signed → amending is offered as "Amend report", not as an advance. */
const NEXT: Partial<Record<StudyStatus, NextStep>> = {
  scheduled: { to: 'arrived', readerStep: false },
  arrived: { to: 'in-progress', readerStep: false },
  'in-progress': { to: 'ready-to-read', readerStep: false },
  'ready-to-read': { to: 'read', readerStep: true },
  read: { to: 'dictated', readerStep: true },
  dictated: { to: 'transcribed', readerStep: false },
  transcribed: { to: 'signed', readerStep: true },
  amending: { to: 'signed', readerStep: true },
}

export function nextStep(status: StudyStatus): NextStep | null {
  return NEXT[status] ?? null
}

/** What to tell the user about a failed call: the server's own words where it gave some. */
export function describeFailure(error: unknown): string {
  if (error instanceof ApiError) return error.message
  return 'Could not reach the server; nothing was changed. Try again.'
}
