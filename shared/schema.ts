/**
 * Form schemas: which keys a client may write into the Y.Map `fields` of a
 * study or patient document, and what values they may hold (API.md "Sync").
 * The server refuses (4409) any write outside these; the UI renders from them.
 */
import { PRIORITIES } from './domain.ts'

export type FieldSpec =
  /** A collaborative Y.Text (merged character by character). */
  | { kind: 'text'; label: string; maxLength: number }
  /** A plain string value (last writer wins per field). */
  | { kind: 'string'; label: string; maxLength: number; pattern?: RegExp; example?: string }
  /** One of a fixed list. */
  | { kind: 'enum'; label: string; values: readonly string[] }

export type FormSchema = Readonly<Record<string, FieldSpec>>

export const STUDY_FORM: FormSchema = {
  priority: { kind: 'enum', label: 'Priority', values: PRIORITIES },
  description: { kind: 'string', label: 'Study description', maxLength: 200 },
  referringPhysician: { kind: 'string', label: 'Referring physician', maxLength: 120 },
  bodyPart: { kind: 'string', label: 'Body part', maxLength: 64 },
  clinicalHistory: { kind: 'text', label: 'Clinical history', maxLength: 20_000 },
  notes: { kind: 'text', label: 'Notes', maxLength: 20_000 },
}

export const ACCOUNT_STATUSES = ['NORMAL', 'OVERDUE', 'COLLECTIONS', 'CLOSED'] as const

export const PATIENT_FORM: FormSchema = {
  name: {
    kind: 'string',
    label: 'Name',
    maxLength: 128,
    pattern: /^[^^\n]+(\^[^^\n]*){0,4}$/,
    example: 'FAMILY^GIVEN',
  },
  birthDate: {
    kind: 'string',
    label: 'Birth date',
    maxLength: 10,
    pattern: /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/,
    example: 'YYYY-MM-DD',
  },
  sex: { kind: 'enum', label: 'Sex', values: ['F', 'M', 'O', 'U'] },
  accountStatus: { kind: 'enum', label: 'Account status', values: ACCOUNT_STATUSES },
  phone: { kind: 'string', label: 'Phone', maxLength: 32 },
  address: { kind: 'string', label: 'Address', maxLength: 256 },
}

/** The report document holds one Y.Text named `body`. */
export const REPORT_BODY_MAX_LENGTH = 200_000

/** Checks a plain value against a non-text field spec; returns an error message or null. */
export function checkFieldValue(spec: FieldSpec, value: unknown): string | null {
  switch (spec.kind) {
    case 'text':
      return 'is collaborative text and must be a Y.Text'
    case 'enum':
      return typeof value === 'string' && spec.values.includes(value)
        ? null
        : `must be one of ${spec.values.join(', ')}`
    case 'string':
      if (typeof value !== 'string') return 'must be a string'
      if (value.length > spec.maxLength) return `must be at most ${spec.maxLength} characters`
      if (value !== '' && spec.pattern && !spec.pattern.test(value))
        return `must look like ${spec.example ?? spec.pattern.source}`
      return null
  }
}
