// ts-peer: the benchmark's reference point for the official TypeScript SDK.
//
// An MCP server over stdio with the three tools the benchmark drives (`echo`,
// `ask_client`, `emit_notifications`), written the way the SDK's docs show:
// `McpServer.registerTool` with zod input schemas, connected to a
// `StdioServerTransport`. Nothing here is tuned; the point is to measure what an
// SDK user gets out of the box. Plain JavaScript (ES modules) so no compile step
// stands between the pinned packages and the process being measured.
//
// `--http ADDRESS` (`127.0.0.1:0` lets the OS choose the port) serves the same
// tools over Streamable HTTP instead, for the `echo-http` scenario, the way the
// SDK's stateful example does: one `StreamableHTTPServerTransport` with a
// `sessionIdGenerator`, and its own `McpServer`, per session, here on
// `node:http` since the transport needs nothing more. The bound address is
// logged on stderr as `http://ADDRESS/mcp`, which is where the harness reads it.

import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

/** A server with the benchmark's tools. An `McpServer` serves one transport,
 * so HTTP builds one per session. */
function benchServer() {
  const server = new McpServer(
    { name: 'ts-peer', version: '0.0.0' },
    // `emit_notifications` sends `notifications/message`, which the SDK only
    // allows once the server has declared the logging capability.
    { capabilities: { logging: {} } },
  );
  registerTools(server);
  return server;
}

function registerTools(server) {
  server.registerTool(
    'echo',
    { description: 'Returns its text argument as text content', inputSchema: { text: z.string() } },
    async ({ text }) => ({ content: [{ type: 'text', text }] }),
  );

  server.registerTool(
    'ask_client',
    {
      description: 'Sends `count` elicitation requests to the client at once and counts the answers',
      inputSchema: { count: z.number().int().nonnegative() },
    },
    async ({ count }, extra) => {
      const requestedSchema = { type: 'object', properties: { answer: { type: 'string' } } };
      // Every request is started before any is awaited, so all are in flight at
      // once, which is what the scenario measures.
      const asks = [];
      for (let i = 0; i < count; i++) {
        asks.push(
          server.server.elicitInput(
            { mode: 'form', message: `question ${i}`, requestedSchema },
            { relatedRequestId: extra.requestId },
          ),
        );
      }
      const tally = { accept: 0, decline: 0, cancel: 0, errors: 0 };
      for (const outcome of await Promise.allSettled(asks)) {
        if (outcome.status === 'fulfilled' && outcome.value.action in tally) {
          tally[outcome.value.action] += 1;
        } else {
          tally.errors += 1;
        }
      }
      const text = `accepted=${tally.accept} declined=${tally.decline} cancelled=${tally.cancel} errors=${tally.errors}`;
      return { content: [{ type: 'text', text }] };
    },
  );

  server.registerTool(
    'emit_notifications',
    {
      description: 'Sends `count` info log notifications, then reports how many were sent and dropped',
      inputSchema: { count: z.number().int().nonnegative() },
      outputSchema: { requested: z.number(), sent: z.number(), dropped: z.number() },
    },
    async ({ count }, extra) => {
      let sent = 0;
      let dropped = 0;
      for (let i = 0; i < count; i++) {
        // Awaiting each send is the SDK's back-pressure: the stdio transport
        // resolves once the write is accepted or, when stdout is full, on 'drain'.
        try {
          await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', data: i } });
          sent += 1;
        } catch {
          dropped += 1;
        }
      }
      const structuredContent = { requested: count, sent, dropped };
      return { content: [{ type: 'text', text: String(count) }], structuredContent };
    },
  );
}

/** JSON-RPC error bodies for requests that reach no session; `id` is null
 * because the request's own id is not looked at. */
function refuse(res, status, message) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

/** Reads a request body whole and parses it as JSON, as `express.json()` does
 * for the SDK's examples; `undefined` when the body is not JSON (the transport
 * then answers the parse error itself). */
async function jsonBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

async function serveHttp(address) {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon);
  const port = Number(address.slice(colon + 1));
  /** Open sessions' transports, by session id. */
  const sessions = new Map();
  const http = createServer(async (req, res) => {
    try {
      if (new URL(req.url, 'http://host').pathname !== '/mcp') {
        return refuse(res, 404, 'Not found: the MCP endpoint is /mcp');
      }
      const sessionId = req.headers['mcp-session-id'];
      const body = req.method === 'POST' ? await jsonBody(req) : undefined;
      if (sessionId !== undefined) {
        const transport = sessions.get(sessionId);
        if (transport === undefined) return refuse(res, 404, 'Session not found');
        return await transport.handleRequest(req, res, body);
      }
      if (req.method !== 'POST' || !isInitializeRequest(body)) {
        return refuse(res, 400, 'Bad Request: no session id, and not an initialize request');
      }
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        // Registered here, before the answer to `initialize` can reach the
        // client, so its next request always finds the session.
        onsessioninitialized: (id) => sessions.set(id, transport),
      });
      transport.onclose = () => sessions.delete(transport.sessionId);
      await benchServer().connect(transport);
      await transport.handleRequest(req, res, body);
    } catch (error) {
      console.error('ts-peer: error handling an HTTP request:', error);
      if (!res.headersSent) refuse(res, 500, 'Internal error');
    }
  });
  await new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, resolve);
  });
  const bound = http.address();
  console.error(`ts-peer serves MCP over Streamable HTTP at http://${bound.address}:${bound.port}/mcp`);
}

const args = process.argv.slice(2);
if (args.length === 0) {
  await benchServer().connect(new StdioServerTransport());
} else if (args.length === 2 && args[0] === '--http') {
  await serveHttp(args[1]);
} else {
  console.error('usage: server.mjs [--http HOST:PORT]');
  process.exit(2);
}
