import type { NotificationName, NotificationParams } from '@harness/protocol';

/**
 * Who can hear notifications: a client session of whatever transport. The transports' connections
 * implement it; the domain knows nothing more about them.
 */
export interface NotificationSubscriber {
  readonly canReceiveNotifications: boolean;
  notify(method: string, params?: unknown): void;
  onClose(handler: () => void): void;
}

/**
 * Topic-based fan-out of server → client notifications. A connection subscribes to the threads it
 * starts, resumes or forks; it hears nothing about other clients' threads.
 */
export class NotificationHub {
  private readonly topics = new Map<string, Set<NotificationSubscriber>>();
  private readonly byConnection = new Map<NotificationSubscriber, Set<string>>();

  subscribe(connection: NotificationSubscriber, topic: string): void {
    if (!connection.canReceiveNotifications) return;
    let members = this.topics.get(topic);
    if (!members) this.topics.set(topic, (members = new Set()));
    members.add(connection);
    let topics = this.byConnection.get(connection);
    if (!topics) {
      this.byConnection.set(connection, (topics = new Set()));
      connection.onClose(() => this.unsubscribeAll(connection));
    }
    topics.add(topic);
  }

  unsubscribeAll(connection: NotificationSubscriber): void {
    for (const topic of this.byConnection.get(connection) ?? []) {
      const members = this.topics.get(topic);
      members?.delete(connection);
      if (members?.size === 0) this.topics.delete(topic);
    }
    this.byConnection.delete(connection);
  }

  /** Drops a topic entirely (after its last notification), e.g. when a thread is deleted. */
  dropTopic(topic: string): void {
    for (const connection of this.topics.get(topic) ?? []) this.byConnection.get(connection)?.delete(topic);
    this.topics.delete(topic);
  }

  publish<N extends NotificationName>(topic: string, method: N, params: NotificationParams<N>): void {
    for (const connection of this.topics.get(topic) ?? []) connection.notify(method, params);
  }

  subscriberCount(topic: string): number {
    return this.topics.get(topic)?.size ?? 0;
  }
}

export const threadTopic = (threadId: string): string => `thread:${threadId}`;
