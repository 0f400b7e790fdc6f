/**
 * The reading claim as a lease (DESIGN §4, S18): released at once on close,
 * kept through short disconnects, and released after the tracker timeout when
 * every connection of the holder to the study dropped without a close request.
 */
import type { PersonRef } from '../../shared/domain.ts'
import { studyByAccession } from '../registry/lookup.ts'
import type { StudyRecord } from '../registry/types.ts'
import { clockTime, type DomainContext, iso } from './context.ts'
import { notifyUsers, notifyViewers } from './notify.ts'

export class ClaimTracker {
  private readonly timers = new Map<string, NodeJS.Timeout>()

  constructor(private readonly ctx: DomainContext) {}

  /** A holder's connection closed, or a claim was taken with no connection yet: start the lease clock. */
  holderMayHaveVanished(accession: string, holderId: string): void {
    if (this.timers.has(accession) || this.ctx.viewers.isConnected(accession, holderId)) return
    const timer = setTimeout(() => void this.expire(accession, holderId), this.ctx.trackerTimeoutMs)
    timer.unref()
    this.timers.set(accession, timer)
  }

  /** The holder is back (reconnected) or the claim ended another way. */
  cancel(accession: string): void {
    const timer = this.timers.get(accession)
    if (timer) clearTimeout(timer)
    this.timers.delete(accession)
  }

  /** Wired to the sync endpoint: keeps leases in step with the holder's connections. */
  onConnection(accession: string, userId: string, change: 'opened' | 'closed'): void {
    const study = studyByAccession(this.ctx.registry.read(), accession)
    if (study?.claim?.holder.id !== userId) return
    if (change === 'opened') this.cancel(accession)
    else this.holderMayHaveVanished(accession, userId)
  }

  close(): void {
    for (const timer of this.timers.values()) clearTimeout(timer)
    this.timers.clear()
  }

  private async expire(accession: string, holderId: string): Promise<void> {
    this.timers.delete(accession)
    const { ctx } = this
    if (ctx.viewers.isConnected(accession, holderId)) return
    const now = ctx.clock.now()
    const released = await ctx.registry.update((data) => {
      const study = data.studies.find((s) => s.accession === accession)
      if (!study?.claim || study.claim.holder.id !== holderId) return null
      const holder = study.claim.holder
      releaseClaim(study, 'SYSTEM', now)
      return holder
    })
    if (!released) return
    await ctx.audit.append({
      actor: 'SYSTEM',
      action: 'claim.expire',
      subject: { type: 'study', id: accession },
      outcome: 'success',
      source: { ip: 'server', session: null },
      details: { holder: released, trackerTimeoutMs: ctx.trackerTimeoutMs },
    })
    await ctx.projector.study(accession)
    const text = `${released.name}'s reading claim on study ${accession} expired at ${clockTime(now)} (no connection for ${Math.round(ctx.trackerTimeoutMs / 1000)} s)`
    const base = {
      subject: { type: 'study' as const, id: accession },
      by: 'SYSTEM' as const,
      at: iso(now),
      text,
    }
    notifyUsers(ctx, [released.id], { ...base, kind: 'claim.lost', tier: 'blocking' })
    notifyViewers(ctx, { ...base, kind: 'claim.released', tier: 'routine' }, released.id)
  }
}

export function releaseClaim(study: StudyRecord, by: PersonRef | 'SYSTEM', now: number): void {
  study.claim = null
  bump(study, by, now)
}

/** Every state change bumps `rev` and records who and when (compare-and-set, S11). */
export function bump(study: StudyRecord, by: PersonRef | 'SYSTEM', now: number): void {
  study.rev++
  study.updatedBy = by
  study.updatedAt = now
}
