/**
 * Priority and status badges: colour for a glance, always with the word on it and an
 * accessible name ("Priority STAT", "Status ready to read"), never colour alone.
 * Plain templates, not elements: a worklist holds hundreds of them.
 */
import { css, html } from 'lit'
import { type Priority, type StudyStatus, statusLabel } from '../../shared/domain.ts'

export const priorityBadge = (priority: Priority) =>
  html`<span class="badge priority ${priority}" role="img" aria-label="Priority ${priority}"
    >${priority}</span
  >`

export const statusBadge = (status: StudyStatus) =>
  html`<span class="badge status ${status}" role="img" aria-label="Status ${statusLabel(status)}"
    >${statusLabel(status)}</span
  >`

export const badgeStyles = css`
  .badge {
    display: inline-block;
    padding: 0.15rem 0.5rem;
    border-radius: 999px;
    font-size: 0.85rem;
    font-weight: 600;
    white-space: nowrap;
    border: 1px solid transparent;
  }
  /* Priority: STAT red, CRITFIND orange, URGENT yellow, ROUTINE grey (contrast ≥ 4.5:1). */
  .priority.STAT {
    background: #b3261e;
    color: #fff;
  }
  .priority.CRITFIND {
    background: #c2410c;
    color: #fff;
  }
  .priority.URGENT {
    background: #fde047;
    color: #3b3000;
    border-color: #a16207;
  }
  .priority.ROUTINE {
    background: #eef0f2;
    color: #2b3036;
    border-color: #c0c4ca;
  }
  .status {
    font-weight: 500;
    background: #eef0f2;
    color: #2b3036;
  }
  .status.in-progress {
    background: #dbeafe;
    color: #1e3a8a;
  }
  .status.ready-to-read {
    background: #ede9fe;
    color: #4c1d95;
    border-color: #7c3aed;
  }
  .status.read,
  .status.dictated,
  .status.transcribed {
    background: #ccfbf1;
    color: #134e4a;
  }
  .status.signed {
    background: #dcfce7;
    color: #14532d;
  }
  .status.amending {
    background: #fef3c7;
    color: #78350f;
    border-color: #b45309;
  }
`
