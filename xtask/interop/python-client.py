"""The official MCP Python SDK client (`mcp`, pinned in `requirements.txt`)
against mcpwire, in both eras of MCP. `cargo xtask interop` installs the pin
into a virtual environment and runs this file four times: over stdio and over
Streamable HTTP, each with version negotiation `auto` (the SDK probes
`server/discover`, so it must end up at 2026-07-28: stateless requests,
input-required rounds, `subscriptions/listen`) and `legacy` (the `initialize`
handshake, at 2025-11-25, with server-to-client requests).

    python python-client.py <path to the mcpwire binary | http(s)://host:port/mcp> <auto | legacy>

Every check goes through the SDK's public `Client` API. Prints `ok  <name>` or
`FAIL <name>: <why>` per check, then a summary, and exits 1 if any failed.
"""

from __future__ import annotations

import sys
import traceback
from importlib import metadata
from collections.abc import Awaitable, Callable

import anyio
import mcp_types as types
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.subscriptions import ToolsListChanged
from mcp.shared.exceptions import MCPError

# The version each mode must end up at.
EXPECTED_VERSION = {"auto": "2026-07-28", "legacy": "2025-11-25"}
# The whole run's backstop, so a wedged server can never hang CI.
RUN_TIMEOUT_S = 60
# What the client's handlers answer.
USER_NAME = "Alice"
FAVOURITE_COLOUR = "blue"
SAMPLING_REPLY = "The capital of France is Paris."


def only_text(result: types.CallToolResult | types.GetPromptResult) -> str:
    """The text of a result that must hold exactly one text block."""
    if isinstance(result, types.GetPromptResult):
        blocks = [message.content for message in result.messages]
    else:
        assert not result.is_error, f"the tool failed: {result.content}"
        blocks = result.content
    assert len(blocks) == 1 and isinstance(blocks[0], types.TextContent), f"expected one text block: {blocks}"
    return blocks[0].text


class Run:
    """The checks of one connection, with what its handlers saw."""

    def __init__(self, client: Client, mode: str) -> None:
        self.client = client
        self.mode = mode
        self.modern = mode == "auto"
        self.passed = 0
        self.failures = 0

    async def check(self, name: str, body: Callable[[], Awaitable[None]]) -> None:
        try:
            with anyio.fail_after(10):
                await body()
        except Exception as error:  # noqa: BLE001 - every failure is reported, then the next check runs
            self.failures += 1
            detail = "".join(traceback.format_exception_only(type(error), error)).strip()
            print(f"FAIL {name}: {detail}", flush=True)
        else:
            self.passed += 1
            print(f"ok   {name}", flush=True)


async def elicit(_context: object, params: types.ElicitRequestParams) -> types.ElicitResult:
    """Accept with the fields the form asks for, from a fixed set of answers."""
    answers = {"name": USER_NAME, "color": FAVOURITE_COLOUR, "response": USER_NAME}
    fields = list((getattr(params, "requested_schema", None) or {}).get("properties", {}))
    return types.ElicitResult(action="accept", content={field: answers.get(field, USER_NAME) for field in fields})


async def sample(_context: object, _params: types.CreateMessageRequestParams) -> types.CreateMessageResult:
    return types.CreateMessageResult(
        role="assistant",
        content=types.TextContent(type="text", text=SAMPLING_REPLY),
        model="interop-model",
        stop_reason="endTurn",
    )


async def checks(run: Run) -> None:
    client = run.client

    async def negotiated() -> None:
        assert client.protocol_version == EXPECTED_VERSION[run.mode], f"negotiated {client.protocol_version}"
        assert client.server_info is not None and client.server_info.name == "mcpwire", f"{client.server_info}"

    async def tools_listed() -> None:
        names = {tool.name for tool in (await client.list_tools()).tools}
        wanted = {"echo", "test_simple_text", "test_tool_with_progress"}
        wanted |= (
            {"test_input_required_result_elicitation", "test_input_required_result_sampling"}
            if run.modern
            else {"test_elicitation", "test_sampling"}
        )
        assert wanted <= names, f"missing {sorted(wanted - names)}"

    async def echo() -> None:
        text = "hello from the Python SDK, ünïcødé"
        assert only_text(await client.call_tool("echo", {"text": text})) == text

    async def simple_text() -> None:
        result = await client.call_tool("test_simple_text", {})
        assert only_text(result) == "This is a simple text response for testing."

    async def tool_error() -> None:
        result = await client.call_tool("test_error_handling", {})
        assert result.is_error, f"expected isError: {result}"

    async def unknown_tool() -> None:
        try:
            await client.call_tool("no_such_tool", {})
        except MCPError as error:
            assert error.error.code == types.INVALID_PARAMS, f"code {error.error.code}"
        else:
            raise AssertionError("calling an unknown tool did not fail")

    async def progress() -> None:
        seen: list[float] = []

        async def on_progress(value: float, _total: float | None, _message: str | None) -> None:
            seen.append(value)

        await client.call_tool("test_tool_with_progress", {}, progress_callback=on_progress)
        assert len(seen) >= 1 and seen == sorted(seen), f"progress seen: {seen}"

    async def resource() -> None:
        contents = (await client.read_resource("test://static-text")).contents
        assert len(contents) == 1 and contents[0].text == "This is the content of the static text resource."

    async def prompt() -> None:
        assert only_text(await client.get_prompt("test_simple_prompt")) == "This is a simple prompt for testing."

    async def elicitation() -> None:
        if run.modern:
            result = await client.call_tool("test_input_required_result_elicitation", {})
            assert only_text(result) == f"Hello, {USER_NAME}!"
        else:
            result = await client.call_tool("test_elicitation", {"message": "Who are you?"})
            assert only_text(result).startswith("User response: action=accept"), only_text(result)

    async def sampling() -> None:
        if run.modern:
            result = await client.call_tool("test_input_required_result_sampling", {})
            assert only_text(result) == f"Sampling result: {SAMPLING_REPLY}"
        else:
            result = await client.call_tool("test_sampling", {"prompt": "What is the capital of France?"})
            assert only_text(result) == f"LLM response: {SAMPLING_REPLY}"

    async def multi_round() -> None:
        result = await client.call_tool("test_input_required_result_multi_round", {})
        assert only_text(result) == f"Multi-round complete for {USER_NAME} who likes {FAVOURITE_COLOUR}"

    async def listen() -> None:
        async with client.listen(tools_list_changed=True) as subscription:
            trigger = await client.call_tool("test_trigger_tool_change", {})
            assert not trigger.is_error, f"test_trigger_tool_change failed: {trigger.content}"
            event = await subscription.__anext__()
            assert isinstance(event, ToolsListChanged), f"expected tools/list_changed, got {event!r}"

    for name, body in [
        ("negotiated version and server name", negotiated),
        ("tools/list", tools_listed),
        ("tools/call echo", echo),
        ("tools/call test_simple_text", simple_text),
        ("a tool's error is a result with isError", tool_error),
        ("an unknown tool is -32602", unknown_tool),
        ("progress arrives in order", progress),
        ("resources/read", resource),
        ("prompts/get", prompt),
        ("elicitation", elicitation),
        ("sampling", sampling),
    ]:
        await run.check(name, body)
    if run.modern:
        await run.check("input required over several rounds", multi_round)
        await run.check("subscriptions/listen hears tools/list_changed", listen)


async def main(target: str, mode: str) -> int:
    server: StdioServerParameters | str
    server = target if target.startswith(("http://", "https://")) else StdioServerParameters(command=target, args=[])
    client_version = f"mcp {metadata.version('mcp')}"
    print(f"# {client_version}, mode {mode}, against {target}", flush=True)
    with anyio.fail_after(RUN_TIMEOUT_S):
        async with Client(server, mode=mode, elicitation_callback=elicit, sampling_callback=sample) as client:
            run = Run(client, mode)
            await checks(run)
    print(f"# Python SDK, mode {mode} ({client_version}): {run.passed} passed, {run.failures} failed", flush=True)
    return 1 if run.failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[2] not in EXPECTED_VERSION:
        sys.exit(__doc__)
    sys.exit(anyio.run(main, sys.argv[1], sys.argv[2]))
