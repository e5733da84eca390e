import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createSubrequestScope, limitSubrequests, type SubrequestScope } from '../../src/edge/limit-subrequests.js'
import { BonbonError, InvalidOptionsError } from '../../src/errors.js'

// A loopback server that holds every answer until the test releases it, and counts open exchanges.
let server: Server
let url: string
let held: ServerResponse[] = []
let open = 0
let arrived = 0

beforeEach(async () => {
  held = []
  open = 0
  arrived = 0
  server = createServer((request, response) => {
    arrived += 1
    open += 1
    response.on('close', () => (open -= 1))
    request.resume()
    held.push(response)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
})

afterEach(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const answerAll = () => {
  for (const response of held.splice(0)) response.end('ok')
}

describe('limitSubrequests', () => {
  it('keeps one request to maxConnections calls in flight, and lets the next go when a body is read', async () => {
    const scope = createSubrequestScope(2)
    const limited = limitSubrequests(fetch, { maxConnections: 2, currentScope: () => scope })
    const calls = [limited(url), limited(url), limited(url)]
    await vi.waitFor(() => expect(arrived).toBe(2))
    expect(scope.connections.waiting).toBe(1)

    held.shift()?.end('first')
    const first = await calls[0]!
    // Headers alone do not free the connection; reading the body does.
    expect(scope.connections.waiting).toBe(1)
    expect(await first.text()).toBe('first')
    await vi.waitFor(() => expect(arrived).toBe(3))
    answerAll()
    const rest = await Promise.all(calls.slice(1))
    expect(await Promise.all(rest.map((response) => response.text()))).toEqual(['ok', 'ok'])
    expect(scope.connections.active).toBe(0)
  })

  it('gives each request its own permits', async () => {
    const scopes = [createSubrequestScope(1), createSubrequestScope(1)]
    let current: SubrequestScope | undefined
    const limited = limitSubrequests(fetch, { maxConnections: 1, currentScope: () => current })
    current = scopes[0]
    const a = limited(url)
    current = scopes[1]
    const b = limited(url)
    await vi.waitFor(() => expect(arrived).toBe(2))
    answerAll()
    await Promise.all([(await a).text(), (await b).text()])
  })

  it('refuses the call beyond maxSubrequests before sending it, naming the setting', async () => {
    const scope = createSubrequestScope()
    const limited = limitSubrequests(fetch, { maxSubrequests: 2, currentScope: () => scope })
    const sent = [limited(url), limited(url)]
    await expect(limited(url)).rejects.toSatisfy(
      (error) => BonbonError.isInstance(error) && error.code === 'subrequest_limit' && /BONBON_MAX_SUBREQUESTS/.test(error.message),
    )
    await vi.waitFor(() => expect(arrived).toBe(2))
    answerAll()
    await Promise.all(sent.map(async (call) => (await call).text()))
    expect(arrived).toBe(2)
  })

  it('does not count calls made outside any request', async () => {
    const limited = limitSubrequests(fetch, { maxSubrequests: 1, currentScope: () => undefined })
    const calls = [limited(url), limited(url)]
    await vi.waitFor(() => expect(arrived).toBe(2))
    answerAll()
    await Promise.all(calls.map(async (call) => (await call).text()))
  })

  it('gives up the place in line of a call whose signal aborts while it waits', async () => {
    const scope = createSubrequestScope(1)
    const limited = limitSubrequests(fetch, { maxConnections: 1, currentScope: () => scope })
    const first = limited(url)
    const controller = new AbortController()
    const waiting = limited(url, { signal: controller.signal })
    await vi.waitFor(() => expect(scope.connections.waiting).toBe(1))
    controller.abort(new Error('client gone'))
    await expect(waiting).rejects.toThrow('client gone')
    expect(scope.connections.waiting).toBe(0)
    await vi.waitFor(() => expect(arrived).toBe(1))
    answerAll()
    await (await first).text()
    expect(arrived).toBe(1)
  })

  it('frees the permit when a body is cancelled unread', async () => {
    const scope = createSubrequestScope(1)
    const limited = limitSubrequests(fetch, { maxConnections: 1, currentScope: () => scope })
    const first = limited(url)
    await vi.waitFor(() => expect(arrived).toBe(1))
    held.shift()?.writeHead(200).write('partial')
    await (await first).body?.cancel()
    expect(scope.connections.active).toBe(0)
  })

  it('refuses limits that are not positive integers', () => {
    expect(() => limitSubrequests(fetch, { maxConnections: 0, currentScope: () => undefined })).toThrow(InvalidOptionsError)
    expect(() => limitSubrequests(fetch, { maxSubrequests: 2.5, currentScope: () => undefined })).toThrow(/maxSubrequests/)
  })
})
