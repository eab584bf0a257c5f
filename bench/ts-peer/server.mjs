// ts-peer: the benchmark's reference point for the official TypeScript SDK.
//
// An MCP server over stdio with the three tools the benchmark drives (`echo`,
// `ask_client`, `emit_notifications`), written the way the SDK's docs show:
// `McpServer.registerTool` with zod input schemas, connected to a
// `StdioServerTransport`. Nothing here is tuned; the point is to measure what an
// SDK user gets out of the box. Plain JavaScript (ES modules) so no compile step
// stands between the pinned packages and the process being measured.

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer(
  { name: 'ts-peer', version: '0.0.0' },
  // `emit_notifications` sends `notifications/message`, which the SDK only
  // allows once the server has declared the logging capability.
  { capabilities: { logging: {} } },
);

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

await server.connect(new StdioServerTransport());
