// What the two interop clients share: the content the conformance fixtures
// must return, the helpers their checks use, and the runner that prints a
// line a check. `stdio-client.mjs` (SDK 1.x, 2025-11-25) and
// `modern-client.mjs` (SDK 2.x, 2026-07-28) import it; `cargo xtask interop`
// copies it beside them. Nothing here imports an SDK, so each client passes
// its own SDK's JSON-RPC error class where one is needed.

import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';

/** How long one check may take before it counts as hung; the slowest healthy one takes well under a second. */
export const CHECK_TIMEOUT_MS = 10_000;

export const TEST_IMAGE_BASE64 =
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
export const TEST_AUDIO_BASE64 = 'UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=';
export const image = { type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' };
export const text = value => ({ type: 'text', text: value });

/** Each constant fixture tool and the exact content it must return, the same in both eras. */
export const CONSTANT_TOOLS = {
    test_simple_text: [text('This is a simple text response for testing.')],
    test_image_content: [image],
    test_audio_content: [{ type: 'audio', data: TEST_AUDIO_BASE64, mimeType: 'audio/wav' }],
    test_embedded_resource: [
        {
            type: 'resource',
            resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' }
        }
    ],
    test_multiple_content_types: [
        text('Multiple content types test:'),
        image,
        {
            type: 'resource',
            resource: { uri: 'test://mixed-content-resource', mimeType: 'application/json', text: '{"test":"data","value":123}' }
        }
    ]
};

// ---------------------------------------------------------------------------
// Helpers of the checks.

/** Rejects if `promise` does not settle within `ms`. */
export function within(ms, promise, what) {
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The one text block of a tool result. */
export function onlyText(result, what) {
    assert.ok(!result.isError, `${what}: isError is set: ${JSON.stringify(result)}`);
    assert.equal(result.content?.length, 1, `${what}: expected one content block, got ${JSON.stringify(result.content)}`);
    assert.equal(result.content[0].type, 'text', `${what}: expected a text block, got ${JSON.stringify(result.content[0])}`);
    return result.content[0].text;
}

/**
 * The progress notifications the SDK refused as "unknown token" (in
 * `sdkErrors`, what it reported through `onerror`) although the server sent
 * them before the response to their request (in `log`, the messages both ways).
 *
 * The SDK (typescript-sdk#2580, open for v1 and v2) handles a response at once
 * but a notification a microtask later, so when the last progress notification
 * and the response arrive in one read, the response retires the progress
 * handler first. Only drops that the raw messages prove were sent in time
 * count here; progress that really came after the response stays an error.
 */
export function lateProgressDrops(sdkErrors, log) {
    const prefix = 'Error: Received a progress notification for an unknown token: ';
    return sdkErrors.flatMap(error => {
        if (!error.startsWith(prefix)) {
            return [];
        }
        let notification;
        try {
            notification = JSON.parse(error.slice(prefix.length));
        } catch {
            return [];
        }
        const token = notification.params?.progressToken;
        const sentAt = log.findIndex(
            e =>
                e.direction === '<-' &&
                e.message.method === 'notifications/progress' &&
                e.message.params?.progressToken === token &&
                e.message.params?.progress === notification.params?.progress
        );
        const answeredAt = log.findIndex(e => e.direction === '<-' && e.message.method === undefined && e.message.id === token);
        return sentAt !== -1 && answeredAt !== -1 && sentAt < answeredAt ? [{ token, error }] : [];
    });
}

/**
 * The checks on a `test_tool_with_progress` call once its `result` is in:
 * `request` is the call as sent, `from` where its messages start in
 * `s.log`, and `delivered` what the SDK's `onprogress` got (`atResult` of
 * them by the time the result arrived). The server must send at least 3
 * non-decreasing progress notifications with the request's token before the
 * result, which echoes the token.
 */
export function assertProgressBeforeResult(s, { from, request, result, delivered, atResult }) {
    const token = request.params._meta?.progressToken;
    assert.ok(token !== undefined, 'the SDK sent no progressToken');
    // What the server did, from the raw messages: SDK 1.x matches tokens with
    // Number(), so only these show whether the token kept its type.
    const log = s.log.slice(from);
    const answeredAt = log.findIndex(e => e.direction === '<-' && e.message.id === request.id && !e.message.method);
    const sent = log.filter(e => e.direction === '<-' && e.message.method === 'notifications/progress');
    for (const { message } of sent) {
        assert.strictEqual(
            message.params.progressToken,
            token,
            `progress token ${JSON.stringify(message.params.progressToken)} is not the request's ${JSON.stringify(token)}`
        );
    }
    const before = sent.filter(e => log.indexOf(e) < answeredAt).map(e => e.message.params);
    assert.ok(
        before.length >= 3,
        `the server sent ${before.length} progress notifications before the result: ${JSON.stringify(before)}`
    );
    for (let i = 1; i < before.length; i++) {
        assert.ok(before[i].progress >= before[i - 1].progress, `progress decreased: ${JSON.stringify(before)}`);
    }
    // What the SDK delivered: everything sent before the result, except what
    // its own race drops (see `lateProgressDrops`), which no server can avoid.
    const dropped = lateProgressDrops(s.sdkErrors, s.log).filter(drop => drop.token === token).length;
    assert.equal(
        atResult + dropped,
        before.length,
        `onprogress got ${atResult} of the ${before.length} progress notifications sent before the result: ` +
            JSON.stringify(delivered)
    );
    if (dropped > 0) {
        s.note(
            `the SDK dropped ${dropped} of ${before.length} progress notifications that arrived in the same read as the ` +
                `response (typescript-sdk#2580); the server sent all of them before the result`
        );
    }
    assert.equal(onlyText(result, 'result'), String(token), 'the result text is not the progress token');
}

// ---------------------------------------------------------------------------
// The runner.

/**
 * Runs `checks` (`{ name, run, only, gate }`, in order) against the target
 * named on the command line, printing `ok  <name>` or `FAIL <name>: <why>`
 * per check, then a summary, and exits 1 if any check failed.
 *
 * - `newSession(target)` makes the session every check gets: it has `kind`
 *   (`'stdio'` or `'http'`, what `only` is compared with), `log` (every message
 *   both ways, `{ direction, message }`), `notes` (remarks the running check
 *   makes without failing) and `serverStderr` (the server's last lines).
 * - A failing `gate` skips the checks after it (`skip <name>`): they could only
 *   repeat its failure.
 * - `JsonRpcError` is the SDK's class of JSON-RPC errors, described by code.
 * - `runTimeoutMs` is the whole run's backstop, so a wedged server never hangs CI.
 */
export async function runChecks({ script, revision, runTimeoutMs, JsonRpcError, newSession, checks }) {
    const target = process.argv[2];
    if (!target) {
        process.stderr.write(`usage: node ${script} <mcpwire binary | http(s) URL of its MCP endpoint>\n`);
        process.exit(2);
    }
    const explain = error => describe(error, JsonRpcError);
    // A check that timed out leaves its request pending; if it fails later,
    // say so instead of letting Node end the run on an unhandled rejection.
    process.on('unhandledRejection', error => {
        process.stdout.write(`note: a request of a timed-out check failed later: ${explain(error)}\n`);
    });
    setTimeout(() => {
        process.stdout.write(`FAIL the run did not finish within ${runTimeoutMs / 1000} s\n`);
        process.exit(1);
    }, runTimeoutMs).unref();

    const started = performance.now();
    const session = newSession(target);
    let passed = 0;
    const failed = [];
    /** The name of the gate that failed, if one did. */
    let closedBy;
    for (const { name, run, only, gate } of checks) {
        if (only && only !== session.kind) {
            continue;
        }
        if (closedBy) {
            process.stdout.write(`skip ${name}\n`);
            continue;
        }
        const from = session.log.length;
        session.notes = [];
        try {
            await within(CHECK_TIMEOUT_MS, run(session), name);
            passed += 1;
            process.stdout.write(`ok  ${name}\n`);
        } catch (error) {
            failed.push(name);
            closedBy = gate ? name : undefined;
            process.stdout.write(`FAIL ${name}: ${explain(error)}\n`);
            const exchanged = wireLog(session.log.slice(from));
            if (exchanged.length > 0) {
                process.stdout.write(`     exchanged:\n${indent(exchanged.join('\n'), '       ')}\n`);
            }
        }
        for (const note of session.notes) {
            process.stdout.write(`     note: ${note}\n`);
        }
        if (closedBy === name) {
            process.stdout.write('     the checks below depend on this one, so they are skipped\n');
        }
    }
    if (failed.length > 0 && session.serverStderr.length > 0) {
        process.stdout.write(`server stderr (last lines):\n${indent(session.serverStderr.join('\n'), '  ')}\n`);
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const summary = `interop at ${revision} over ${session.kind}: ${passed} passed, ${failed.length} failed in ${seconds} s`;
    process.stdout.write(`\n${summary}\n`);
    if (failed.length > 0) {
        process.stdout.write(`failed: ${failed.join('; ')}\n`);
    }
    // The transport may still hold handles (a killed child, an HTTP agent);
    // the verdict is final, so don't wait for them.
    process.exit(failed.length === 0 ? 0 : 1);
}

/** The text of a failure: the assertion's first line, and for a comparison what was got and what was expected. */
function describe(error, JsonRpcError) {
    if (error instanceof JsonRpcError) {
        const data = error.data === undefined ? '' : ` ${clip(JSON.stringify(error.data))}`;
        return `JSON-RPC error ${error.code}: ${error.message}${data}`;
    }
    if (!(error instanceof assert.AssertionError)) {
        return error instanceof Error ? error.message : String(error);
    }
    const [first, ...rest] = error.message.split('\n');
    if (error.operator !== 'deepStrictEqual' && error.operator !== 'strictEqual') {
        return [first, ...rest.map(line => `      ${line}`)].join('\n');
    }
    // Node's diff of big values is long and partial; the values themselves say more.
    const got = clip(JSON.stringify(error.actual));
    const expected = clip(JSON.stringify(error.expected));
    return `${first}\n      got:      ${got}\n      expected: ${expected}`;
}

/** `value`, cut short if it would drown the report. */
function clip(value, limit = 600) {
    return value === undefined || value.length <= limit ? value : `${value.slice(0, limit)}… (${value.length} chars)`;
}

function indent(value, prefix) {
    return value
        .split('\n')
        .map(line => prefix + line)
        .join('\n');
}

/** What a failing check exchanged, one message a line, each cut short. */
function wireLog(entries) {
    const lines = entries.slice(-12).map(({ direction, message }) => `${direction} ${clip(JSON.stringify(message), 400)}`);
    if (entries.length > 12) {
        lines.unshift(`(${entries.length - 12} earlier messages left out)`);
    }
    return lines;
}
