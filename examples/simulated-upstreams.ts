/**
 * `npm run simulate`: a GPU-free stand-in for a real deployment, to try bonbon with your own
 * configuration: a simulated OpenAI-compatible inference server on 127.0.0.1:8000 (native `n`,
 * streaming, logprobs) and a simulated reward model on 127.0.0.1:8001 speaking bonbon's `http`
 * shape. examples/openai-gateway.json points a gateway at both:
 *
 *   npm run simulate                                                   # terminal 1
 *   node bin/bonbon.js serve --config examples/openai-gateway.json     # terminal 2
 *
 * SIMULATED_BACKEND_PORT and SIMULATED_REWARD_PORT move them (then point the gateway's configuration
 * at the new ports). The same servers, with injectable faults, are exported from `bonbon/testing`
 * for your tests.
 */
import { startSimulatedBackend } from '../src/testing/simulated-backend.node.js'
import { startSimulatedRewardServer } from '../src/testing/simulated-reward-server.node.js'

const backendPort = Number(process.env['SIMULATED_BACKEND_PORT'] ?? 8000)
const rewardPort = Number(process.env['SIMULATED_REWARD_PORT'] ?? 8001)
const backend = await startSimulatedBackend({ port: backendPort }).catch((error: unknown) =>
  exitBusy(error, backendPort, 'SIMULATED_BACKEND_PORT'),
)
const reward = await startSimulatedRewardServer({ shape: 'http', port: rewardPort }).catch((error: unknown) =>
  exitBusy(error, rewardPort, 'SIMULATED_REWARD_PORT'),
)
console.log(`simulated inference server: ${backend.url} (model "simulated-model")`)
console.log(`simulated reward model:     ${reward.scoreURL} (longer answers score higher, with jitter)`)
console.log('Ctrl-C to stop.')
const stop = () => void Promise.all([backend.close(), reward.close()]).then(() => process.exit(0))
process.on('SIGINT', stop)
process.on('SIGTERM', stop)

function exitBusy(error: unknown, port: number, variable: string): never {
  if ((error as NodeJS.ErrnoException | null)?.code !== 'EADDRINUSE') throw error
  console.error(`simulate: port ${port} is in use; choose another with ${variable}=<port>.`)
  process.exit(1)
}
