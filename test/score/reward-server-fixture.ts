import { afterEach } from 'vitest'
import {
  startSimulatedRewardServer,
  type SimulatedRewardServer,
  type SimulatedRewardServerOptions,
} from '../../src/testing/simulated-reward-server.node.js'

/** Starts a simulated reward server that the test's `afterEach` closes. */
export type StartRewardServer = (options: SimulatedRewardServerOptions) => Promise<SimulatedRewardServer>

/**
 * Registers an `afterEach` hook that closes every simulated reward server started during the test,
 * and returns the function that starts them. Call it at the top level of a test file.
 */
export function useRewardServers(): StartRewardServer {
  const servers: SimulatedRewardServer[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()))
  })
  return async (options) => {
    const server = await startSimulatedRewardServer(options)
    servers.push(server)
    return server
  }
}
