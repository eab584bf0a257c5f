// The official MCP TypeScript SDK v2 client (`@modelcontextprotocol/client`)
// against mcpwire at protocol version 2026-07-28, the stateless era: no
// `initialize`, every request carries its version and capabilities in `_meta`,
// input-required results (MRTR) instead of server-to-client requests, and
// `subscriptions/listen` for change notifications. `cargo xtask interop`
// installs the pinned SDK next to a copy of this file and runs it with Node 22,
// after `stdio-client.mjs` has checked the 2025-11-25 era with SDK 1.x.
//
//   node modern-client.mjs <path to the mcpwire binary>   spawn it over stdio
//   node modern-client.mjs <http(s)://host:port/mcp>       Streamable HTTP
//
// The client connects the way a dual-era host would, with version negotiation
// `auto`: the SDK probes `server/discover` and falls back to `initialize` unless
// the server proves it speaks 2026-07-28, so a server that answers the probe
// badly fails the first check instead of silently passing as a 2025 one. Every
// check goes through the SDK's own API (MRTR rounds run inside `callTool` and
// `getPrompt` through the registered elicitation and sampling handlers;
// `listen()` opens the subscription); a tap on the transport records the raw messages, so the
// checks can also hold the wire to the spec and a failing check prints what it
// exchanged. Prints `ok  <name>` or `FAIL <name>: <why>` per check (`skip
// <name>` for those after a failed connect, which could only repeat it), then a
// summary, and exits 1 if any check failed.

import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';

import { Client, ProtocolError, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

import { assertProgressBeforeResult, CONSTANT_TOOLS, lateProgressDrops, onlyText, runChecks, text, within } from './common.mjs';

/** The revision under test. */
const VERSION = '2026-07-28';
/** The whole run's backstop, so a wedged server can never hang CI. */
const RUN_TIMEOUT_MS = 60_000;
/** How long a notification the server owes may take to arrive once its cause has been answered. */
const NOTIFICATION_WAIT_MS = 2_000;

const PROTOCOL_VERSION_KEY = 'io.modelcontextprotocol/protocolVersion';
const SERVER_INFO_KEY = 'io.modelcontextprotocol/serverInfo';
const SUBSCRIPTION_ID_KEY = 'io.modelcontextprotocol/subscriptionId';
const LOG_LEVEL_KEY = 'io.modelcontextprotocol/logLevel';

/** Tools these checks call, all of which `tools/list` must offer at 2026-07-28. */
const TOOLS_USED = [
    'echo',
    'test_simple_text',
    'test_image_content',
    'test_audio_content',
    'test_embedded_resource',
    'test_multiple_content_types',
    'test_error_handling',
    'test_tool_with_logging',
    'test_tool_with_progress',
    'test_trigger_tool_change',
    'test_header_params',
    'test_input_required_result_elicitation',
    'test_input_required_result_sampling',
    'test_input_required_result_multi_round'
];

/** What the client's handlers answer to input requests. */
const USER_NAME = 'Alice';
const FAVOURITE_COLOUR = 'blue';
const SAMPLING_REPLY = 'The capital of France is Paris.';

// ---------------------------------------------------------------------------
// The transport tap: every message both ways, in order.

/** Marks the tap's wrapper around a handler, so setting the wrapper back does not wrap it twice. */
const TAPPED = Symbol('tapped');

/**
 * Records every message `transport` sends and receives into `log`, as
 * `{ direction: '->' | '<-', message }`, without replacing the transport: the
 * SDK treats its own `StdioClientTransport` specially (it probes on a
 * disposable sibling process), so the checks must hand it that very object.
 */
function tap(transport, log) {
    const send = transport.send.bind(transport);
    transport.send = async (message, options) => {
        log.push({ direction: '->', message });
        await send(message, options);
    };
    // The SDK sets `onmessage` more than once (the probe window saves and
    // restores it), so the wrapper goes in at every set and comes off at every get.
    let wrapped;
    Object.defineProperty(transport, 'onmessage', {
        configurable: true,
        enumerable: true,
        get: () => wrapped,
        set: handler => {
            const inner = handler?.[TAPPED] ?? handler;
            wrapped =
                inner &&
                Object.assign(
                    (message, extra) => {
                        log.push({ direction: '<-', message });
                        inner(message, extra);
                    },
                    { [TAPPED]: inner }
                );
        }
    });
}

/** The requests sent since log index `from` with `method` (and, for `tools/call`, tool `name`), each with its answer. */
function exchanges(log, from, method, name) {
    const entries = log.slice(from);
    return entries
        .filter(e => e.direction === '->' && e.message.method === method && e.message.id !== undefined)
        .filter(e => name === undefined || e.message.params?.name === name)
        .map(({ message: request }) => ({
            request,
            response: entries.find(e => e.direction === '<-' && e.message.method === undefined && e.message.id === request.id)
                ?.message
        }));
}

/** The one exchange since `from` for `method`, which must have a result. */
function onlyExchange(log, from, method, name) {
    const found = exchanges(log, from, method, name);
    assert.equal(found.length, 1, `expected one ${method} request on the wire, saw ${found.length}`);
    assert.ok(found[0].response?.result, `${method} got no result: ${JSON.stringify(found[0].response)}`);
    return found[0];
}

// ---------------------------------------------------------------------------
// Helpers.

/** Resolves once `predicate()` holds, checking whenever a change notification reaches the client; rejects after `ms`. */
function until(s, predicate, ms, what) {
    if (predicate()) {
        return Promise.resolve();
    }
    return within(
        ms,
        new Promise(resolve => {
            const waiter = () => {
                if (predicate()) {
                    s.arrivalWaiters.delete(waiter);
                    resolve();
                }
            };
            s.arrivalWaiters.add(waiter);
        }),
        what
    );
}

/** A 2026-07-28 result on the wire: `resultType` is required, `complete` unless the server needs input. */
function assertComplete(result, what) {
    assert.equal(result.resultType, 'complete', `${what}: resultType is ${JSON.stringify(result.resultType)}, not "complete"`);
}

/** The caching hints every cacheable 2026-07-28 result must carry (SEP-2549). */
function assertCacheable(result, what) {
    assertComplete(result, what);
    assert.ok(
        Number.isInteger(result.ttlMs) && result.ttlMs >= 0,
        `${what}: ttlMs must be an integer >= 0, got ${JSON.stringify(result.ttlMs)}`
    );
    assert.ok(
        ['public', 'private'].includes(result.cacheScope),
        `${what}: cacheScope must be "public" or "private", got ${JSON.stringify(result.cacheScope)}`
    );
}

// ---------------------------------------------------------------------------
// The session: one SDK client, and the client-side handlers the checks steer.

/**
 * The transport for `target`: a URL means Streamable HTTP, anything else is a
 * binary to spawn. Over HTTP every request's method, headers and response
 * status go into `posts`, since the tap sees only JSON-RPC messages.
 */
function transportFor(target, posts) {
    if (/^https?:\/\//.test(target)) {
        const recordingFetch = async (url, init) => {
            const post = { method: init?.method, headers: new Headers(init?.headers), status: undefined };
            posts.push(post);
            const response = await fetch(url, init);
            post.status = response.status;
            return response;
        };
        return { kind: 'http', transport: new StreamableHTTPClientTransport(new URL(target), { fetch: recordingFetch }) };
    }
    // stderr is piped (and always drained, so the server never blocks on it)
    // to keep its logs out of the check lines; a failure prints the tail.
    return { kind: 'stdio', transport: new StdioClientTransport({ command: target, args: [], stderr: 'pipe' }) };
}

class Session {
    constructor(target) {
        /** Over HTTP, every request the transport made: `{ method, headers, status }`. */
        this.posts = [];
        const { kind, transport } = transportFor(target, this.posts);
        this.kind = kind;
        this.transport = transport;
        /** Every message both ways, in order (see `tap`). */
        this.log = [];
        tap(transport, this.log);
        /** Waiters of `until`, called whenever a change notification reaches the client's handlers. */
        this.arrivalWaiters = new Set();
        this.serverStderr = [];
        transport.stderr?.on('data', chunk => {
            this.serverStderr.push(...String(chunk).split('\n').filter(Boolean));
            this.serverStderr.splice(0, Math.max(0, this.serverStderr.length - 40));
        });
        /** Everything the SDK reported through `onerror`: malformed or unexpected messages from the server. */
        this.sdkErrors = [];
        /** Every `notifications/message` the client's handler received, in order. */
        this.logMessages = [];
        /** Every `notifications/tools/list_changed` the client's handler received. */
        this.toolsChanged = [];
        /** Remarks the running check makes without failing, printed under its line. */
        this.notes = [];
        /** Every input request the SDK handed to a handler, `{ method, params }`, in order. */
        this.inputRequests = [];
        /** Answers `elicitation/create` input requests; a check that expects them installs its own. */
        this.onElicit = () => ({ action: 'decline' });

        // Sampling and form-mode elicitation, as the conformance suite's client
        // declares them; `auto` makes the SDK probe `server/discover` first.
        this.client = new Client(
            { name: 'mcpwire-interop', version: '1.0.0' },
            { capabilities: { sampling: {}, elicitation: {} }, versionNegotiation: { mode: 'auto' } }
        );
        this.client.onerror = error => this.sdkErrors.push(String(error));
        this.client.setNotificationHandler('notifications/message', notification => {
            this.logMessages.push(notification.params);
        });
        this.client.setNotificationHandler('notifications/tools/list_changed', notification => {
            this.toolsChanged.push(notification);
            this.arrived();
        });
        // At 2026-07-28 these run for the input requests of an `input_required`
        // result; the SDK answers with what they return and retries the call.
        this.client.setRequestHandler('elicitation/create', request => {
            this.inputRequests.push({ method: 'elicitation/create', params: request.params });
            return this.onElicit(request.params);
        });
        this.client.setRequestHandler('sampling/createMessage', request => {
            this.inputRequests.push({ method: 'sampling/createMessage', params: request.params });
            return {
                role: 'assistant',
                content: text(SAMPLING_REPLY),
                model: 'interop-model',
                stopReason: 'endTurn'
            };
        });
    }

    connect() {
        return this.client.connect(this.transport);
    }

    arrived() {
        for (const waiter of [...this.arrivalWaiters]) {
            waiter();
        }
    }

    note(text) {
        this.notes.push(text);
    }

    /** Runs `body` with `handler` answering elicitations, then restores the default. */
    async withElicitation(handler, body) {
        this.onElicit = handler;
        try {
            return await body();
        } finally {
            this.onElicit = () => ({ action: 'decline' });
        }
    }
}

// ---------------------------------------------------------------------------
// The checks, in the order they run: each gets the session and throws on a mismatch.

const checks = [];
/**
 * `only` names the one transport a check runs over; a failing `gate` skips
 * the checks after it, which would only repeat its failure.
 */
const check = (name, run, { only, gate } = {}) => checks.push({ name, run, only, gate });

check(
    `connect: version negotiation "auto" settles on ${VERSION}`,
    async s => {
        await s.connect();
        assert.equal(s.client.getProtocolEra(), 'modern', `the SDK fell back to the ${s.client.getProtocolEra()} era`);
        assert.equal(s.client.getNegotiatedProtocolVersion(), VERSION, 'negotiated protocol version');
        const discovered = s.client.getDiscoverResult();
        assert.ok(
            discovered?.supportedVersions?.includes(VERSION),
            `the probe's server/discover result does not offer ${VERSION}: ${JSON.stringify(discovered)}`
        );
        const capabilities = s.client.getServerCapabilities() ?? {};
        for (const name of ['tools', 'resources', 'prompts']) {
            assert.equal(
                typeof capabilities[name],
                'object',
                `server capability \`${name}\` missing from ${JSON.stringify(capabilities)}`
            );
        }
        assert.equal(capabilities.tools.listChanged, true, `tools.listChanged is not true in ${JSON.stringify(capabilities)}`);
        const info = s.client.getServerVersion();
        assert.ok(info?.name && info?.version, `discover's _meta names no server (name and version): ${JSON.stringify(info)}`);
        assert.ok(
            !s.log.some(e => e.direction === '->' && e.message.method === 'initialize'),
            'the client sent initialize, so the probe did not settle the era'
        );
    },
    { gate: true }
);

check('server/discover: versions, capabilities, cache hints and serverInfo', async s => {
    const from = s.log.length;
    await s.client.discover();
    const { request, response } = onlyExchange(s.log, from, 'server/discover');
    assert.equal(request.params?._meta?.[PROTOCOL_VERSION_KEY], VERSION, 'the SDK did not put the version in _meta');
    const result = response.result;
    assertCacheable(result, 'server/discover');
    assert.ok(
        Array.isArray(result.supportedVersions) && result.supportedVersions.includes(VERSION),
        `supportedVersions ${JSON.stringify(result.supportedVersions)} lacks ${VERSION}`
    );
    assert.equal(typeof result.capabilities, 'object', 'capabilities');
    const info = result._meta?.[SERVER_INFO_KEY];
    assert.ok(
        typeof info?.name === 'string' && typeof info?.version === 'string',
        `_meta["${SERVER_INFO_KEY}"] lacks name or version: ${JSON.stringify(result._meta)}`
    );
});

check('tools/list: the tools used here, valid schemas, cache hints, a stable order', async s => {
    const from = s.log.length;
    const { tools } = await s.client.listTools(undefined, { cacheMode: 'refresh' });
    const [{ response }] = exchanges(s.log, from, 'tools/list');
    assertCacheable(response.result, 'tools/list');
    assert.equal(response.result.nextCursor, undefined, 'the fixture server fits on one page');
    const names = tools.map(tool => tool.name);
    const missing = TOOLS_USED.filter(name => !names.includes(name));
    assert.deepEqual(missing, [], `tools missing from tools/list: ${missing.join(', ')}`);
    assert.equal(new Set(names).size, names.length, `tools/list names a tool twice: ${names.join(', ')}`);
    for (const tool of tools) {
        assert.equal(tool.inputSchema?.type, 'object', `tool ${tool.name}'s inputSchema.type is ${tool.inputSchema?.type}`);
    }
    // 2026-07-28: tools/list SHOULD be deterministic, so a cached list stays comparable.
    const again = await s.client.listTools(undefined, { cacheMode: 'bypass' });
    assert.deepEqual(
        again.tools.map(tool => tool.name),
        names,
        'a second tools/list lists the tools in another order'
    );
});

check("tools/list: the SDK serves a repeat listing from its cache, as the server's ttlMs allows", async s => {
    const from = s.log.length;
    await s.client.listTools(undefined, { cacheMode: 'refresh' });
    const [{ response }] = exchanges(s.log, from, 'tools/list');
    const listed = s.log.length;
    await s.client.listTools();
    const fetched = exchanges(s.log, listed, 'tools/list').length;
    if (response.result.ttlMs === 0) {
        assert.equal(fetched, 1, 'with ttlMs 0 the SDK must fetch again');
        s.note('the server sent ttlMs 0, so nothing can be cached');
        return;
    }
    assert.equal(fetched, 0, `the SDK fetched tools/list again despite ttlMs ${response.result.ttlMs}`);
});

check('tools/call echo: the text comes back, complete', async s => {
    const from = s.log.length;
    const message = 'hello from 2026-07-28, ünïcödé ✓';
    const result = await s.client.callTool({ name: 'echo', arguments: { text: message } });
    assert.equal(onlyText(result, 'echo'), message);
    const { request, response } = onlyExchange(s.log, from, 'tools/call', 'echo');
    assertComplete(response.result, 'echo');
    assert.equal(request.params._meta?.[PROTOCOL_VERSION_KEY], VERSION, 'the SDK did not put the version in _meta');
});

check('x-mcp-header: test_header_params, whose region travels in Mcp-Param-Region over HTTP', async s => {
    // One value the header carries as it is, one it must carry as `=?base64?…?=`.
    for (const [region, header] of [
        ['eu-west-1', 'eu-west-1'],
        ['Zürich', `=?base64?${Buffer.from('Zürich').toString('base64')}?=`]
    ]) {
        const from = s.posts.length;
        const result = await s.client.callTool({ name: 'test_header_params', arguments: { region } });
        assert.equal(onlyText(result, region), `region=${region}`);
        if (s.kind !== 'http') {
            continue;
        }
        const sent = s.posts.slice(from).map(post => post.headers);
        assert.deepEqual(
            sent.map(headers => [headers.get('mcp-method'), headers.get('mcp-name'), headers.get('mcp-param-region')]),
            [['tools/call', 'test_header_params', header]],
            `the SDK's headers for region ${JSON.stringify(region)}`
        );
    }
});

for (const [name, content] of Object.entries(CONSTANT_TOOLS)) {
    check(`tools/call ${name}`, async s => {
        const result = await s.client.callTool({ name, arguments: {} });
        assert.ok(!result.isError, `isError is set: ${JSON.stringify(result)}`);
        assert.deepEqual(result.content, content, 'unexpected content');
    });
}

check('tools/call test_error_handling gives an isError result', async s => {
    let result;
    try {
        result = await s.client.callTool({ name: 'test_error_handling', arguments: {} });
    } catch (error) {
        assert.fail(`the tool's failure must be a result with isError, but the call threw: ${error}`);
    }
    assert.equal(result.isError, true, `isError is not true: ${JSON.stringify(result)}`);
    assert.deepEqual(result.content, [text('This tool intentionally returns an error for testing')]);
});

check('logging: no notifications/message without a level in _meta', async s => {
    const from = s.log.length;
    const result = await s.client.callTool({ name: 'test_tool_with_logging', arguments: {} });
    assert.equal(onlyText(result, 'result'), 'Tool with logging executed successfully');
    const sent = s.log.slice(from).filter(e => e.direction === '<-' && e.message.method === 'notifications/message');
    assert.deepEqual(
        sent.map(e => e.message.params),
        [],
        `2026-07-28: with no ${LOG_LEVEL_KEY} the server must send no notifications/message`
    );
});

check(`logging: _meta ${LOG_LEVEL_KEY} "debug" brings 3 notifications/message before the result`, async s => {
    const from = s.logMessages.length;
    const result = await s.client.callTool({
        name: 'test_tool_with_logging',
        arguments: {},
        _meta: { [LOG_LEVEL_KEY]: 'debug' }
    });
    // Notification handlers run in order before the call's continuation, so
    // this is exactly what arrived before the result.
    const during = s.logMessages.slice(from);
    const expected = ['Tool execution started', 'Tool processing data', 'Tool execution completed'];
    assert.deepEqual(
        during.map(m => m.data),
        expected,
        `notifications/message received before the result: ${JSON.stringify(during)}`
    );
    for (const m of during) {
        assert.equal(m.level, 'info', `log level of ${JSON.stringify(m)}`);
    }
    assert.equal(onlyText(result, 'result'), 'Tool with logging executed successfully');
});

check('progress: 3 non-decreasing notifications before the result, which echoes the token', async s => {
    const delivered = [];
    const from = s.log.length;
    const result = await s.client.callTool(
        { name: 'test_tool_with_progress', arguments: {} },
        { onprogress: progress => delivered.push(progress) }
    );
    const atResult = delivered.length;
    const { request } = onlyExchange(s.log, from, 'tools/call', 'test_tool_with_progress');
    assertProgressBeforeResult(s, { from, request, result, delivered, atResult });
});

/**
 * The raw rounds of one MRTR call since `from`: every `tools/call` of `name`,
 * with its answer. Checks what the SDK and the server must agree on for each
 * round but the last: an `input_required` result whose input requests the
 * next request answers, on a fresh id, echoing `requestState` byte for byte.
 */
function inputRequiredRounds(s, from, name, rounds) {
    const calls = exchanges(s.log, from, 'tools/call', name);
    assert.equal(calls.length, rounds, `expected ${rounds} tools/call requests (one per round), saw ${calls.length}`);
    const ids = new Set(calls.map(call => call.request.id));
    assert.equal(ids.size, rounds, 'the SDK reused a request id for a retry');
    for (const [round, { request, response }] of calls.entries()) {
        const result = response?.result;
        assert.ok(result, `round ${round + 1} got no result: ${JSON.stringify(response)}`);
        if (round === rounds - 1) {
            assertComplete(result, `round ${round + 1}`);
            continue;
        }
        assert.equal(result.resultType, 'input_required', `round ${round + 1}: resultType ${JSON.stringify(result.resultType)}`);
        const keys = Object.keys(result.inputRequests ?? {});
        assert.ok(keys.length > 0, `round ${round + 1}: input_required without inputRequests`);
        const retry = calls[round + 1].request.params;
        const after = `the retry after round ${round + 1}`;
        assert.deepEqual(Object.keys(retry.inputResponses ?? {}).sort(), keys.sort(), `${after} answers other keys`);
        assert.strictEqual(retry.requestState, result.requestState, `${after} does not echo requestState`);
        assert.deepEqual(retry.arguments, request.params.arguments, `${after} changed the arguments`);
    }
    return calls;
}

check('MRTR elicitation: input_required, the handler answers user_name, the retry completes', async s => {
    const from = s.log.length;
    const asked = s.inputRequests.length;
    const result = await s.withElicitation(
        () => ({ action: 'accept', content: { name: USER_NAME } }),
        () => s.client.callTool({ name: 'test_input_required_result_elicitation', arguments: {} })
    );
    assert.equal(onlyText(result, 'result'), `Hello, ${USER_NAME}!`);
    const [first, retry] = inputRequiredRounds(s, from, 'test_input_required_result_elicitation', 2);
    const request = first.response.result.inputRequests.user_name;
    const listed = JSON.stringify(first.response.result.inputRequests);
    assert.equal(request?.method, 'elicitation/create', `inputRequests has no user_name elicitation: ${listed}`);
    assert.deepEqual(
        retry.request.params.inputResponses.user_name,
        { action: 'accept', content: { name: USER_NAME } },
        "the retry does not carry the handler's answer"
    );
    const handled = s.inputRequests.slice(asked);
    assert.equal(handled.length, 1, `the elicitation handler ran ${handled.length} times`);
    assert.deepEqual(handled[0].params.requestedSchema, request.params.requestedSchema, 'the handler saw another schema');
});

check('MRTR sampling: input_required, the handler samples, the retry completes', async s => {
    const from = s.log.length;
    const asked = s.inputRequests.length;
    const result = await s.client.callTool({ name: 'test_input_required_result_sampling', arguments: {} });
    assert.equal(onlyText(result, 'result'), `Sampling result: ${SAMPLING_REPLY}`);
    const [first] = inputRequiredRounds(s, from, 'test_input_required_result_sampling', 2);
    const requests = Object.values(first.response.result.inputRequests);
    const listed = JSON.stringify(first.response.result.inputRequests);
    assert.equal(requests[0]?.method, 'sampling/createMessage', `inputRequests does not ask for sampling: ${listed}`);
    const handled = s.inputRequests.slice(asked);
    assert.equal(handled.length, 1, `the sampling handler ran ${handled.length} times`);
    assert.equal(handled[0].method, 'sampling/createMessage');
    assert.deepEqual(
        handled[0].params.messages,
        [{ role: 'user', content: text('What is the capital of France?') }],
        'sampling messages'
    );
    assert.ok(Number.isInteger(handled[0].params.maxTokens), `maxTokens ${handled[0].params.maxTokens}`);
});

check('MRTR multi-round: two input_required rounds, each with its own requestState', async s => {
    const from = s.log.length;
    const asked = s.inputRequests.length;
    // Each round asks for one field; the handler answers the one it is asked.
    const answers = { name: USER_NAME, color: FAVOURITE_COLOUR };
    const result = await s.withElicitation(
        params => {
            const fields = Object.keys(params.requestedSchema?.properties ?? {});
            return { action: 'accept', content: Object.fromEntries(fields.map(field => [field, answers[field]])) };
        },
        () => s.client.callTool({ name: 'test_input_required_result_multi_round', arguments: {} })
    );
    assert.equal(onlyText(result, 'result'), `Multi-round complete for ${USER_NAME} who likes ${FAVOURITE_COLOUR}`);
    const [first, second] = inputRequiredRounds(s, from, 'test_input_required_result_multi_round', 3);
    const [state1, state2] = [first.response.result.requestState, second.response.result.requestState];
    assert.ok(typeof state1 === 'string' && state1.length > 0, 'round 1 carries no requestState');
    assert.ok(typeof state2 === 'string' && state2.length > 0, 'round 2 carries no requestState');
    assert.notEqual(state2, state1, 'round 2 sent the same requestState as round 1');
    const handled = s.inputRequests.slice(asked);
    assert.deepEqual(
        handled.map(h => Object.keys(h.params.requestedSchema?.properties ?? {})),
        [['name'], ['color']],
        'the elicitation handler was not asked for the name, then the colour'
    );
});

check('MRTR on prompts/get: test_input_required_result_prompt asks for context, the retry completes', async s => {
    const from = s.log.length;
    const asked = s.inputRequests.length;
    const result = await s.withElicitation(
        () => ({ action: 'accept', content: { context: 'interop context' } }),
        () => s.client.getPrompt({ name: 'test_input_required_result_prompt' })
    );
    assert.deepEqual(result.messages, [{ role: 'user', content: text('Prompt with context: interop context') }]);
    const calls = exchanges(s.log, from, 'prompts/get');
    assert.equal(calls.length, 2, `expected two prompts/get requests (one per round), saw ${calls.length}`);
    const [first, retry] = calls;
    assert.equal(first.response?.result?.resultType, 'input_required', `round 1: ${JSON.stringify(first.response)}`);
    assert.notEqual(retry.request.id, first.request.id, 'the SDK reused the request id for the retry');
    assert.strictEqual(retry.request.params.requestState, first.response.result.requestState, 'requestState not echoed');
    assertComplete(retry.response?.result ?? {}, 'round 2');
    assert.equal(s.inputRequests.length - asked, 1, 'the elicitation handler did not run exactly once');
});

check('resources/read test://static-text: the text, with cache hints', async s => {
    const from = s.log.length;
    const result = await s.client.readResource({ uri: 'test://static-text' }, { cacheMode: 'refresh' });
    assert.deepEqual(result.contents, [
        { uri: 'test://static-text', mimeType: 'text/plain', text: 'This is the content of the static text resource.' }
    ]);
    assertCacheable(onlyExchange(s.log, from, 'resources/read').response.result, 'resources/read');
});

check('subscriptions/listen: acknowledged first, then tools/list_changed tagged with its id', async s => {
    const from = s.log.length;
    const subscription = await s.client.listen({ toolsListChanged: true });
    const [listen] = s.log.slice(from).filter(e => e.direction === '->' && e.message.method === 'subscriptions/listen');
    assert.ok(listen, 'the SDK sent no subscriptions/listen');
    const id = listen.message.id;
    assert.deepEqual(listen.message.params.notifications, { toolsListChanged: true }, 'the listen filter as sent');
    const forListen = () =>
        s.log
            .slice(from)
            .filter(
                e =>
                    e.direction === '<-' &&
                    (e.message.params?._meta?.[SUBSCRIPTION_ID_KEY] === id || (e.message.id === id && !e.message.method))
            )
            .map(e => e.message);
    const [ack] = forListen();
    assert.equal(ack?.method, 'notifications/subscriptions/acknowledged', `the stream's first message: ${JSON.stringify(ack)}`);
    const honoured = subscription.honoredFilter;
    assert.equal(honoured?.toolsListChanged, true, `the acknowledged filter ${JSON.stringify(honoured)}`);

    const changed = s.toolsChanged.length;
    const trigger = await s.client.callTool({ name: 'test_trigger_tool_change', arguments: {} });
    assert.ok(!trigger.isError, `test_trigger_tool_change failed: ${JSON.stringify(trigger)}`);
    await until(s, () => s.toolsChanged.length > changed, NOTIFICATION_WAIT_MS, 'notifications/tools/list_changed');
    const notification = s.toolsChanged[changed];
    assert.equal(
        notification.params?._meta?.[SUBSCRIPTION_ID_KEY],
        id,
        `list_changed is not tagged with the listen id ${JSON.stringify(id)}: ${JSON.stringify(notification)}`
    );
    assert.ok(
        forListen().some(m => m.method === 'notifications/tools/list_changed'),
        'the list_changed the handler saw did not come for this subscription'
    );

    // Closing sends notifications/cancelled (and aborts the stream over HTTP);
    // after that a change must reach nobody.
    await subscription.close();
    assert.equal(await within(NOTIFICATION_WAIT_MS, subscription.closed, 'subscription closed'), 'local');
    const closedAt = s.log.length;
    await s.client.callTool({ name: 'test_trigger_tool_change', arguments: {} });
    // A round trip after the trigger: on stdio everything comes down one pipe in
    // order, so a list_changed still owed would be here by the echo's answer.
    await s.client.callTool({ name: 'echo', arguments: { text: 'after the listen closed' } });
    const late = s.log
        .slice(closedAt)
        .filter(e => e.direction === '<-' && e.message.method === 'notifications/tools/list_changed');
    assert.deepEqual(late.map(e => e.message), [], 'tools/list_changed arrived after the subscription was cancelled');
});

check('the SDK saw nothing malformed or unexpected, and no HTTP request was refused', async s => {
    const unexplained = s.sdkErrors.filter(error => !lateProgressDrops(s.sdkErrors, s.log).some(drop => drop.error === error));
    assert.deepEqual(unexplained, [], 'the SDK reported errors through onerror');
    const refused = s.posts.filter(post => !(post.status < 400));
    assert.deepEqual(
        refused.map(post => `${post.method} ${post.headers.get('mcp-method')} -> ${post.status}`),
        [],
        'HTTP requests the server refused'
    );
});

check(
    'closing the client makes the server exit 0 within 1 s',
    async s => {
        // The SDK keeps the child private; reaching for it is the only way to see
        // how the server process ended. `close()` would wait 2 s, then SIGTERM.
        const child = s.transport._process;
        assert.ok(child, 'cannot see the server process (StdioClientTransport._process): did the SDK change?');
        const exited = new Promise(resolve => {
            child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() }));
        });
        const closing = performance.now();
        await s.client.close();
        const { code, signal, at } = await within(5_000, exited, 'server exit');
        const took = at - closing;
        assert.equal(signal, null, `the server was killed by ${signal} after ${took.toFixed(0)} ms`);
        assert.equal(code, 0, `the server exited with status ${code}`);
        assert.ok(took < 1_000, `the server took ${took.toFixed(0)} ms to exit after stdin closed`);
    },
    { only: 'stdio' }
);

check(
    'no session: the server never handed out an Mcp-Session-Id',
    async s => {
        assert.equal(s.transport.sessionId, undefined, `the transport holds session id ${s.transport.sessionId}`);
        await s.client.close();
    },
    { only: 'http' }
);

await runChecks({
    script: 'modern-client.mjs',
    revision: VERSION,
    runTimeoutMs: RUN_TIMEOUT_MS,
    JsonRpcError: ProtocolError,
    newSession: target => new Session(target),
    checks
});
