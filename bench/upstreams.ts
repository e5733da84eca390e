/**
 * The bench's upstreams, in a process of their own so they do not compete with the gateway for its
 * event loop: a simulated OpenAI-compatible backend and a simulated reward server. Prints their URLs
 * as one JSON line, then serves until stdin closes.
 */
import { startSimulatedBackend } from '../src/testing/simulated-backend.node.js'
import { startSimulatedRewardServer } from '../src/testing/simulated-reward-server.node.js'

const backend = await startSimulatedBackend()
const reward = await startSimulatedRewardServer({ shape: 'http' })
console.log(JSON.stringify({ backend: backend.url, reward: reward.scoreURL }))
process.stdin.resume()
process.stdin.on('end', () => {
  void Promise.all([backend.close(), reward.close()]).then(() => process.exit(0))
})
