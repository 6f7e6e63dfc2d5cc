export { ModelGateway, type GatewayLease, type GatewayTurnOptions, type ModelUpstream } from './gateway.js';
export type { ModelProvider } from './metering.js';
export { upstreamUrl } from './forward.js';
export {
  describeModelAccess,
  topUpUsage,
  withGatewayTurn,
  type ModelAccess,
  type ModelAccessInfo,
} from './turn-access.js';
