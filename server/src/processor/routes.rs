//! What each MCP request means: the session's own requests (`initialize`,
//! `logging/setLevel`, subscriptions) and the lists are answered at once;
//! tools, resources, prompts, completion and custom methods become a [`Job`]
//! for a handler to run. Nothing here waits or runs user code.

use std::collections::HashMap;
use std::sync::Arc;

use mcpwire_protocol::types::{
    CallToolRequestParams, CompleteRequestParams, CompleteResult, Completion, GetPromptRequestParams, InitializeResult,
    JsonObject, ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, ListToolsResult,
    ReadResourceRequestParams,
};
use mcpwire_protocol::{ClientRequest, EmptyResult, ErrorCode, ErrorObject, Meta, ProtocolVersion, RawJson, RequestId};
use mcpwire_transport::EncodedResponse;
use serde::Serialize;

use super::responder::Work;
use crate::handler::ReadFn;
use crate::handler::resource_not_found;
use crate::server::{CompleteFn, MethodFn};
use crate::session::{Handshake, Session};
use crate::{HandlerError, PromptRoute, RequestContext, Server, revision};

/// What to do with one request.
pub(super) enum Routed {
    /// The answer, ready now.
    Answer(Result<EncodedResponse, ErrorObject>),
    /// A handler must run; its `_meta` goes into its context.
    Run(Job),
}

/// A handler ready to start: which one, and what it was asked.
pub(super) struct Job {
    pub(super) meta: Option<Meta>,
    kind: JobKind,
}

enum JobKind {
    Tool { handler: Arc<crate::tool::ToolFn>, arguments: Option<JsonObject>, version: ProtocolVersion },
    Read { handler: Arc<ReadFn>, uri: String, variables: HashMap<String, String> },
    Prompt { route: PromptRoute, arguments: HashMap<String, String>, version: ProtocolVersion },
    Complete { handler: Arc<CompleteFn>, params: CompleteRequestParams },
    Custom { handler: Arc<MethodFn>, params: Option<RawJson> },
}

impl Job {
    /// Build the handler's future. This runs user code (a typed tool parses
    /// its arguments here), so the caller holds the panic guard.
    pub(super) fn start(self, ctx: RequestContext) -> Work {
        let id = ctx.request_id().clone();
        match self.kind {
            JobKind::Tool { handler, arguments, version } => Work::Tool { call: handler(arguments, ctx), version },
            JobKind::Read { handler, uri, variables } => Work::boxed(async move {
                let result = handler(uri, variables, ctx).await.map_err(HandlerError::into_error_object)?;
                reply(&id, &result)
            }),
            JobKind::Prompt { route, arguments, version } => Work::boxed(async move {
                let mut result = (route.handler)(arguments, ctx).await.map_err(HandlerError::into_error_object)?;
                for message in &mut result.messages {
                    revision::shape_content(version, std::slice::from_mut(&mut message.content));
                }
                reply(&id, &result)
            }),
            JobKind::Complete { handler, params } => Work::boxed(async move {
                let result = handler(params, ctx).await.map_err(HandlerError::into_error_object)?;
                reply(&id, &result)
            }),
            JobKind::Custom { handler, params } => Work::boxed(async move {
                let result = handler(params, ctx).await?;
                reply(&id, &*result)
            }),
        }
    }
}

/// The answer to request `id` carrying `result`, serialised once, straight
/// into the response; a result that fails to serialise becomes -32603.
pub(super) fn reply<T: Serialize + ?Sized>(id: &RequestId, result: &T) -> Result<EncodedResponse, ErrorObject> {
    EncodedResponse::result(id.clone(), result)
        .map_err(|e| ErrorObject::internal_error(format!("the result could not be serialised: {e}")))
}

/// Route an MCP request of an initialized session (or `initialize` and
/// `ping`, which need none) at the session's revision `version`.
pub(super) fn route(
    server: &Server,
    session: &Session,
    id: &RequestId,
    request: ClientRequest,
    version: ProtocolVersion,
) -> Routed {
    let page_size = server.config().page_size;
    match request {
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
        ClientRequest::ListTools(params) => {
            let registry = server.registry();
            let listed = page(registry.tools.values().map(|r| &r.tool), params.cursor.as_deref(), page_size);
            list(id, listed.map(|(tools, next_cursor)| ListToolsResult { tools, next_cursor, ..Default::default() }))
        }
        ClientRequest::ListResources(params) => {
            let registry = server.registry();
            let listed = page(registry.resources.values().map(|r| &r.resource), params.cursor.as_deref(), page_size);
            let result = listed.map(|(resources, next_cursor)| ListResourcesResult {
                resources,
                next_cursor,
                ..Default::default()
            });
            list(id, result)
        }
        ClientRequest::ListResourceTemplates(params) => {
            let registry = server.registry();
            let listed = page(registry.templates.iter().map(|r| &r.template), params.cursor.as_deref(), page_size);
            let result = listed.map(|(resource_templates, next_cursor)| ListResourceTemplatesResult {
                resource_templates,
                next_cursor,
                ..Default::default()
            });
            list(id, result)
        }
        ClientRequest::ListPrompts(params) => {
            let registry = server.registry();
            let listed = page(registry.prompts.values().map(|r| &r.prompt), params.cursor.as_deref(), page_size);
            list(
                id,
                listed.map(|(prompts, next_cursor)| ListPromptsResult { prompts, next_cursor, ..Default::default() }),
            )
        }
        ClientRequest::CallTool(params) => call_tool(server, params, version),
        ClientRequest::ReadResource(params) => read_resource(server, params, version),
        ClientRequest::GetPrompt(params) => get_prompt(server, params, version),
        ClientRequest::Complete(params) => complete(server, id, params),
        other => {
            // Tasks (2025-11-25, experimental) and the stateless methods of
            // 2026-07-28 are not served by a session of this era.
            let error = ErrorObject::new(
                ErrorCode::METHOD_NOT_FOUND,
                format!("`{}` is not supported by this server in protocol version {version}", other.method()),
            );
            Routed::Answer(Err(error))
        }
    }
}

/// A method registered with [`ServerBuilder::method`](crate::ServerBuilder::method).
pub(super) fn custom(server: &Server, method: &str, params: Option<RawJson>) -> Routed {
    let Some(handler) = server.inner.methods.get(method).cloned() else {
        return Routed::Answer(Err(ErrorObject::method_not_found(method)));
    };
    let meta = params.as_deref().and_then(|p| serde_json::from_str::<MetaOnly>(p.get()).ok()).and_then(|m| m.meta);
    Routed::Run(Job { meta, kind: JobKind::Custom { handler, params } })
}

/// Just the `_meta` of any params object, for custom methods.
#[derive(serde::Deserialize)]
struct MetaOnly {
    #[serde(rename = "_meta", default)]
    meta: Option<Meta>,
}

fn call_tool(server: &Server, params: CallToolRequestParams, version: ProtocolVersion) -> Routed {
    let handler = server.registry().tools.get(&params.name).map(|route| Arc::clone(&route.handler));
    let Some(handler) = handler else {
        let error = ErrorObject::invalid_params(format!("Unknown tool: {}", params.name))
            .with_data(serde_json::json!({ "name": params.name }));
        return Routed::Answer(Err(error));
    };
    Routed::Run(Job { meta: params.meta, kind: JobKind::Tool { handler, arguments: params.arguments, version } })
}

fn read_resource(server: &Server, params: ReadResourceRequestParams, version: ProtocolVersion) -> Routed {
    let found = {
        let registry = server.registry();
        let fixed = registry.resources.get(&params.uri).map(|r| (Arc::clone(&r.handler), HashMap::new()));
        fixed.or_else(|| {
            registry
                .templates
                .iter()
                .find_map(|t| t.matcher.matches(&params.uri).map(|variables| (Arc::clone(&t.handler), variables)))
        })
    };
    let Some((handler, variables)) = found else {
        let mut error = resource_not_found(&params.uri);
        error.code = version.resource_not_found_code();
        return Routed::Answer(Err(error));
    };
    Routed::Run(Job { meta: params.meta, kind: JobKind::Read { handler, uri: params.uri, variables } })
}

fn get_prompt(server: &Server, params: GetPromptRequestParams, version: ProtocolVersion) -> Routed {
    let Some(route) = server.registry().prompts.get(&params.name).cloned() else {
        return Routed::Answer(Err(ErrorObject::invalid_params(format!("Unknown prompt: {}", params.name))));
    };
    let arguments = params.arguments.unwrap_or_default();
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
    let arguments = arguments.into_iter().collect();
    Routed::Run(Job { meta: params.meta, kind: JobKind::Prompt { route, arguments, version } })
}

fn complete(server: &Server, id: &RequestId, params: CompleteRequestParams) -> Routed {
    let Some(handler) = server.inner.completion.clone() else {
        let empty = CompleteResult {
            completion: Completion { values: Vec::new(), total: Some(0), has_more: Some(false) },
            ..CompleteResult::default()
        };
        return Routed::Answer(reply(id, &empty));
    };
    Routed::Run(Job { meta: params.meta.clone(), kind: JobKind::Complete { handler, params } })
}

fn answer<T: Serialize>(id: &RequestId, result: &T) -> Routed {
    Routed::Answer(reply(id, result))
}

fn list<T: Serialize>(id: &RequestId, result: Result<T, ErrorObject>) -> Routed {
    Routed::Answer(result.and_then(|result| reply(id, &result)))
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
