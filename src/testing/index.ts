/**
 * `bonbon/testing`: a simulated OpenAI-compatible backend and simulated reward servers on loopback,
 * with injectable faults, for testing a gateway without a GPU; and a synthetic world with a known
 * causal effect for checking reward-model audits. Node only (the servers use `node:http`).
 * @module
 */
export {
  startSimulatedBackend,
  type SimulatedBackend,
  type SimulatedBackendOptions,
  type SimulatedOutcome,
  type SimulatedRequest,
} from './simulated-backend.node.js'
export { defaultSimulatedAnswer, type SimulatedAnswerInput, type SimulatedEndpoint } from './simulated-completion.js'
export type { SimulatedCall, SimulatedFault, SimulatedFaults } from './simulated-faults.js'
export type { SimulatedSseQuirks } from './simulated-stream.js'
export {
  defaultSimulatedRewardScore,
  startSimulatedRewardServer,
  type ScoredPair,
  type SimulatedRewardFault,
  type SimulatedRewardRequest,
  type SimulatedRewardServer,
  type SimulatedRewardServerOptions,
  type SimulatedRewardShape,
} from './simulated-reward-server.node.js'
export { createRateWorld, type RateWorld, type RateWorldItem, type RateWorldOptions } from './rate-world.js'
export {
  defaultSimulatedJudgeGrade,
  startSimulatedJudgeServer,
  type SimulatedJudgeServer,
  type SimulatedJudgeServerOptions,
} from './simulated-judge-server.node.js'
