//! What handlers return when they fail, and the routes for resources,
//! resource templates and prompts.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use mcpwire_protocol::ErrorObject;
use mcpwire_protocol::types::{
    ContentBlock, GetPromptResult, Prompt, PromptArgument, PromptMessage, ReadResourceResult, Resource,
    ResourceContents, ResourceTemplate, TextResourceContents,
};

use crate::tool::BoxFuture;
use crate::uri_template::UriTemplate;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{CacheHint, RequestContext};

/// Why a handler failed.
///
/// A tool reports a plain failure as an `isError: true` result, so the model
/// can read it; every other handler answers it with -32603. A failure made
/// with [`HandlerError::protocol`] is answered as that JSON-RPC error instead,
/// for every kind of handler. Any `std::error::Error` converts into a plain
/// failure, so `?` works; an [`ErrorObject`] must be wrapped explicitly, so its
/// code is never lost by accident.
pub struct HandlerError {
    kind: Kind,
}

enum Kind {
    Failed(String),
    Protocol(ErrorObject),
    /// The handler needed a capability the client did not declare: -32021 in
    /// the stateless era, a plain failure before it (which had no such code).
    MissingCapability(&'static str),
}

impl HandlerError {
    /// A plain failure with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self { kind: Kind::Failed(message.into()) }
    }

    /// A failure answered with exactly this JSON-RPC error.
    pub fn protocol(error: ErrorObject) -> Self {
        Self { kind: Kind::Protocol(error) }
    }

    /// -32602: the request's params are wrong.
    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self::protocol(ErrorObject::invalid_params(message.into()))
    }

    /// MCP's "resource not found" (-32002), with the URI in `data`.
    pub fn resource_not_found(uri: &str) -> Self {
        Self::protocol(resource_not_found(uri))
    }

    /// How a tool reports it: `Ok` is the `isError` result to send.
    pub(crate) fn into_tool_response(
        self,
        stateless: bool,
    ) -> Result<mcpwire_protocol::types::CallToolResult, ErrorObject> {
        match self.kind {
            Kind::Failed(message) => Ok(mcpwire_protocol::types::CallToolResult::error(message)),
            Kind::Protocol(error) => Err(error),
            Kind::MissingCapability(capability) if stateless => Err(missing_capability(capability)),
            Kind::MissingCapability(capability) => Ok(mcpwire_protocol::types::CallToolResult::error(
                crate::Error::MissingClientCapability(capability).to_string(),
            )),
        }
    }

    /// How every other handler reports it.
    pub(crate) fn into_error_object(self, stateless: bool) -> ErrorObject {
        match self.kind {
            Kind::Failed(message) => ErrorObject::internal_error(message),
            Kind::Protocol(error) => error,
            Kind::MissingCapability(capability) if stateless => missing_capability(capability),
            Kind::MissingCapability(capability) => {
                ErrorObject::internal_error(crate::Error::MissingClientCapability(capability).to_string())
            }
        }
    }
}

/// -32021, with the capability in the shape a client declares it:
/// `sampling.tools` becomes `{"sampling": {"tools": {}}}`.
fn missing_capability(capability: &str) -> ErrorObject {
    let mut required = serde_json::json!({});
    for part in capability.rsplit('.') {
        required = serde_json::json!({ part: required });
    }
    let code = mcpwire_protocol::ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY;
    ErrorObject::new(code, format!("the client did not declare the `{capability}` capability"))
        .with_data(serde_json::json!({ "requiredCapabilities": required }))
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for HandlerError {
    /// Any error is a plain failure, except the server's own errors that say
    /// more: a missing client capability, or a bad answer from the client.
    fn from(error: E) -> Self {
        match (&error as &dyn std::any::Any).downcast_ref::<crate::Error>() {
            Some(crate::Error::MissingClientCapability(capability)) => {
                Self { kind: Kind::MissingCapability(capability) }
            }
            Some(crate::Error::InvalidInputResponse(_)) => Self::invalid_params(error.to_string()),
            _ => Self::new(error.to_string()),
        }
    }
}

impl fmt::Debug for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Failed(message) => f.debug_tuple("HandlerError").field(message).finish(),
            Kind::Protocol(error) => f.debug_tuple("HandlerError::Protocol").field(error).finish(),
            Kind::MissingCapability(capability) => {
                f.debug_tuple("HandlerError::MissingCapability").field(capability).finish()
            }
        }
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Failed(message) => f.write_str(message),
            Kind::Protocol(error) => error.fmt(f),
            Kind::MissingCapability(capability) => crate::Error::MissingClientCapability(capability).fmt(f),
        }
    }
}

/// The error for a URI no resource or template serves.
pub(crate) fn resource_not_found(uri: &str) -> ErrorObject {
    ErrorObject::new(mcpwire_protocol::ErrorCode::RESOURCE_NOT_FOUND, format!("Resource not found: {uri}"))
        .with_data(serde_json::json!({ "uri": uri }))
}

/// What a resource handler's `Ok` may carry: contents (one, several, or a
/// whole `ReadResourceResult`).
pub trait IntoReadResult {
    /// The `resources/read` result to send.
    fn into_read_result(self) -> ReadResourceResult;
}

impl IntoReadResult for ReadResourceResult {
    fn into_read_result(self) -> ReadResourceResult {
        self
    }
}

impl IntoReadResult for Vec<ResourceContents> {
    fn into_read_result(self) -> ReadResourceResult {
        ReadResourceResult { contents: self, ..ReadResourceResult::default() }
    }
}

impl IntoReadResult for ResourceContents {
    fn into_read_result(self) -> ReadResourceResult {
        vec![self].into_read_result()
    }
}

impl IntoReadResult for TextResourceContents {
    fn into_read_result(self) -> ReadResourceResult {
        ResourceContents::Text(self).into_read_result()
    }
}

/// What a prompt handler's `Ok` may carry: the whole `GetPromptResult`, its
/// messages, or a single user message as text.
pub trait IntoPromptResult {
    /// The `prompts/get` result to send.
    fn into_prompt_result(self) -> GetPromptResult;
}

impl IntoPromptResult for GetPromptResult {
    fn into_prompt_result(self) -> GetPromptResult {
        self
    }
}

impl IntoPromptResult for Vec<PromptMessage> {
    fn into_prompt_result(self) -> GetPromptResult {
        GetPromptResult { messages: self, ..GetPromptResult::default() }
    }
}

impl IntoPromptResult for String {
    fn into_prompt_result(self) -> GetPromptResult {
        vec![PromptMessage::user(ContentBlock::text(self))].into_prompt_result()
    }
}

pub(crate) type ReadFn = dyn Fn(String, HashMap<String, String>, RequestContext) -> BoxFuture<Result<ReadResourceResult, HandlerError>>
    + Send
    + Sync;

/// A resource at a fixed URI and the handler that reads it.
#[derive(Clone)]
pub struct ResourceRoute {
    pub(crate) resource: Resource,
    pub(crate) handler: Arc<ReadFn>,
    /// How long a read may be cached (2026-07-28); the server's default when `None`.
    pub(crate) cache: Option<CacheHint>,
}

impl fmt::Debug for ResourceRoute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourceRoute").field("resource", &self.resource).finish_non_exhaustive()
    }
}

impl ResourceRoute {
    /// A resource whose handler receives the URI being read.
    pub fn new<F, Fut, R>(resource: Resource, handler: F) -> Self
    where
        F: Fn(String, RequestContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, HandlerError>> + Send + 'static,
        R: IntoReadResult,
    {
        let handler: Arc<ReadFn> = Arc::new(move |uri, _variables, ctx| {
            let future = handler(uri, ctx);
            Box::pin(async move { future.await.map(IntoReadResult::into_read_result) })
        });
        Self { resource, handler, cache: None }
    }

    /// The same route with its own cache hint for `resources/read` results
    /// (2026-07-28), instead of the server's [`CacheConfig::reads`](crate::CacheConfig::reads).
    #[must_use]
    pub fn cache_hint(mut self, hint: CacheHint) -> Self {
        self.cache = Some(hint);
        self
    }

    /// The resource's definition, as `resources/list` shows it.
    pub fn resource(&self) -> &Resource {
        &self.resource
    }
}

/// A URI template (RFC 6570, simple `{name}` and reserved `{+name}`
/// expressions) and the handler that reads any URI it matches.
#[derive(Clone)]
pub struct ResourceTemplateRoute {
    pub(crate) template: ResourceTemplate,
    pub(crate) matcher: UriTemplate,
    pub(crate) handler: Arc<ReadFn>,
    /// How long a read may be cached (2026-07-28); the server's default when `None`.
    pub(crate) cache: Option<CacheHint>,
}

impl fmt::Debug for ResourceTemplateRoute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourceTemplateRoute").field("template", &self.template).finish_non_exhaustive()
    }
}

impl ResourceTemplateRoute {
    /// A template whose handler receives the URI and the values of its
    /// variables (`test://item/{id}` read as `test://item/7` gives `id = "7"`).
    pub fn new<F, Fut, R>(template: ResourceTemplate, handler: F) -> Self
    where
        F: Fn(String, HashMap<String, String>, RequestContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, HandlerError>> + Send + 'static,
        R: IntoReadResult,
    {
        let matcher = UriTemplate::parse(&template.uri_template);
        let handler: Arc<ReadFn> = Arc::new(move |uri, variables, ctx| {
            let future = handler(uri, variables, ctx);
            Box::pin(async move { future.await.map(IntoReadResult::into_read_result) })
        });
        Self { template, matcher, handler, cache: None }
    }

    /// The same route with its own cache hint for the `resources/read`
    /// results of the URIs it matches (2026-07-28).
    #[must_use]
    pub fn cache_hint(mut self, hint: CacheHint) -> Self {
        self.cache = Some(hint);
        self
    }

    /// The template's definition, as `resources/templates/list` shows it.
    pub fn template(&self) -> &ResourceTemplate {
        &self.template
    }
}

type PromptFn =
    dyn Fn(HashMap<String, String>, RequestContext) -> BoxFuture<Result<GetPromptResult, HandlerError>> + Send + Sync;

/// A prompt's arguments, from the properties of `A`'s JSON Schema.
fn prompt_arguments<A: JsonSchema>() -> Vec<PromptArgument> {
    let schema = schemars::SchemaGenerator::default().into_root_schema_for::<A>();
    let value = schema.as_value();
    let required: Vec<&str> =
        value.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    let Some(properties) = value.get("properties").and_then(Value::as_object) else { return Vec::new() };
    properties
        .iter()
        .map(|(name, property)| PromptArgument {
            name: name.clone(),
            description: property.get("description").and_then(Value::as_str).map(str::to_owned),
            required: Some(required.contains(&name.as_str())),
            ..PromptArgument::default()
        })
        .collect()
}

/// A prompt and the handler that renders it.
#[derive(Clone)]
pub struct PromptRoute {
    pub(crate) prompt: Prompt,
    pub(crate) handler: Arc<PromptFn>,
}

impl fmt::Debug for PromptRoute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PromptRoute").field("prompt", &self.prompt).finish_non_exhaustive()
    }
}

impl PromptRoute {
    /// A prompt whose handler receives its arguments as strings by name.
    /// Required arguments (per the prompt's definition) are checked first: a
    /// missing one is -32602.
    pub fn new<F, Fut, R>(prompt: Prompt, handler: F) -> Self
    where
        F: Fn(HashMap<String, String>, RequestContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, HandlerError>> + Send + 'static,
        R: IntoPromptResult,
    {
        let handler: Arc<PromptFn> = Arc::new(move |arguments, ctx| {
            let future = handler(arguments, ctx);
            Box::pin(async move { future.await.map(IntoPromptResult::into_prompt_result) })
        });
        Self { prompt, handler }
    }

    /// A prompt whose arguments deserialise into `A`: its argument list is
    /// derived from `A` (each field an argument, its doc comment the
    /// description, required unless it is an `Option`) and replaces whatever
    /// `prompt` had. Prompt arguments are strings, so `A`'s fields are
    /// `String` or `Option<String>`; arguments that do not fit are -32602.
    ///
    /// ```
    /// use mcpwire_server::PromptRoute;
    /// use mcpwire_server::protocol::types::Prompt;
    /// use mcpwire_server::schemars;
    ///
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// struct Review {
    ///     /// The code to review.
    ///     code: String,
    ///     /// What to look for.
    ///     focus: Option<String>,
    /// }
    ///
    /// let route = PromptRoute::typed(Prompt::new("review", "Review code"), |args: Review, _ctx| async move {
    ///     Ok(format!("Review this, looking for {}: {}", args.focus.as_deref().unwrap_or("bugs"), args.code))
    /// });
    /// let arguments = route.prompt().arguments.as_ref().unwrap();
    /// assert_eq!((arguments[0].name.as_str(), arguments[0].required), ("code", Some(true)));
    /// assert_eq!(arguments[1].required, Some(false));
    /// ```
    pub fn typed<A, F, Fut, R>(mut prompt: Prompt, handler: F) -> Self
    where
        A: DeserializeOwned + JsonSchema + Send + 'static,
        F: Fn(A, RequestContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, HandlerError>> + Send + 'static,
        R: IntoPromptResult,
    {
        prompt.arguments = Some(prompt_arguments::<A>());
        let handler = Arc::new(handler);
        let handler: Arc<PromptFn> = Arc::new(move |arguments: HashMap<String, String>, ctx| {
            let object = arguments.into_iter().map(|(name, value)| (name, Value::String(value))).collect();
            let parsed = serde_json::from_value::<A>(Value::Object(object));
            let handler = Arc::clone(&handler);
            Box::pin(async move {
                let args =
                    parsed.map_err(|e| HandlerError::invalid_params(format!("invalid prompt arguments: {e}")))?;
                handler(args, ctx).await.map(IntoPromptResult::into_prompt_result)
            })
        });
        Self { prompt, handler }
    }

    /// The prompt's definition, as `prompts/list` shows it.
    pub fn prompt(&self) -> &Prompt {
        &self.prompt
    }
}
