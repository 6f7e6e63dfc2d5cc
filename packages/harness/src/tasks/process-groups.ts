import { hostname } from 'node:os';
import {
  type Clock,
  type Logger,
  type ProcessGroupJournal,
  type TrackedProcessGroup,
  endRecordedGroup,
  liveGroupMembers,
} from '../core/index.js';
import type { EventLog } from '../observe/index.js';
import type { Store } from '../store/index.js';
import { isOwnerGone, newLeaseOwner } from './lease.js';

export interface ProcessGroupLabel {
  task_id: string | null;
  turn_id: string | null;
}

/**
 * The server's record of the process groups its agents and validation commands run in. While a
 * group runs it is in the store; if the server dies, however it dies, the next start ends every
 * recorded group that is still alive (pid and start time both matching, so a recycled pid is
 * left alone) before any task is resumed, so no old agent keeps working beside its replacement.
 */
export class ServerProcessGroups {
  private readonly owner = newLeaseOwner();
  private readonly processPrefix = `${hostname()}/${process.pid}/`;

  constructor(
    private readonly store: Store,
    private readonly events: EventLog,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** A journal that tags each group with the task and turn it works for. */
  journal(label: ProcessGroupLabel): ProcessGroupJournal {
    return {
      started: (group) => this.started(group, label),
      ended: (group) => this.ended(group),
    };
  }

  private async started(group: TrackedProcessGroup, label: ProcessGroupLabel): Promise<void> {
    try {
      await this.store.processGroups.add({
        ...group,
        owner: this.owner,
        task_id: label.task_id,
        turn_id: label.turn_id,
        started_at: this.clock.now().toISOString(),
      });
    } catch (error) {
      this.logger.error({ err: error, pgid: group.pgid }, 'recording an agent process group failed');
    }
  }

  private async ended(group: TrackedProcessGroup): Promise<void> {
    try {
      await this.store.processGroups.remove(group.pgid, group.start_time);
    } catch (error) {
      this.logger.warn({ err: error, pgid: group.pgid }, 'forgetting an ended process group failed');
    }
  }

  /**
   * Start-up: ends the groups left by servers that are gone, then forgets them. Groups of a live
   * server (another `harness serve` on the same data directory) are not touched.
   */
  async endOrphans(graceMs = 2_000): Promise<number> {
    let ended = 0;
    for (const record of await this.store.processGroups.list()) {
      if (record.owner.startsWith(this.processPrefix)) {
        // Started in this very process by an instance that has closed (and so ended its groups) or
        // by one still running: never ours to kill, only to forget once it is gone.
        if (liveGroupMembers(record).length === 0)
          await this.store.processGroups.remove(record.pgid, record.start_time);
        continue;
      }
      if (!isOwnerGone(record.owner)) continue;
      const alive = await endRecordedGroup(record, graceMs);
      await this.store.processGroups.remove(record.pgid, record.start_time);
      if (alive === 0) continue;
      ended += 1;
      this.logger.warn(
        { pgid: record.pgid, processes: alive, task_id: record.task_id, turn_id: record.turn_id },
        'ended a process group that outlived the last server',
      );
      await this.events.append({
        kind: 'process.orphan_ended',
        task_id: record.task_id,
        turn_id: record.turn_id,
        decision: 'block',
        data: { pgid: record.pgid, processes: alive, command: record.command, owner: record.owner },
      });
    }
    return ended;
  }
}
