//! Tools: a definition and the handler that runs it.
//!
//! A typed tool derives its `inputSchema` (and, for structured output, its
//! `outputSchema`) from Rust types with `schemars`; a raw tool carries the
//! schema its author wrote, byte for byte. Either way a failing tool answers
//! with an `isError: true` result, as MCP asks, and arguments that do not fit
//! the tool are such a failure too; [`HandlerError::protocol`] opts out and
//! answers with a JSON-RPC error instead.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use mcpwire_protocol::types::{CallToolResult, ContentBlock, JsonObject, TaskSupport, Tool, ToolSchema};
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{HandlerError, RequestContext};

/// A boxed, sendable future: what every stored handler returns.
pub(crate) type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// A stored tool handler: the call's arguments (`None` when the client sent
/// none) and its context in, the future of its result out.
pub(crate) type ToolFn =
    dyn Fn(Option<JsonObject>, RequestContext) -> BoxFuture<Result<CallToolResult, HandlerError>> + Send + Sync;

/// What a tool handler's `Ok` may carry: a `String`, a content block or
/// several, a [`Structured`] value, or a whole `CallToolResult`. Handlers
/// return `Result<_, HandlerError>`, so inside a closure `Ok(...)` and `?`
/// need no type annotations.
pub trait IntoToolResult {
    /// The result to send.
    fn into_tool_result(self) -> CallToolResult;

    /// The `outputSchema` results of this type follow, for a tool's
    /// definition: only [`Structured`] output has one.
    fn output_schema() -> Option<ToolSchema> {
        None
    }
}

impl IntoToolResult for CallToolResult {
    fn into_tool_result(self) -> CallToolResult {
        self
    }
}

impl IntoToolResult for String {
    fn into_tool_result(self) -> CallToolResult {
        CallToolResult::text(self)
    }
}

impl IntoToolResult for &'static str {
    fn into_tool_result(self) -> CallToolResult {
        CallToolResult::text(self)
    }
}

impl IntoToolResult for ContentBlock {
    fn into_tool_result(self) -> CallToolResult {
        CallToolResult { content: vec![self], ..CallToolResult::default() }
    }
}

impl IntoToolResult for Vec<ContentBlock> {
    fn into_tool_result(self) -> CallToolResult {
        CallToolResult { content: self, ..CallToolResult::default() }
    }
}

/// Structured output: `structuredContent` is the value, and a text block
/// carries the same JSON for clients that predate structured output. A tool
/// whose handler returns it gets its `outputSchema` from `T`.
#[derive(Debug, Clone)]
pub struct Structured<T>(pub T);

impl<T: Serialize + JsonSchema> IntoToolResult for Structured<T> {
    fn into_tool_result(self) -> CallToolResult {
        match serde_json::to_value(&self.0) {
            Ok(value) => CallToolResult {
                content: vec![ContentBlock::text(value.to_string())],
                structured_content: Some(value),
                ..CallToolResult::default()
            },
            Err(error) => CallToolResult::error(format!("the tool's output could not be serialised: {error}")),
        }
    }

    fn output_schema() -> Option<ToolSchema> {
        Some(schema_of::<T>())
    }
}

/// A tool's definition together with its handler, ready to register.
#[derive(Clone)]
pub struct ToolRoute {
    pub(crate) tool: Tool,
    pub(crate) handler: Arc<ToolFn>,
    /// Arguments the schema mirrors in HTTP headers (`x-mcp-header`,
    /// 2026-07-28), as (argument, header name lower-cased): read once here
    /// rather than from the schema on every call.
    pub(crate) mirrored: Arc<[(String, String)]>,
    /// Whether a call may run as a task (see [`ToolRoute::task_support`]).
    pub(crate) task_support: TaskSupport,
    /// Question keys answered in input-required rounds before a task is
    /// created (see [`ToolRoute::ask_before_task`]).
    pub(crate) ask_before_task: Arc<[String]>,
}

impl fmt::Debug for ToolRoute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ToolRoute").field("tool", &self.tool).finish_non_exhaustive()
    }
}

impl ToolRoute {
    /// A tool that takes no arguments; its `inputSchema` is an object with
    /// no properties, and its handler gets only the request's context.
    ///
    /// ```
    /// use mcpwire_server::ToolRoute;
    /// use mcpwire_server::protocol::types::Tool;
    ///
    /// let route = ToolRoute::new(Tool::new("now", "The server's time"), |_ctx| async { Ok("12:00".to_owned()) });
    /// assert_eq!(route.tool().input_schema.as_str(), r#"{"type":"object","properties":{}}"#);
    /// ```
    pub fn new<F, Fut, R>(mut tool: Tool, handler: F) -> Self
    where
        F: Fn(RequestContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, HandlerError>> + Send + 'static,
        R: IntoToolResult,
    {
        tool.input_schema = ToolSchema::from_json(r#"{"type":"object","properties":{}}"#).expect("an object schema");
        if tool.output_schema.is_none() {
            tool.output_schema = R::output_schema();
        }
        Self::from_fn(tool, move |_arguments, ctx| {
            let future = handler(ctx);
            async move { future.await.map(IntoToolResult::into_tool_result) }
        })
    }

    /// A tool whose arguments deserialise into `A`; its `inputSchema` is
    /// derived from `A` and replaces whatever `tool` had, and, when the
    /// handler returns [`Structured`] output, its `outputSchema` too.
    /// Arguments that do not fit `A` produce an `isError` result without
    /// calling the handler.
    ///
    /// ```
    /// use mcpwire_server::ToolRoute;
    /// use mcpwire_server::protocol::types::Tool;
    /// use mcpwire_server::schemars;
    ///
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// struct Add {
    ///     a: i64,
    ///     b: i64,
    /// }
    ///
    /// let route = ToolRoute::typed(Tool::new("add", "Add two integers"), |args: Add, _ctx| async move {
    ///     Ok((args.a + args.b).to_string())
    /// });
    /// assert!(route.tool().input_schema.as_str().contains("\"a\""));
    /// ```
    pub fn typed<A, F, Fut, R>(mut tool: Tool, handler: F) -> Self
    where
        A: DeserializeOwned + JsonSchema + Send + 'static,
        F: Fn(A, RequestContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, HandlerError>> + Send + 'static,
        R: IntoToolResult,
    {
        tool.input_schema = schema_of::<A>();
        if tool.output_schema.is_none() {
            tool.output_schema = R::output_schema();
        }
        let handler = Arc::new(handler);
        Self::from_fn(tool, move |arguments: Option<JsonObject>, ctx| {
            let parsed = serde_json::from_value::<A>(Value::Object(arguments.unwrap_or_default()));
            let handler = Arc::clone(&handler);
            async move {
                let args = match parsed {
                    Ok(args) => args,
                    Err(error) => return Ok(CallToolResult::error(format!("invalid arguments: {error}"))),
                };
                handler(args, ctx).await.map(IntoToolResult::into_tool_result)
            }
        })
    }

    /// A typed tool with structured output: `outputSchema` is derived from
    /// `O`, and each result carries the value as `structuredContent`. The same
    /// as [`typed`](Self::typed) with a handler that returns
    /// [`Structured`]`(value)`.
    pub fn structured<A, O, F, Fut>(tool: Tool, handler: F) -> Self
    where
        A: DeserializeOwned + JsonSchema + Send + 'static,
        O: Serialize + JsonSchema + Send + 'static,
        F: Fn(A, RequestContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<O, HandlerError>> + Send + 'static,
    {
        let handler = Arc::new(handler);
        Self::typed(tool, move |args: A, ctx| {
            let handler = Arc::clone(&handler);
            async move { handler(args, ctx).await.map(Structured) }
        })
    }

    /// A tool whose schema is passed through verbatim and whose handler gets
    /// the arguments as a JSON object (`{}` when the client sent none).
    pub fn raw<F, Fut, R>(tool: Tool, handler: F) -> Self
    where
        F: Fn(JsonObject, RequestContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, HandlerError>> + Send + 'static,
        R: IntoToolResult,
    {
        Self::from_fn(tool, move |arguments: Option<JsonObject>, ctx| {
            let future = handler(arguments.unwrap_or_default(), ctx);
            async move { future.await.map(IntoToolResult::into_tool_result) }
        })
    }

    fn from_fn<F, Fut>(tool: Tool, handler: F) -> Self
    where
        F: Fn(Option<JsonObject>, RequestContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<CallToolResult, HandlerError>> + Send + 'static,
    {
        let mirrored = mirrored_headers(&tool);
        Self {
            tool,
            handler: Arc::new(move |arguments, ctx| Box::pin(handler(arguments, ctx))),
            mirrored,
            task_support: TaskSupport::Forbidden,
            ask_before_task: Arc::new([]),
        }
    }

    /// Let calls of this tool run as tasks, which outlive their request: the
    /// client gets a handle at once and polls for the result, and the
    /// handler, unchanged, runs in the background (its questions, such as
    /// `ctx.elicit(...)`, then reach the client through the task).
    ///
    /// `Optional`: a call becomes a task when the client can take one (in
    /// 2026-07-28 its request declares the `io.modelcontextprotocol/tasks`
    /// extension; in 2025-11-25 it sends `params.task`), and runs as an
    /// ordinary call otherwise. `Required`: a call that cannot become a task
    /// is refused (-32021 naming the extension in 2026-07-28, -32601 in
    /// 2025-11-25). `Forbidden`, the default: never a task.
    ///
    /// ```
    /// use mcpwire_protocol::types::{TaskSupport, Tool};
    /// use mcpwire_server::{HandlerError, ToolRoute};
    ///
    /// let route = ToolRoute::raw(Tool::new("report", "Builds the monthly report"), |_args, _ctx| async {
    ///     Ok::<_, HandlerError>("done")
    /// })
    /// .task_support(TaskSupport::Optional);
    /// ```
    #[must_use]
    pub fn task_support(mut self, support: TaskSupport) -> Self {
        self.task_support = support;
        self
    }

    /// Questions to settle before the call becomes a task (2026-07-28): as
    /// long as the request has not answered every key listed, the call runs
    /// as an ordinary request, whose questions end it with an input-required
    /// result; the retry that carries the answers becomes the task, and the
    /// handler, run again from the start, finds those answers at once. For
    /// a tool that must ask before it is worth starting (a confirmation).
    #[must_use]
    pub fn ask_before_task<K: Into<String>>(mut self, keys: impl IntoIterator<Item = K>) -> Self {
        self.ask_before_task = keys.into_iter().map(Into::into).collect();
        self
    }

    /// The tool's definition, as `tools/list` shows it.
    pub fn tool(&self) -> &Tool {
        &self.tool
    }

    /// The same route with its definition changed, e.g. to add a title,
    /// annotations or icons to a typed tool.
    #[must_use]
    pub fn map_tool(mut self, change: impl FnOnce(Tool) -> Tool) -> Self {
        self.tool = change(self.tool);
        self.mirrored = mirrored_headers(&self.tool);
        self
    }
}

/// The top-level arguments whose schema names an `x-mcp-header`: a client
/// sends their values again as `Mcp-Param-<name>` headers (2026-07-28).
fn mirrored_headers(tool: &Tool) -> Arc<[(String, String)]> {
    let schema = tool.input_schema.to_value();
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else { return Arc::new([]) };
    properties
        .iter()
        .filter_map(|(argument, property)| {
            let header = property.get("x-mcp-header")?.as_str()?;
            Some((argument.clone(), header.to_ascii_lowercase()))
        })
        .collect()
}

/// The JSON Schema of `T`, as JSON Schema 2020-12 (MCP's default dialect from
/// 2025-11-25). Tool schemas must be objects at the root; a Rust struct is.
fn schema_of<T: JsonSchema>() -> ToolSchema {
    let schema = schemars::SchemaGenerator::default().into_root_schema_for::<T>();
    ToolSchema::from_value(schema.as_value()).expect("schemars produces a JSON object")
}
