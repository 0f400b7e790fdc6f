/** Operation tables for the worklist and the study commands of study-routes.ts. */
import type { OperationSpec } from './openapi-operation.ts'
import { ref } from './openapi-schemas.ts'
import {
  AssignBody,
  BulkBody,
  OpenBody,
  ReportBody,
  StatusBody,
  TakeoverBody,
} from './study-routes.ts'

const state = { status: 200, description: 'The study’s new state.', schema: ref('StateResult') }
const stale =
  'Stale `expectedRev` (`stale`, with `by` and `at`: who changed the study last, and when).'

export const studyOperations: OperationSpec[] = [
  {
    method: 'GET',
    path: '/api/v1/worklist',
    id: 'getWorklist',
    tag: 'Studies',
    summary: 'The worklist',
    description:
      'Active studies the caller may see, each with its assignments, `rev` and `access` (who has it open now, ' +
      'from live presence or an explicit open). Roles without a worklist get 403, and so do roles that ' +
      'see only studies granted to them (e.g. the registration clerk) while nothing is granted.',
    auth: 'session',
    ok: {
      status: 200,
      description: 'Rows.',
      schema: {
        type: 'object',
        required: ['rows'],
        properties: { rows: { type: 'array', items: ref('WorklistRow') } },
      },
    },
    errors: [[403, 'The caller’s role has no worklist.']],
  },
  {
    method: 'GET',
    path: '/api/v1/users',
    id: 'listUsers',
    tag: 'Studies',
    summary: 'Assignable users',
    description:
      'For assignment pickers: every enabled user except service accounts and patients, with id, name and ' +
      'role only. Any signed-in user may call it.',
    auth: 'session',
    ok: {
      status: 200,
      description: 'Users.',
      schema: {
        type: 'object',
        required: ['users'],
        properties: { users: { type: 'array', items: ref('UserIdentity') } },
      },
    },
  },
  {
    method: 'GET',
    path: '/api/v1/studies/:accession',
    id: 'getStudy',
    tag: 'Studies',
    summary: 'One study',
    description:
      'Form fields, server-owned state and who has the study open. Access is checked before existence: a ' +
      'caller without access gets 403 whether or not the study exists.',
    auth: 'session',
    ok: { status: 200, description: 'The study.', schema: ref('StudyDetail') },
    errors: [403, 404, 410],
  },
  {
    method: 'POST',
    path: '/api/v1/studies/:accession/open',
    id: 'openStudy',
    tag: 'Studies',
    summary: 'Open a study',
    description:
      'Records that the caller has the study open in a view. The first reading physician to open it on the ' +
      '`desktop` or `documents` view gets the reading claim; later ones are read-only (with a `claim.held` ' +
      'notice). Opening assigns the caller to an empty role it can hold (first opener wins) and warns when ' +
      'the role already belongs to someone else. `view` defaults to `info`.',
    auth: 'session',
    body: OpenBody,
    ok: { status: 200, description: 'What the caller may do.', schema: ref('OpenResult') },
    errors: [403, 404, 410],
  },
  {
    method: 'POST',
    path: '/api/v1/studies/:accession/close',
    id: 'closeStudy',
    tag: 'Studies',
    summary: 'Close a study',
    description:
      'Records that the caller closed the view. Closing the last reading view releases the caller’s reading ' +
      'claim at once (a holder who merely vanishes keeps it for `TRACKER_TIMEOUT_S`).',
    auth: 'session',
    body: OpenBody,
    ok: {
      status: 200,
      description: 'Whether the reading claim was released.',
      schema: {
        type: 'object',
        required: ['released'],
        properties: { released: { type: 'boolean' } },
      },
    },
    errors: [404],
  },
  {
    method: 'POST',
    path: '/api/v1/studies/:accession/assignments',
    id: 'assignStudy',
    tag: 'Studies',
    summary: 'Assign a role',
    description:
      'Sets (or with `userId: null` clears) one assignment, compare-and-set on `expectedRev`. Needs the ' +
      'Assign Reading Physician privilege for `readingPhysician`, Assign Other Personnel otherwise. Refused ' +
      'with 423 and the `holder` while another reading physician has the study open for reading, unless the ' +
      'caller is an admin (the reader is then told at once and loses the reading claim). Everyone concerned ' +
      'gets a notice.',
    auth: 'session',
    body: AssignBody,
    ok: state,
    errors: [
      [400, 'Invalid body, an unknown user, or a user who cannot hold the role.'],
      [403, 'The caller lacks the privilege.'],
      404,
      [409, stale],
      410,
      423,
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/assignments/bulk',
    id: 'assignBulk',
    tag: 'Studies',
    summary: 'Assign a role on many studies',
    description:
      'Assigns one role on each listed study (no `expectedRev`). Each study succeeds or fails on its own: ' +
      'unknown, deleted or merged studies, and studies another reading physician has open for reading, are ' +
      'reported in `results` with an `error` and left unchanged.',
    auth: 'session',
    body: BulkBody,
    ok: {
      status: 200,
      description: 'One result per distinct accession.',
      schema: {
        type: 'object',
        required: ['results'],
        properties: {
          results: {
            type: 'array',
            items: {
              type: 'object',
              required: ['accession', 'ok'],
              properties: {
                accession: { type: 'string' },
                ok: { type: 'boolean' },
                error: { type: 'string' },
              },
            },
          },
        },
      },
    },
    errors: [
      [400, 'Invalid body, an unknown user, or a user who cannot hold the role.'],
      [403, 'The caller lacks the privilege.'],
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/studies/:accession/status',
    id: 'advanceStatus',
    tag: 'Studies',
    summary: 'Advance the workflow',
    description:
      'Moves the study to `to`, compare-and-set on `expectedRev`. Only the transitions of the workflow are ' +
      'allowed, each by the roles it belongs to; reader steps need the reading claim.',
    auth: 'session',
    body: StatusBody,
    ok: state,
    errors: [
      [403, 'The caller’s role cannot make this step.'],
      404,
      [
        409,
        `${stale} Or \`conflict\`: the transition is not allowed from the current status (\`from\`), or a reader step without the claim.`,
      ],
      410,
      [423, 'Another reading physician holds the claim (`holder`).'],
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/studies/:accession/report',
    id: 'reportAction',
    tag: 'Studies',
    summary: 'Create or amend the report',
    description:
      '`create` fills an empty report (`study/<accession>/report`, Y.Text `body`) with the modality’s template ' +
      'unless `autoTemplate` is false; `amend` moves a signed study to `amending`. Claim holder only.',
    auth: 'session',
    body: ReportBody,
    ok: state,
    errors: [
      404,
      [
        409,
        '`conflict`: the caller must open the study on the desktop first, or the report is not signed (amend).',
      ],
      410,
      [423, 'Another reading physician holds the claim (`holder`).'],
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/studies/:accession/takeover',
    id: 'takeOverClaim',
    tag: 'Studies',
    summary: 'Take over the reading claim',
    description:
      'Privileged (the Take Over privilege; admin in the demo): takes the reading claim from a holder who is ' +
      'still present. `reason` must have at least 10 characters after trimming; it is audited. The report ' +
      'draft stays in place; the previous holder gets a blocking `claim.lost` notice with a copy of it.',
    auth: 'session',
    body: TakeoverBody,
    ok: {
      status: 200,
      description: 'The new state and whom the claim was taken from.',
      schema: {
        type: 'object',
        required: ['state', 'previousHolder'],
        properties: { state: ref('StudyState'), previousHolder: ref('PersonRef') },
      },
    },
    errors: [
      [400, 'Invalid body, or a reason shorter than 10 characters.'],
      [403, 'The caller lacks the Take Over privilege.'],
      404,
      [
        409,
        '`conflict`: nobody holds the claim (open the study instead), or the caller already holds it.',
      ],
      410,
    ],
  },
]
