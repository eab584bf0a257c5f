//! What each MCP request means, in either era: the session's own requests
//! (`initialize`, `logging/setLevel`, subscriptions) and the lists are
//! answered at once; tools, resources, prompts, completion, listen streams
//! and custom methods become a [`Job`] for a handler to run. Nothing here
//! waits or runs user code.

use std::collections::HashMap;
use std::sync::Arc;

use mcpwire_protocol::types::{
    CallToolRequestParams, CompleteRequestParams, CompleteResult, Completion, GetPromptRequestParams, InitializeResult,
    JsonObject, ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, ListToolsResult, LoggingLevel,
    ReadResourceRequestParams, SubscriptionFilter,
};
use mcpwire_protocol::{
    CallToolRequest, ClientRequest, EmptyResult, ErrorCode, ErrorObject, GetPromptRequest, Meta, ProtocolVersion,
    RawJson, ReadResourceRequest, RequestId, RequestMethod,
};
use mcpwire_transport::EncodedResponse;
use serde::Serialize;

use tokio_util::sync::CancellationToken;

use super::responder::{Handler, Responder, Unanswered, Work};
use crate::context::Stateless;
use crate::handler::{ReadFn, resource_not_found};
use crate::input::{Binding, InputRound};
use crate::server::{CompleteFn, MethodFn};
use crate::session::{Handshake, Session};
use crate::stateless::{self, StatelessResult};
use crate::{CacheHint, PromptRoute, RequestContext, Server, listen, revision};

/// Which era a request belongs to, decided before it is routed.
pub(crate) enum Era {
    /// A request of an initialized session (or `initialize` and `ping`
    /// before it), at the session's revision.
    Handshake(ProtocolVersion),
    /// A stateless request (2026-07-28), with what its `_meta` declared.
    Stateless { version: ProtocolVersion, log_level: Option<LoggingLevel> },
}

impl Era {
    fn version(&self) -> ProtocolVersion {
        match self {
            Self::Handshake(version) => *version,
            Self::Stateless { version, .. } => *version,
        }
    }

    /// What a handler of this request learns about its client; `input` is
    /// the round of a method that may ask the client things.
    fn stateless(&self, input: Option<InputRound>) -> Option<Arc<Stateless>> {
        match self {
            Self::Handshake(_) => None,
            Self::Stateless { version, log_level } => Some(Arc::new(Stateless {
                version: *version,
                handshake: std::sync::OnceLock::new(),
                log_level: *log_level,
                input: input.map(Arc::new),
            })),
        }
    }
}

/// What to do with one request.
// It lives on the stack for the moment a request is routed; boxing the job
// would add an allocation to every call.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Routed {
    /// The answer, ready now.
    Answer(Result<EncodedResponse, ErrorObject>),
    /// A handler must run.
    Run(Job),
}

/// A handler ready to start: which one, what it was asked, and for a
/// stateless request what its client declared.
pub(crate) struct Job {
    /// The request's `_meta`, for its context.
    pub(crate) meta: Option<Meta>,
    /// `Some` for a stateless request.
    pub(crate) stateless: Option<Arc<Stateless>>,
    kind: JobKind,
}

enum JobKind {
    Tool { handler: Arc<crate::tool::ToolFn>, arguments: Option<JsonObject>, version: ProtocolVersion },
    Read { handler: Arc<ReadFn>, uri: String, variables: HashMap<String, String>, cache: CacheHint },
    Prompt { route: PromptRoute, arguments: HashMap<String, String>, version: ProtocolVersion },
    Complete { handler: Arc<CompleteFn>, params: CompleteRequestParams },
    Listen { filter: SubscriptionFilter },
    Custom { handler: Arc<MethodFn>, params: Option<RawJson> },
}

impl Job {
    /// The handler of request `id`, ready to run as a task: its context is
    /// built and its future started behind the panic guard (a panic there is
    /// answered at once, and gives `None`).
    pub(crate) fn into_handler(
        self,
        id: RequestId,
        session: &Arc<Session>,
        server: &Server,
        cancel: CancellationToken,
        responder: Responder,
    ) -> Option<Handler> {
        let Job { meta, stateless, kind } = self;
        let input = stateless.as_ref().and_then(|s| s.input.clone()).map(|round| (round, server.clone()));
        let ctx = RequestContext::new(id.clone(), meta, cancel, Arc::clone(session), stateless, server.clone());
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| kind.start(ctx))) {
            Ok(work) => Some(Handler { work, id, responder: Unanswered(Some(responder)), input }),
            Err(panic) => {
                responder.panicked(id, panic.as_ref());
                None
            }
        }
    }
}

impl JobKind {
    /// Build the handler's future. This runs user code (a typed tool parses
    /// its arguments here), so the caller holds the panic guard.
    fn start(self, ctx: RequestContext) -> Work {
        let id = ctx.request_id().clone();
        let stateless = ctx.is_stateless();
        // A stateless result names its kind and its server; a session's does not.
        let finishing = stateless.then(|| ctx.server().clone());
        match self {
            JobKind::Tool { handler, arguments, version } => {
                Work::Tool { call: handler(arguments, ctx), version, finish: finishing }
            }
            JobKind::Read { handler, uri, variables, cache } => Work::boxed(async move {
                let result = handler(uri, variables, ctx).await.map_err(|e| e.into_error_object(stateless))?;
                match &finishing {
                    Some(server) => stateless::reply(server, &id, result, Some(cache)),
                    None => reply(&id, &result),
                }
            }),
            JobKind::Prompt { route, arguments, version } => Work::boxed(async move {
                let mut result = (route.handler)(arguments, ctx).await.map_err(|e| e.into_error_object(stateless))?;
                for message in &mut result.messages {
                    revision::shape_content(version, std::slice::from_mut(&mut message.content));
                }
                match &finishing {
                    Some(server) => stateless::reply(server, &id, result, None),
                    None => reply(&id, &result),
                }
            }),
            JobKind::Complete { handler, params } => Work::boxed(async move {
                let result = handler(params, ctx).await.map_err(|e| e.into_error_object(stateless))?;
                match &finishing {
                    Some(server) => stateless::reply(server, &id, result, None),
                    None => reply(&id, &result),
                }
            }),
            JobKind::Listen { filter } => Work::boxed(async move {
                let server = ctx.server().clone();
                let result = listen::serve(filter, ctx).await?;
                stateless::reply(&server, &id, result, None)
            }),
            JobKind::Custom { handler, params } => Work::boxed(async move {
                let result = handler(params, ctx).await?;
                let Some(server) = &finishing else { return reply(&id, &*result) };
                let mut value: serde_json::Value = serde_json::from_str(result.get())
                    .map_err(|e| ErrorObject::internal_error(format!("the result is not JSON: {e}")))?;
                stateless::finish_raw(server, &mut value);
                reply(&id, &value)
            }),
        }
    }
}

/// The answer to request `id` carrying `result`, serialised once, straight
/// into the response; a result that fails to serialise becomes -32603.
pub(crate) fn reply<T: Serialize + ?Sized>(id: &RequestId, result: &T) -> Result<EncodedResponse, ErrorObject> {
    EncodedResponse::result(id.clone(), result)
        .map_err(|e| ErrorObject::internal_error(format!("the result could not be serialised: {e}")))
}

/// Route an MCP request. A session's own requests touch `session`; in the
/// stateless era they do not exist.
/// `params` is the request's params text, which a stateless round's state is
/// bound to.
pub(crate) fn route(
    server: &Server,
    session: &Session,
    id: &RequestId,
    request: ClientRequest,
    params: Option<RawJson>,
    era: &Era,
) -> Routed {
    let stateless = matches!(era, Era::Stateless { .. });
    let page_size = server.config().page_size;
    let lists = server.config().cache.lists;
    match request {
        ClientRequest::Initialize(_)
        | ClientRequest::Ping(_)
        | ClientRequest::SetLevel(_)
        | ClientRequest::Subscribe(_)
        | ClientRequest::Unsubscribe(_)
            if stateless =>
        {
            Routed::Answer(Err(stateless::removed(request.method())))
        }
        ClientRequest::Initialize(params) => {
            let version = ProtocolVersion::negotiate(&params.protocol_version);
            let handshake =
                Handshake { version, client_capabilities: params.capabilities, client_info: params.client_info };
            if !session.initialize(handshake) {
                return Routed::Answer(Err(ErrorObject::invalid_request("the session is already initialized")));
            }
            tracing::info!(%version, "session initialized");
            answer(
                id,
                &InitializeResult {
                    protocol_version: version.as_str().to_owned(),
                    capabilities: server.capabilities(),
                    server_info: server.info().clone(),
                    instructions: server.inner.instructions.clone(),
                    meta: None,
                },
            )
        }
        ClientRequest::Ping(_) => answer(id, &EmptyResult::default()),
        ClientRequest::SetLevel(params) => {
            session.set_log_level(params.level);
            answer(id, &EmptyResult::default())
        }
        ClientRequest::Subscribe(params) => {
            session.subscribe(params.uri);
            answer(id, &EmptyResult::default())
        }
        ClientRequest::Unsubscribe(params) => {
            session.unsubscribe(&params.uri);
            answer(id, &EmptyResult::default())
        }
        ClientRequest::Discover(_) if stateless => Routed::Answer(stateless::reply(
            server,
            id,
            stateless::discover(server),
            Some(server.config().cache.discover),
        )),
        ClientRequest::SubscriptionsListen(params) if stateless => match listen::check(server, &params.notifications) {
            Ok(()) => Routed::Run(Job {
                meta: params.meta,
                stateless: era.stateless(None),
                kind: JobKind::Listen { filter: params.notifications },
            }),
            Err(error) => Routed::Answer(Err(error)),
        },
        ClientRequest::ListTools(params) => {
            let registry = server.registry();
            let listed = page(registry.tools.values().map(|r| &r.tool), params.cursor.as_deref(), page_size);
            list(
                server,
                id,
                stateless,
                lists,
                listed.map(|(tools, next_cursor)| ListToolsResult { tools, next_cursor, ..Default::default() }),
            )
        }
        ClientRequest::ListResources(params) => {
            let registry = server.registry();
            let listed = page(registry.resources.values().map(|r| &r.resource), params.cursor.as_deref(), page_size);
            let result = listed.map(|(resources, next_cursor)| ListResourcesResult {
                resources,
                next_cursor,
                ..Default::default()
            });
            list(server, id, stateless, lists, result)
        }
        ClientRequest::ListResourceTemplates(params) => {
            let registry = server.registry();
            let listed = page(registry.templates.iter().map(|r| &r.template), params.cursor.as_deref(), page_size);
            let result = listed.map(|(resource_templates, next_cursor)| ListResourceTemplatesResult {
                resource_templates,
                next_cursor,
                ..Default::default()
            });
            list(server, id, stateless, lists, result)
        }
        ClientRequest::ListPrompts(params) => {
            let registry = server.registry();
            let listed = page(registry.prompts.values().map(|r| &r.prompt), params.cursor.as_deref(), page_size);
            list(
                server,
                id,
                stateless,
                lists,
                listed.map(|(prompts, next_cursor)| ListPromptsResult { prompts, next_cursor, ..Default::default() }),
            )
        }
        ClientRequest::CallTool(call) => call_tool(server, call, params, era),
        ClientRequest::ReadResource(read) => read_resource(server, read, params, era),
        ClientRequest::GetPrompt(get) => get_prompt(server, get, params, era),
        ClientRequest::Complete(params) => complete(server, id, params, era),
        other if stateless => Routed::Answer(Err(stateless::removed(other.method()))),
        other => {
            // Tasks (2025-11-25, experimental) and the stateless methods of
            // 2026-07-28 are not served by a session of this era.
            let error = ErrorObject::new(
                ErrorCode::METHOD_NOT_FOUND,
                format!("`{}` is not supported by this server in protocol version {}", other.method(), era.version()),
            );
            Routed::Answer(Err(error))
        }
    }
}

/// A method registered with [`ServerBuilder::method`](crate::ServerBuilder::method).
pub(crate) fn custom(server: &Server, method: &str, meta: Option<Meta>, params: Option<RawJson>, era: &Era) -> Routed {
    let Some(handler) = server.inner.methods.get(method).cloned() else {
        return Routed::Answer(Err(ErrorObject::method_not_found(method)));
    };
    Routed::Run(Job { meta, stateless: era.stateless(None), kind: JobKind::Custom { handler, params } })
}

/// The input round of a stateless request that may ask the client things:
/// its earlier answers (from the state) and this round's.
fn input_round(
    server: &Server,
    era: &Era,
    binding: impl FnOnce() -> Binding,
    state: Option<&str>,
    responses: Option<mcpwire_protocol::types::InputResponses>,
) -> Result<Option<InputRound>, ErrorObject> {
    if !matches!(era, Era::Stateless { .. }) {
        return Ok(None);
    }
    InputRound::start(&server.config().request_state_key, binding(), state, responses).map(Some)
}

fn call_tool(server: &Server, params: CallToolRequestParams, raw: Option<RawJson>, era: &Era) -> Routed {
    let handler = server.registry().tools.get(&params.name).map(|route| Arc::clone(&route.handler));
    let Some(handler) = handler else {
        let error = ErrorObject::invalid_params(format!("Unknown tool: {}", params.name))
            .with_data(serde_json::json!({ "name": params.name }));
        return Routed::Answer(Err(error));
    };
    let CallToolRequestParams { arguments, input_responses, request_state, meta, .. } = params;
    let binding = || Binding::new(CallToolRequest::METHOD, raw);
    let input = match input_round(server, era, binding, request_state.as_deref(), input_responses) {
        Ok(input) => input,
        Err(error) => return Routed::Answer(Err(error)),
    };
    let kind = JobKind::Tool { handler, arguments, version: era.version() };
    Routed::Run(Job { meta, stateless: era.stateless(input), kind })
}

fn read_resource(server: &Server, params: ReadResourceRequestParams, raw: Option<RawJson>, era: &Era) -> Routed {
    let found = {
        let registry = server.registry();
        let fixed = registry.resources.get(&params.uri).map(|r| (Arc::clone(&r.handler), HashMap::new(), r.cache));
        fixed.or_else(|| {
            registry.templates.iter().find_map(|t| {
                t.matcher.matches(&params.uri).map(|variables| (Arc::clone(&t.handler), variables, t.cache))
            })
        })
    };
    let Some((handler, variables, cache)) = found else {
        let mut error = resource_not_found(&params.uri);
        error.code = era.version().resource_not_found_code();
        return Routed::Answer(Err(error));
    };
    let ReadResourceRequestParams { uri, input_responses, request_state, meta } = params;
    let binding = || Binding::new(ReadResourceRequest::METHOD, raw);
    let input = match input_round(server, era, binding, request_state.as_deref(), input_responses) {
        Ok(input) => input,
        Err(error) => return Routed::Answer(Err(error)),
    };
    let cache = cache.unwrap_or(server.config().cache.reads);
    Routed::Run(Job { meta, stateless: era.stateless(input), kind: JobKind::Read { handler, uri, variables, cache } })
}

fn get_prompt(server: &Server, params: GetPromptRequestParams, raw: Option<RawJson>, era: &Era) -> Routed {
    let Some(route) = server.registry().prompts.get(&params.name).cloned() else {
        return Routed::Answer(Err(ErrorObject::invalid_params(format!("Unknown prompt: {}", params.name))));
    };
    let GetPromptRequestParams { arguments, input_responses, request_state, meta, .. } = params;
    let arguments = arguments.unwrap_or_default();
    let missing: Vec<_> = route
        .prompt
        .arguments
        .iter()
        .flatten()
        .filter(|a| a.required == Some(true) && !arguments.contains_key(&a.name))
        .map(|a| a.name.as_str())
        .collect();
    if !missing.is_empty() {
        let message = format!("missing required arguments: {}", missing.join(", "));
        return Routed::Answer(Err(ErrorObject::invalid_params(message)));
    }
    let binding = || Binding::new(GetPromptRequest::METHOD, raw);
    let input = match input_round(server, era, binding, request_state.as_deref(), input_responses) {
        Ok(input) => input,
        Err(error) => return Routed::Answer(Err(error)),
    };
    let kind = JobKind::Prompt { route, arguments: arguments.into_iter().collect(), version: era.version() };
    Routed::Run(Job { meta, stateless: era.stateless(input), kind })
}

fn complete(server: &Server, id: &RequestId, params: CompleteRequestParams, era: &Era) -> Routed {
    let Some(handler) = server.inner.completion.clone() else {
        let empty = CompleteResult {
            completion: Completion { values: Vec::new(), total: Some(0), has_more: Some(false) },
            ..CompleteResult::default()
        };
        return Routed::Answer(match era {
            Era::Stateless { .. } => stateless::reply(server, id, empty, None),
            Era::Handshake(_) => reply(id, &empty),
        });
    };
    Routed::Run(Job {
        meta: params.meta.clone(),
        stateless: era.stateless(None),
        kind: JobKind::Complete { handler, params },
    })
}

fn answer<T: Serialize>(id: &RequestId, result: &T) -> Routed {
    Routed::Answer(reply(id, result))
}

/// A list's page, with the stateless era's `resultType`, server name and
/// cache hint when the request is of that era.
fn list<T: Serialize + StatelessResult>(
    server: &Server,
    id: &RequestId,
    stateless: bool,
    hint: CacheHint,
    result: Result<T, ErrorObject>,
) -> Routed {
    Routed::Answer(result.and_then(|result| match stateless {
        true => stateless::reply(server, id, result, Some(hint)),
        false => reply(id, &result),
    }))
}

/// One page of a list: the cursor is the offset of the next page as decimal
/// text, opaque to clients.
fn page<'a, T: Clone + 'a>(
    items: impl ExactSizeIterator<Item = &'a T>,
    cursor: Option<&str>,
    page_size: usize,
) -> Result<(Vec<T>, Option<String>), ErrorObject> {
    let total = items.len();
    let start = match cursor {
        None => 0,
        Some(cursor) => cursor
            .parse::<usize>()
            .ok()
            .filter(|&offset| offset <= total)
            .ok_or_else(|| ErrorObject::invalid_params(format!("invalid cursor {cursor:?}")))?,
    };
    let page: Vec<T> = items.skip(start).take(page_size.max(1)).cloned().collect();
    let end = start + page.len();
    Ok((page, (end < total).then(|| end.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_the_list_once_and_end_without_a_cursor() {
        let items: Vec<u32> = (0..25).collect();
        let (first, cursor) = page(items.iter(), None, 10).unwrap();
        assert_eq!(first, (0..10).collect::<Vec<_>>());
        let (second, cursor) = page(items.iter(), cursor.as_deref(), 10).unwrap();
        assert_eq!(second, (10..20).collect::<Vec<_>>());
        let (third, cursor) = page(items.iter(), cursor.as_deref(), 10).unwrap();
        assert_eq!(third, (20..25).collect::<Vec<_>>());
        assert_eq!(cursor, None);
    }

    #[test]
    fn a_bad_cursor_is_invalid_params() {
        let items = [1, 2, 3];
        assert_eq!(page(items.iter(), Some("x"), 10).unwrap_err().code, ErrorCode::INVALID_PARAMS);
        assert_eq!(page(items.iter(), Some("99"), 10).unwrap_err().code, ErrorCode::INVALID_PARAMS);
    }
}
