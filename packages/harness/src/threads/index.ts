/**
 * threads: the conversation domain — threads, the turns an agent runs on them (with the project's
 * execution policy as each turn's command gate) and the topic fan-out of thread notifications to
 * whoever subscribed. Transport-free: a subscriber is any object that can be notified and closed,
 * which the server's connections are. May depend on core, store, observe, agents and rules; never
 * on server or cli.
 */
export { NotificationHub, type NotificationSubscriber, threadTopic } from './notification-hub.js';
export { policyGateFor, policyRootOf } from './policy-gate.js';
export { ThreadService, type ThreadServiceOptions } from './thread-service.js';
export { type SkillsForTurn, TurnService, type TurnContext, type TurnServiceDeps } from './turn-service.js';
