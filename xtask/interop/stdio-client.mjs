// The official MCP TypeScript SDK client against mcpwire: every check drives
// the server through the SDK's own `Client`, so what passes here is what a real
// SDK-based host sees. `cargo xtask interop` installs the pinned SDK next to a
// copy of this file and runs it with Node 22.
//
//   node stdio-client.mjs <path to the mcpwire binary>   spawn it over stdio
//   node stdio-client.mjs <http(s)://host:port/mcp>       Streamable HTTP
//
// Every check runs over either transport; only the last one, how the session
// ends, differs. Prints `ok  <name>` or `FAIL <name>: <why>` per check, then a
// summary, and exits 1 if any check failed. A failing check also prints the
// JSON-RPC messages it exchanged, so a server bug can be reported as request,
// response and expectation without rerunning anything.

import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
    CreateMessageRequestSchema,
    ElicitRequestSchema,
    LoggingMessageNotificationSchema,
    McpError
} from '@modelcontextprotocol/sdk/types.js';

import {
    assertProgressBeforeResult,
    CONSTANT_TOOLS,
    image,
    lateProgressDrops,
    onlyText,
    runChecks,
    TEST_IMAGE_BASE64,
    text,
    within
} from './common.mjs';

/** The whole run's backstop, so a wedged server can never hang CI. */
const RUN_TIMEOUT_MS = 120_000;

/** The conformance fixtures every SDK client expects (conformance.md §2a), plus mcpwire's own tools. */
const FIXTURE_TOOLS = [
    'test_simple_text',
    'test_image_content',
    'test_audio_content',
    'test_embedded_resource',
    'test_multiple_content_types',
    'test_tool_with_logging',
    'test_tool_with_progress',
    'test_error_handling',
    'test_sampling',
    'test_elicitation',
    'test_elicitation_sep1034_defaults',
    'test_elicitation_sep1330_enums',
    'json_schema_2020_12_tool'
];
const MCPWIRE_TOOLS = ['echo', 'slow', 'emit_notifications', 'ask_client'];

/** The suite's newest 2020-12 fixture, which must reach the client verbatim (conformance.md §7). */
const JSON_SCHEMA_2020_12 = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    $defs: {
        address: {
            $anchor: 'addressDef',
            type: 'object',
            properties: { street: { type: 'string' }, city: { type: 'string' } }
        }
    },
    properties: {
        name: { type: 'string' },
        address: { $ref: '#/$defs/address' },
        contactMethod: { type: 'string', enum: ['phone', 'email'] },
        phone: { type: 'string' },
        email: { type: 'string' }
    },
    allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
    if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
    then: { required: ['phone'] },
    else: { required: ['email'] },
    additionalProperties: false
};

const SEP1034_SCHEMA = {
    type: 'object',
    properties: {
        name: { type: 'string', description: 'User name', default: 'John Doe' },
        age: { type: 'integer', description: 'User age', default: 30 },
        score: { type: 'number', description: 'User score', default: 95.5 },
        status: { type: 'string', description: 'User status', enum: ['active', 'inactive', 'pending'], default: 'active' },
        verified: { type: 'boolean', description: 'Verification status', default: true }
    },
    required: []
};

/**
 * The SEP-1330 schema without its `description`s, whose wording the suite
 * leaves free; `checkSep1330` requires each to be a non-empty string instead.
 */
const SEP1330_SCHEMA = {
    type: 'object',
    properties: {
        untitledSingle: { type: 'string', enum: ['option1', 'option2', 'option3'] },
        titledSingle: {
            type: 'string',
            oneOf: [
                { const: 'value1', title: 'First Option' },
                { const: 'value2', title: 'Second Option' },
                { const: 'value3', title: 'Third Option' }
            ]
        },
        legacyEnum: {
            type: 'string',
            enum: ['opt1', 'opt2', 'opt3'],
            enumNames: ['Option One', 'Option Two', 'Option Three']
        },
        untitledMulti: {
            type: 'array',
            minItems: 1,
            maxItems: 3,
            items: { type: 'string', enum: ['option1', 'option2', 'option3'] }
        },
        titledMulti: {
            type: 'array',
            minItems: 1,
            maxItems: 3,
            items: {
                anyOf: [
                    { const: 'value1', title: 'First Choice' },
                    { const: 'value2', title: 'Second Choice' },
                    { const: 'value3', title: 'Third Choice' }
                ]
            }
        }
    },
    required: []
};

const RESOURCES = {
    'test://static-text': {
        name: 'static-text',
        title: 'Static Text Resource',
        mimeType: 'text/plain',
        contents: { uri: 'test://static-text', mimeType: 'text/plain', text: 'This is the content of the static text resource.' }
    },
    'test://static-binary': {
        name: 'static-binary',
        title: 'Static Binary Resource',
        mimeType: 'image/png',
        contents: { uri: 'test://static-binary', mimeType: 'image/png', blob: TEST_IMAGE_BASE64 }
    },
    'test://watched-resource': {
        name: 'watched-resource',
        title: 'Watched Resource',
        mimeType: 'text/plain',
        contents: { uri: 'test://watched-resource', mimeType: 'text/plain', text: 'Watched resource content' }
    }
};

const TEMPLATE = {
    name: 'template',
    uriTemplate: 'test://template/{id}/data',
    title: 'Resource Template',
    description: 'A resource template with parameter substitution',
    mimeType: 'application/json'
};

/** Each prompt: its arguments as listed, the arguments to get it with, and the exact messages. */
const PROMPTS = {
    test_simple_prompt: {
        arguments: [],
        get: undefined,
        messages: [{ role: 'user', content: text('This is a simple prompt for testing.') }]
    },
    test_prompt_with_arguments: {
        arguments: [
            { name: 'arg1', description: 'First test argument', required: true },
            { name: 'arg2', description: 'Second test argument', required: true }
        ],
        get: { arg1: 'testValue1', arg2: 'testValue2' },
        messages: [{ role: 'user', content: text("Prompt with arguments: arg1='testValue1', arg2='testValue2'") }]
    },
    test_prompt_with_embedded_resource: {
        arguments: [{ name: 'resourceUri', description: 'URI of the resource to embed', required: true }],
        get: { resourceUri: 'test://example-resource' },
        messages: [
            {
                role: 'user',
                content: {
                    type: 'resource',
                    resource: {
                        uri: 'test://example-resource',
                        mimeType: 'text/plain',
                        text: 'Embedded resource content for testing.'
                    }
                }
            },
            { role: 'user', content: text('Please process the embedded resource above.') }
        ]
    },
    test_prompt_with_image: {
        arguments: [],
        get: undefined,
        messages: [
            { role: 'user', content: image },
            { role: 'user', content: text('Please analyze the image above.') }
        ]
    }
};

/** JSON-RPC and MCP error codes the checks expect. */
const INVALID_PARAMS = -32602;
const RESOURCE_NOT_FOUND = -32002;

// ---------------------------------------------------------------------------
// The transport tap: every message both ways, in order.

/**
 * Wraps the SDK transport so the checks can see the raw JSON-RPC traffic: the
 * SDK's parsed results drop some facts (is `ping`'s result really `{}`, is a
 * progress token echoed as a number, did a response arrive for a cancelled
 * request) and a failing check prints what it exchanged.
 */
class Tap {
    constructor(inner) {
        this.inner = inner;
        /** Every message, `{ direction: '->' | '<-', message }`, in the order the client saw them. */
        this.log = [];
        /** Callbacks waiting for a sent message, so a check can act once a request is on the wire. */
        this.sendWaiters = [];
        /** The version the SDK negotiated, as it tells an HTTP transport after initialize. */
        this.protocolVersion = undefined;
        inner.onmessage = (message, extra) => {
            this.record('<-', message);
            this.onmessage?.(message, extra);
        };
        inner.onclose = () => this.onclose?.();
        inner.onerror = error => this.onerror?.(error);
    }

    get sessionId() {
        return this.inner.sessionId;
    }

    setProtocolVersion(version) {
        this.protocolVersion = version;
        this.inner.setProtocolVersion?.(version);
    }

    start() {
        return this.inner.start();
    }

    async send(message, options) {
        this.record('->', message);
        await this.inner.send(message, options);
        for (const waiter of [...this.sendWaiters]) {
            waiter(message);
        }
    }

    close() {
        return this.inner.close();
    }

    record(direction, message) {
        this.log.push({ direction, message });
    }

    /** Resolves with the first message sent from now on that matches `predicate`, once it has been written. */
    sent(predicate) {
        return new Promise(resolve => {
            const waiter = message => {
                if (predicate(message)) {
                    this.sendWaiters.splice(this.sendWaiters.indexOf(waiter), 1);
                    resolve(message);
                }
            };
            this.sendWaiters.push(waiter);
        });
    }

    /** The last sent request for `method` matching `predicate`. */
    lastRequest(method, predicate = () => true) {
        return this.log.findLast(e => e.direction === '->' && e.message.method === method && predicate(e.message))?.message;
    }

    /** The response received for request `id`, if any. */
    responseTo(id) {
        return this.log.find(e => e.direction === '<-' && e.message.method === undefined && e.message.id === id)?.message;
    }
}

// ---------------------------------------------------------------------------
// Helpers.

/** Awaits `promise`, which must reject with a JSON-RPC error of `code`; returns the error. */
async function expectError(promise, code, what) {
    let result;
    try {
        result = await promise;
    } catch (error) {
        if (!(error instanceof McpError)) {
            assert.fail(`${what}: expected a JSON-RPC error ${code}, got ${error}`);
        }
        assert.equal(error.code, code, `${what}: expected JSON-RPC error code ${code}, got ${error.code} (${error.message})`);
        return error;
    }
    assert.fail(`${what}: expected a JSON-RPC error ${code}, got the result ${JSON.stringify(result)}`);
}

/** `text` must be `<prefix><json>` with the JSON equal to `expected`. */
function assertLabelledJson(actual, prefix, expected, what) {
    assert.ok(
        actual.startsWith(prefix),
        `${what}: expected text starting ${JSON.stringify(prefix)}, got ${JSON.stringify(actual)}`
    );
    let parsed;
    try {
        parsed = JSON.parse(actual.slice(prefix.length));
    } catch {
        assert.fail(`${what}: the text after ${JSON.stringify(prefix)} is not JSON: ${JSON.stringify(actual)}`);
    }
    assert.deepEqual(parsed, expected, `${what}: unexpected JSON in ${JSON.stringify(actual)}`);
}

/** A deferred: a promise together with the functions that settle it. */
function deferred() {
    let resolve;
    const promise = new Promise(r => {
        resolve = r;
    });
    return { promise, resolve };
}

// ---------------------------------------------------------------------------
// The session: one SDK client, and the client-side handlers the checks steer.

/** The transport for `target`: a URL means Streamable HTTP, anything else is a binary to spawn. */
function transportFor(target) {
    if (/^https?:\/\//.test(target)) {
        return { kind: 'http', transport: new StreamableHTTPClientTransport(new URL(target)) };
    }
    // stderr is piped (and always drained, so the server never blocks on it)
    // to keep its logs out of the check lines; a failure prints the tail.
    const transport = new StdioClientTransport({ command: target, args: [], stderr: 'pipe' });
    return { kind: 'stdio', transport };
}

class Session {
    constructor(target) {
        const { kind, transport } = transportFor(target);
        this.kind = kind;
        this.transport = transport;
        this.tap = new Tap(transport);
        /** Every message both ways, in order (the tap's). */
        this.log = this.tap.log;
        this.serverStderr = [];
        transport.stderr?.on('data', chunk => {
            this.serverStderr.push(...String(chunk).split('\n').filter(Boolean));
            this.serverStderr.splice(0, Math.max(0, this.serverStderr.length - 40));
        });
        /** Everything the SDK reported through `onerror`: malformed or unexpected messages from the server. */
        this.sdkErrors = [];
        /** Every `notifications/message` the client's handler received, in order. */
        this.logMessages = [];
        /** Every `sampling/createMessage` the client's handler received. */
        this.samplingRequests = [];
        /** Remarks the running check makes without failing, printed under its line. */
        this.notes = [];
        /** Answers `elicitation/create`; each check that triggers elicitation installs its own. */
        this.onElicit = () => ({ action: 'decline' });

        // The capabilities the conformance suite's client declares: sampling, and form-mode elicitation.
        this.client = new Client(
            { name: 'mcpwire-interop', version: '1.0.0' },
            { capabilities: { sampling: {}, elicitation: {} } }
        );
        this.client.onerror = error => this.sdkErrors.push(String(error));
        this.client.setNotificationHandler(LoggingMessageNotificationSchema, notification => {
            this.logMessages.push(notification.params);
        });
        this.client.setRequestHandler(CreateMessageRequestSchema, request => {
            this.samplingRequests.push(request.params);
            return {
                role: 'assistant',
                content: { type: 'text', text: SAMPLING_REPLY },
                model: 'interop-model',
                stopReason: 'endTurn'
            };
        });
        this.client.setRequestHandler(ElicitRequestSchema, (request, extra) => this.onElicit(request.params, extra));
    }

    connect() {
        return this.client.connect(this.tap);
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

const SAMPLING_PROMPT = 'Test prompt for sampling';
const SAMPLING_REPLY = 'This is a test response from the client';

// ---------------------------------------------------------------------------
// The checks, in the order they run: each gets the session and throws on a mismatch.

const checks = [];
const check = (name, run, only) => checks.push({ name, run, only });

// Every check needs the session: if it cannot start, the rest are skipped.
checks.push({ name: 'connect', run: s => s.connect(), gate: true });

check('initialize', async s => {
    assert.equal(s.tap.protocolVersion, '2025-11-25', `negotiated protocol version ${s.tap.protocolVersion}`);
    const init = s.tap.log.find(e => e.direction === '<-' && e.message.id === s.tap.lastRequest('initialize')?.id);
    assert.equal(init?.message.result?.protocolVersion, '2025-11-25', 'the initialize result carries protocolVersion 2025-11-25');
    const capabilities = s.client.getServerCapabilities() ?? {};
    for (const name of ['tools', 'resources', 'prompts', 'logging', 'completions']) {
        assert.equal(
            typeof capabilities[name],
            'object',
            `server capability \`${name}\` missing from ${JSON.stringify(capabilities)}`
        );
    }
    assert.equal(capabilities.resources.subscribe, true, `resources.subscribe is not true in ${JSON.stringify(capabilities)}`);
    const info = s.client.getServerVersion();
    assert.ok(info?.name && info?.version, `serverInfo lacks name or version: ${JSON.stringify(info)}`);
});

check('ping', async s => {
    await s.client.ping();
    const response = s.tap.responseTo(s.tap.lastRequest('ping').id);
    assert.deepEqual(response.result, {}, `ping's result must be exactly {}, got ${JSON.stringify(response.result)}`);
});

check('tools/list', async s => {
    const { tools } = await s.client.listTools();
    const byName = new Map(tools.map(tool => [tool.name, tool]));
    const missing = [...FIXTURE_TOOLS, ...MCPWIRE_TOOLS].filter(name => !byName.has(name));
    assert.deepEqual(missing, [], `tools missing from tools/list: ${missing.join(', ')}`);
    for (const tool of tools) {
        assert.match(tool.name, /^[A-Za-z0-9_.-]{1,64}$/, `tool name ${JSON.stringify(tool.name)} breaks the naming rules`);
        assert.ok(typeof tool.description === 'string' && tool.description.length > 0, `tool ${tool.name} has no description`);
        assert.ok(tool.inputSchema && typeof tool.inputSchema === 'object', `tool ${tool.name} has no inputSchema object`);
        assert.equal(tool.inputSchema.type, 'object', `tool ${tool.name}'s inputSchema.type is ${tool.inputSchema.type}`);
    }
});

check('tools/list keeps the JSON Schema 2020-12 fixture verbatim', async s => {
    const { tools } = await s.client.listTools();
    const schema = tools.find(tool => tool.name === 'json_schema_2020_12_tool')?.inputSchema;
    assert.ok(schema, 'json_schema_2020_12_tool is not listed');
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema', '$schema');
    assert.equal(schema.$defs?.address?.$anchor, 'addressDef', '$defs.address.$anchor');
    assert.ok(Array.isArray(schema.allOf), 'allOf');
    assert.ok(schema.if && schema.then && schema.else, 'if/then/else');
    assert.equal(schema.additionalProperties, false, 'additionalProperties:false');
    assert.deepEqual(schema, JSON_SCHEMA_2020_12, 'the schema as listed differs from the fixture');
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

check('tools/call json_schema_2020_12_tool', async s => {
    const args = { name: 'Ada', contactMethod: 'email', email: 'ada@example.com' };
    const result = await s.client.callTool({ name: 'json_schema_2020_12_tool', arguments: args });
    assertLabelledJson(onlyText(result, 'result'), 'JSON Schema 2020-12 tool called with: ', args, 'result');
});

check('logging: setLevel debug, then 3 notifications/message before the result', async s => {
    await s.client.setLoggingLevel('debug');
    const response = s.tap.responseTo(s.tap.lastRequest('logging/setLevel').id);
    assert.deepEqual(response.result, {}, `logging/setLevel's result must be exactly {}, got ${JSON.stringify(response.result)}`);
    const from = s.logMessages.length;
    const result = await s.client.callTool({ name: 'test_tool_with_logging', arguments: {} });
    // Notification handlers run in order before the call's continuation, so
    // this is exactly what arrived before the result.
    const during = s.logMessages.slice(from);
    const expected = ['Tool execution started', 'Tool processing data', 'Tool execution completed'];
    const seen = during.filter(m => expected.includes(m.data));
    assert.deepEqual(
        seen.map(m => m.data),
        expected,
        `notifications/message received before the result: ${JSON.stringify(during)}`
    );
    for (const m of seen) {
        assert.equal(m.level, 'info', `log level of ${JSON.stringify(m)}`);
    }
    assert.equal(onlyText(result, 'result'), 'Tool with logging executed successfully');
});

check('logging: setLevel error silences info messages', async s => {
    await s.client.setLoggingLevel('error');
    try {
        const from = s.logMessages.length;
        await s.client.callTool({ name: 'test_tool_with_logging', arguments: {} });
        const during = s.logMessages.slice(from);
        assert.deepEqual(during, [], 'messages below the minimum level arrived');
    } finally {
        await s.client.setLoggingLevel('debug');
    }
});

check('progress: 3 non-decreasing notifications before the result, which echoes the token', async s => {
    const delivered = [];
    const from = s.tap.log.length;
    const result = await s.client.callTool({ name: 'test_tool_with_progress', arguments: {} }, undefined, {
        onprogress: progress => delivered.push(progress)
    });
    const atResult = delivered.length;
    const request = s.tap.lastRequest('tools/call', m => m.params?.name === 'test_tool_with_progress');
    assertProgressBeforeResult(s, { from, request, result, delivered, atResult });
});

check('sampling: sampling/createMessage reaches the client and its answer the result', async s => {
    const from = s.samplingRequests.length;
    const result = await s.client.callTool({ name: 'test_sampling', arguments: { prompt: SAMPLING_PROMPT } });
    const requests = s.samplingRequests.slice(from);
    assert.equal(requests.length, 1, `expected one sampling/createMessage, got ${requests.length}`);
    assert.deepEqual(requests[0].messages, [{ role: 'user', content: text(SAMPLING_PROMPT) }], 'sampling messages');
    assert.equal(requests[0].maxTokens, 100, 'sampling maxTokens');
    assert.equal(onlyText(result, 'result'), `LLM response: ${SAMPLING_REPLY}`);
});

check('elicitation: test_elicitation', async s => {
    const received = [];
    const answer = { response: 'hello from the interop client' };
    const message = 'Please provide your information';
    const result = await s.withElicitation(
        params => {
            received.push(params);
            return { action: 'accept', content: answer };
        },
        () => s.client.callTool({ name: 'test_elicitation', arguments: { message } })
    );
    assert.equal(received.length, 1, `expected one elicitation/create, got ${received.length}`);
    assert.equal(received[0].message, message, 'elicitation message');
    assert.deepEqual(received[0].requestedSchema, {
        type: 'object',
        properties: { response: { type: 'string', description: "User's response" } },
        required: ['response']
    });
    assertLabelledJson(onlyText(result, 'result'), 'User response: action=accept, content=', answer, 'result');
});

check('elicitation: SEP-1034 defaults', async s => {
    const received = [];
    const answer = { name: 'Jane Smith', age: 25, score: 88.5, status: 'inactive', verified: false };
    const result = await s.withElicitation(
        params => {
            received.push(params);
            return { action: 'accept', content: answer };
        },
        () => s.client.callTool({ name: 'test_elicitation_sep1034_defaults', arguments: {} })
    );
    assert.equal(received.length, 1, `expected one elicitation/create, got ${received.length}`);
    assert.equal(received[0].message, 'Please review and update the form fields with defaults', 'elicitation message');
    assert.deepEqual(received[0].requestedSchema, SEP1034_SCHEMA, 'requestedSchema as the client received it');
    assertLabelledJson(onlyText(result, 'result'), 'Elicitation completed: action=accept, content=', answer, 'result');
});

check('elicitation: SEP-1330 enum schemas', async s => {
    const received = [];
    const answer = {
        untitledSingle: 'option1',
        titledSingle: 'value1',
        legacyEnum: 'opt1',
        untitledMulti: ['option1', 'option2'],
        titledMulti: ['value1', 'value2']
    };
    const result = await s.withElicitation(
        params => {
            received.push(params);
            return { action: 'accept', content: answer };
        },
        () => s.client.callTool({ name: 'test_elicitation_sep1330_enums', arguments: {} })
    );
    assert.equal(received.length, 1, `expected one elicitation/create, got ${received.length}`);
    assert.equal(received[0].message, 'Please select options from the enum fields', 'elicitation message');
    const schema = structuredClone(received[0].requestedSchema);
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
        assert.ok(
            typeof property.description === 'string' && property.description.length > 0,
            `property ${name} has no description`
        );
        delete property.description;
    }
    assert.deepEqual(schema, SEP1330_SCHEMA, 'requestedSchema as the client received it (descriptions aside)');
    assertLabelledJson(onlyText(result, 'result'), 'Elicitation completed: action=accept, content=', answer, 'result');
});

check('elicitation: 50 at once, all accepted', async s => {
    const count = 50;
    // Hold every answer until all 50 requests are outstanding, which proves
    // the server sends them concurrently; give up waiting after a while so a
    // server that sends them one at a time fails this check instead of hanging.
    const all = deferred();
    let outstanding = 0;
    let most = 0;
    const release = setTimeout(all.resolve, 5_000);
    const result = await s.withElicitation(
        async () => {
            outstanding += 1;
            most = Math.max(most, outstanding);
            if (outstanding === count) {
                all.resolve();
            }
            await all.promise;
            outstanding -= 1;
            return { action: 'accept', content: {} };
        },
        () => s.client.callTool({ name: 'ask_client', arguments: { count } })
    ).finally(() => clearTimeout(release));
    assert.equal(most, count, `at most ${most} of ${count} elicitations were outstanding at once`);
    assert.equal(onlyText(result, 'result'), `accepted=${count} declined=0 cancelled=0 errors=0`);
});

check('elicitation: 40 at once, answered accept/decline/cancel/error', async s => {
    let nth = 0;
    const answers = [
        () => ({ action: 'accept', content: {} }),
        () => ({ action: 'decline' }),
        () => ({ action: 'cancel' }),
        () => {
            throw new Error('the interop client refuses this one');
        }
    ];
    const result = await s.withElicitation(
        () => answers[nth++ % answers.length](),
        () => s.client.callTool({ name: 'ask_client', arguments: { count: 40 } })
    );
    assert.equal(onlyText(result, 'result'), 'accepted=10 declined=10 cancelled=10 errors=10');
});

check('resources/list', async s => {
    const listed = await s.client.listResources();
    // The binary also serves its skills fixture (SEP-2640): each skill's
    // files are listed beside the fixtures, its SKILL.md as markdown.
    const skills = listed.resources.filter(r => r.uri.startsWith('skill://'));
    const manifests = skills.filter(r => r.uri.endsWith('/SKILL.md'));
    assert.ok(manifests.length > 0, `a skill:// SKILL.md is listed among ${JSON.stringify(skills)}`);
    for (const manifest of manifests) {
        assert.equal(manifest.mimeType, 'text/markdown', `${manifest.uri} mimeType`);
    }
    for (const file of skills) {
        assert.ok(typeof file.name === 'string' && file.name.length > 0, `${file.uri} name`);
    }
    const resources = listed.resources.filter(r => !r.uri.startsWith('skill://'));
    assert.deepEqual(resources.map(r => r.uri).sort(), Object.keys(RESOURCES).sort(), 'listed uris');
    for (const resource of resources) {
        const expected = RESOURCES[resource.uri];
        assert.equal(resource.name, expected.name, `${resource.uri} name`);
        assert.equal(resource.title, expected.title, `${resource.uri} title`);
        assert.equal(resource.mimeType, expected.mimeType, `${resource.uri} mimeType`);
        assert.ok(typeof resource.description === 'string' && resource.description.length > 0, `${resource.uri} description`);
    }
});

check('resources/templates/list', async s => {
    const { resourceTemplates } = await s.client.listResourceTemplates();
    assert.deepEqual(resourceTemplates, [TEMPLATE]);
});

for (const [uri, { contents }] of Object.entries(RESOURCES)) {
    check(`resources/read ${uri}`, async s => {
        const result = await s.client.readResource({ uri });
        assert.deepEqual(result.contents, [contents]);
    });
}

check('resources/read test://template/123/data', async s => {
    const uri = 'test://template/123/data';
    const { contents } = await s.client.readResource({ uri });
    assert.equal(contents.length, 1, `expected one item, got ${JSON.stringify(contents)}`);
    assert.equal(contents[0].uri, uri, 'uri');
    assert.equal(contents[0].mimeType, 'application/json', 'mimeType');
    assertLabelledJson(contents[0].text, '', { id: '123', templateTest: true, data: 'Data for ID: 123' }, 'text');
});

check('resources/subscribe and resources/unsubscribe', async s => {
    const uri = 'test://watched-resource';
    await s.client.subscribeResource({ uri });
    await s.client.unsubscribeResource({ uri });
    for (const method of ['resources/subscribe', 'resources/unsubscribe']) {
        const response = s.tap.responseTo(s.tap.lastRequest(method).id);
        assert.deepEqual(response.result, {}, `${method}'s result must be {}, got ${JSON.stringify(response.result)}`);
    }
});

check('resources/read of an unknown resource gives -32002', async s => {
    await expectError(s.client.readResource({ uri: 'test://no-such-resource' }), RESOURCE_NOT_FOUND, 'resources/read');
});

check('prompts/list', async s => {
    const { prompts } = await s.client.listPrompts();
    // The fixtures of later scenarios (the 2026-07-28 input-required prompt)
    // may be listed too; these four must be, exactly as the suite describes them.
    const names = prompts.map(p => p.name);
    const missing = Object.keys(PROMPTS).filter(name => !names.includes(name));
    assert.deepEqual(missing, [], `prompts missing from prompts/list: ${missing.join(', ')}`);
    for (const prompt of prompts) {
        assert.ok(typeof prompt.title === 'string' && prompt.title.length > 0, `${prompt.name} has no title`);
        assert.ok(typeof prompt.description === 'string' && prompt.description.length > 0, `${prompt.name} has no description`);
        if (PROMPTS[prompt.name]) {
            assert.deepEqual(prompt.arguments ?? [], PROMPTS[prompt.name].arguments, `${prompt.name} arguments`);
        }
    }
});

for (const [name, prompt] of Object.entries(PROMPTS)) {
    check(`prompts/get ${name}`, async s => {
        const result = await s.client.getPrompt({ name, arguments: prompt.get });
        assert.deepEqual(result.messages, prompt.messages);
    });
}

check('prompts/get without a required argument gives -32602', async s => {
    await expectError(
        s.client.getPrompt({ name: 'test_prompt_with_arguments', arguments: { arg1: 'only one' } }),
        INVALID_PARAMS,
        'prompts/get'
    );
});

check('completion/complete', async s => {
    const result = await s.client.complete({
        ref: { type: 'ref/prompt', name: 'test_prompt_with_arguments' },
        argument: { name: 'arg1', value: 'test' }
    });
    assert.ok(Array.isArray(result.completion?.values), `completion.values is not an array: ${JSON.stringify(result)}`);
});

check('tools/call of an unknown tool gives -32602', async s => {
    await expectError(s.client.callTool({ name: 'no_such_tool', arguments: {} }), INVALID_PARAMS, 'tools/call');
});

check('echo round-trips unicode', async s => {
    const value = 'Grüße, 世界! 🦀 \u2028 line\nbreak "quoted" \\ tab\t é (e + combining acute)';
    const result = await s.client.callTool({ name: 'echo', arguments: { text: value } });
    assert.equal(onlyText(result, 'result'), value);
});

check('cancellation: an aborted call rejects at once and the server stays usable', async s => {
    const controller = new AbortController();
    const onWire = s.tap.sent(m => m.method === 'tools/call' && m.params?.name === 'slow');
    const call = s.client.callTool({ name: 'slow', arguments: { ms: 60_000 } }, undefined, { signal: controller.signal });
    const request = await onWire;
    const aborted = performance.now();
    controller.abort('the interop client gives up');
    await assert.rejects(call, 'the aborted call resolved');
    const rejectedAfter = performance.now() - aborted;
    assert.ok(rejectedAfter < 500, `the aborted call took ${rejectedAfter.toFixed(0)} ms to reject`);
    const cancelled = s.tap.lastRequest('notifications/cancelled');
    assert.equal(cancelled?.params?.requestId, request.id, 'the SDK sent no notifications/cancelled for the call');

    const started = performance.now();
    const echo = await within(1_000, s.client.callTool({ name: 'echo', arguments: { text: 'still here' } }), 'echo after cancel');
    assert.equal(onlyText(echo, 'echo'), 'still here');
    const took = performance.now() - started;
    assert.ok(took < 1_000, `echo after the cancellation took ${took.toFixed(0)} ms`);
    // Answered after the echo means not answered at all on an ordered
    // transport; the spec asks servers not to answer a cancelled request.
    const late = s.tap.responseTo(request.id);
    assert.equal(late, undefined, `the server answered the cancelled request: ${JSON.stringify(late)}`);
});

check('the SDK reported no protocol errors', async s => {
    const explained = new Set(lateProgressDrops(s.sdkErrors, s.log).map(drop => drop.error));
    const unexplained = s.sdkErrors.filter(error => !explained.has(error));
    assert.deepEqual(unexplained, [], 'errors the SDK client reported through onerror');
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
    'stdio'
);

check(
    'closing the client ends the session',
    async s => {
        await s.transport.terminateSession();
        await s.client.close();
    },
    'http'
);

await runChecks({
    script: 'stdio-client.mjs',
    revision: '2025-11-25',
    runTimeoutMs: RUN_TIMEOUT_MS,
    JsonRpcError: McpError,
    newSession: target => new Session(target),
    checks
});
