//! What each MCP request means, in either era: the session's own requests
//! (`initialize`, `logging/setLevel`, subscriptions) and the lists are
//! answered at once; tools, resources, prompts, completion, listen streams
//! and custom methods become a [`Job`] for a handler to run. Nothing here
//! waits or runs user code.

use std::collections::HashMap;
use std::sync::Arc;

use mcpwire_protocol::types::{
    CallToolRequestParams, CallToolResult, CompleteRequestParams, CompleteResult, Completion, CreateTaskHandle,
    CreateTaskResult, GetPromptRequestParams, GetSkillResult, GetTaskPayloadResult, GetTaskResult, InitializeResult,
    InputResponses, JsonObject, ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, ListSkillsResult,
    ListTasksResult, ListToolsResult, LoggingLevel, ReadResourceDirectoryResult, ReadResourceRequestParams,
    RelatedTaskMetadata, ResultType, SubscriptionFilter, TaskAckResult, TaskStatus, TaskSupport, ToolExecution,
};
use mcpwire_protocol::{
    CallToolRequest, ClientExtensionRequest, ClientRequest, EmptyResult, ErrorCode, ErrorObject, GetPromptRequest,
    Meta, ProtocolVersion, RawJson, ReadResourceRequest, RequestId, RequestMethod,
};
use mcpwire_transport::EncodedResponse;
use serde::Serialize;

use tokio_util::sync::CancellationToken;

use super::responder::{Handler, Responder, Unanswered, Work};
use crate::context::{HttpHead, Stateless};
use crate::handler::{ReadFn, resource_not_found};
use crate::input::{Binding, InputRound};
use crate::server::{CompleteFn, MethodFn};
use crate::session::{Handshake, Session};
use crate::stateless::{self, StatelessResult};
use crate::tasks::{self, NewTask, TaskOutcome, TaskWire};
use crate::tool::BoxFuture;
use crate::{CacheHint, HandlerError, PromptRoute, RequestContext, Server, listen, revision};

/// Which era a request belongs to, decided before it is routed.
#[derive(Clone)]
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
                input,
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
    Tool {
        handler: Arc<crate::tool::ToolFn>,
        arguments: Option<JsonObject>,
        version: ProtocolVersion,
    },
    Read {
        handler: Arc<ReadFn>,
        uri: String,
        variables: HashMap<String, String>,
        cache: CacheHint,
    },
    Prompt {
        route: PromptRoute,
        arguments: HashMap<String, String>,
        version: ProtocolVersion,
    },
    Complete {
        handler: Arc<CompleteFn>,
        params: CompleteRequestParams,
    },
    Listen {
        filter: SubscriptionFilter,
    },
    Custom {
        handler: Arc<MethodFn>,
        params: Option<RawJson>,
    },
    /// A tool call that becomes a task: answered with its handle, while the
    /// tool runs on in the background.
    StartTask {
        handler: Arc<crate::tool::ToolFn>,
        arguments: Option<JsonObject>,
        version: ProtocolVersion,
        /// The answers its input-required rounds gave.
        answered: InputResponses,
        /// The TTL asked for in `params.task` (2025-11-25).
        requested_ttl: Option<u64>,
    },
    /// `tasks/*`.
    Task(TaskOp),
}

/// What a `tasks/*` request asks of a task.
pub(crate) enum TaskOp {
    Get(String),
    Cancel(String),
    Update(String, serde_json::Map<String, serde_json::Value>),
    /// 2025-11-25's `tasks/result`.
    Result(String),
    /// 2025-11-25's `tasks/list`.
    List(Option<String>),
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
        http: Option<HttpHead>,
        responder: Responder,
    ) -> Option<Handler> {
        let Job { meta, stateless, kind } = self;
        let asking = stateless.as_ref().filter(|s| s.input.is_some()).map(|s| (Arc::clone(s), server.clone()));
        let session = Arc::clone(session);
        let ctx = RequestContext::new(id.clone(), meta, cancel, session, stateless, server.clone(), http);
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| kind.start(ctx))) {
            Ok(work) => Some(Handler { work, id, responder: Unanswered(Some(responder)), asking }),
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
            JobKind::StartTask { handler, arguments, version, answered, requested_ttl } => {
                Work::boxed(start_task(ctx, handler, arguments, version, answered, requested_ttl))
            }
            JobKind::Task(op) => Work::boxed(task_op(ctx, op)),
        }
    }
}

/// Create the task, start the tool in it, and answer with its handle.
async fn start_task(
    ctx: RequestContext,
    handler: Arc<crate::tool::ToolFn>,
    arguments: Option<JsonObject>,
    version: ProtocolVersion,
    answered: InputResponses,
    requested_ttl: Option<u64>,
) -> Result<EncodedResponse, ErrorObject> {
    let id = ctx.request_id().clone();
    let server = ctx.server().clone();
    let engine = Arc::clone(&server.inner.tasks);
    let wire = if ctx.is_stateless() { TaskWire::Extension } else { TaskWire::Experimental };
    // 2025-11-25 tells the session of status changes; the extension's
    // notifications travel on listen streams, which this server does not
    // offer for tasks yet.
    let announce_to = (wire == TaskWire::Experimental).then(|| Arc::clone(ctx.sender()));
    let new = NewTask { wire, owner: owner(&ctx), requested_ttl, answered, announce_to };
    let (record, binding) = engine.create(new).await?;
    let task_ctx = ctx.for_task(Arc::clone(&binding));
    // Building the future runs user code (a typed tool parses its arguments):
    // a panic there fails the task rather than leave it working for ever.
    let work: BoxFuture<(TaskStatus, TaskOutcome)> =
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(arguments, task_ctx))) {
            Ok(call) => Box::pin(async move { tool_outcome(call.await, version, wire) }),
            Err(panic) => {
                let message = super::panic_message(panic.as_ref()).to_owned();
                let error = ErrorObject::internal_error(format!("the handler panicked: {message}"));
                Box::pin(std::future::ready((TaskStatus::Failed, TaskOutcome::Error(error))))
            }
        };
    engine.run(&binding, work);
    tracing::debug!(task = %record.id, "a tool call became a task");
    match wire {
        TaskWire::Extension => {
            let mut handle = CreateTaskHandle::new(tasks::state(&record));
            handle.meta = Some(server_meta(&server));
            reply(&id, &handle)
        }
        TaskWire::Experimental => reply(&id, &CreateTaskResult { task: tasks::legacy(&record), meta: None }),
    }
}

/// How a tool's run ends as a task: its result `completed` (in 2025-11-25,
/// one with `isError` is `failed`, as that revision says), a protocol error
/// `failed`.
fn tool_outcome(
    outcome: Result<CallToolResult, HandlerError>,
    version: ProtocolVersion,
    wire: TaskWire,
) -> (TaskStatus, TaskOutcome) {
    let extension = wire == TaskWire::Extension;
    match outcome.or_else(|error| error.into_tool_response(extension)) {
        Ok(mut result) => {
            revision::shape_content(version, &mut result.content);
            if extension {
                result.result_type = Some(ResultType::COMPLETE);
            }
            let status = match (wire, result.is_error) {
                (TaskWire::Experimental, Some(true)) => TaskStatus::Failed,
                _ => TaskStatus::Completed,
            };
            match serde_json::to_value(&result) {
                Ok(serde_json::Value::Object(object)) => (status, TaskOutcome::Result(object)),
                _ => (
                    TaskStatus::Failed,
                    TaskOutcome::Error(ErrorObject::internal_error("the result did not serialise")),
                ),
            }
        }
        Err(error) => (TaskStatus::Failed, TaskOutcome::Error(error)),
    }
}

/// Who a task belongs to (see `TaskConfig`): a stateless request's client by
/// the name it gives, a session by itself.
fn owner(ctx: &RequestContext) -> String {
    match ctx.is_stateless() {
        true => format!("client:{}", ctx.handshake().map_or("", |h| h.client_info.name.as_str())),
        false => format!("session:{}", ctx.session().id),
    }
}

/// `_meta` naming the server, for a stateless result built by hand.
fn server_meta(server: &Server) -> Meta {
    let mut meta = Meta::new();
    meta.insert(mcpwire_protocol::meta::keys::SERVER_INFO, server.inner.server_info.clone());
    meta
}

/// Answer a `tasks/*` request, in the shape of the request's era.
async fn task_op(ctx: RequestContext, op: TaskOp) -> Result<EncodedResponse, ErrorObject> {
    let id = ctx.request_id().clone();
    let server = ctx.server().clone();
    let engine = Arc::clone(&server.inner.tasks);
    let owner = owner(&ctx);
    let extension = ctx.is_stateless();
    let ack = || stateless::reply(&server, &id, TaskAckResult::default(), None);
    match op {
        TaskOp::Get(task_id) => {
            let task = engine.lookup(&task_id, &owner).await?;
            match extension {
                true => stateless::reply(&server, &id, tasks::detailed(&task), None),
                false => reply(&id, &GetTaskResult { task: tasks::legacy(&task), meta: None }),
            }
        }
        TaskOp::Cancel(task_id) => {
            let task = engine.lookup(&task_id, &owner).await?;
            if extension {
                // Cancelling a finished task changes nothing and is no error.
                engine.cancel(&task_id).await?;
                return ack();
            }
            if task.status.is_terminal() {
                return Err(ErrorObject::invalid_params(format!(
                    "Cannot cancel task: already in terminal status '{}'",
                    serde_json::to_value(task.status)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                )));
            }
            let after = engine.cancel(&task_id).await?.unwrap_or(task);
            reply(&id, &GetTaskResult { task: tasks::legacy(&after), meta: None })
        }
        TaskOp::Update(task_id, responses) => {
            let task = engine.lookup(&task_id, &owner).await?;
            engine.answer(&task, responses).await?;
            ack()
        }
        TaskOp::Result(task_id) => {
            engine.lookup(&task_id, &owner).await?;
            let gone = || ErrorObject::invalid_params(format!("Failed to retrieve task: Task has expired ({task_id})"));
            let task = engine.terminal(&task_id).await?.ok_or_else(gone)?;
            let related = RelatedTaskMetadata { task_id: task.id.clone() };
            let mut meta = Meta::new();
            meta.insert(mcpwire_protocol::meta::RELATED_TASK, serde_json::to_value(related).unwrap_or_default());
            match task.outcome {
                Some(TaskOutcome::Result(mut result)) => {
                    result.remove("_meta");
                    reply(&id, &GetTaskPayloadResult { result, meta: Some(meta) })
                }
                Some(TaskOutcome::Error(error)) => Err(error),
                None => Err(ErrorObject::internal_error("the task was cancelled").with_data(serde_json::json!({
                    mcpwire_protocol::meta::RELATED_TASK: { "taskId": task.id }
                }))),
            }
        }
        TaskOp::List(cursor) => {
            let page_size = server.config().page_size;
            let (page, next_cursor) =
                engine.store.list(&owner, cursor.as_deref(), page_size).await.map_err(|e| e.to_error_object())?;
            let tasks = page.iter().map(tasks::legacy).collect();
            reply(&id, &ListTasksResult { tasks, next_cursor, meta: None })
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
                    capabilities: server.capabilities_at(version),
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
        ClientRequest::Discover(_) if stateless => {
            let discovered = mcpwire_protocol::types::DiscoverResult {
                capabilities: server.capabilities_at(era.version()),
                ..stateless::discover(server)
            };
            Routed::Answer(stateless::reply(server, id, discovered, Some(server.config().cache.discover)))
        }
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
            // `execution.taskSupport` exists only in 2025-11-25; in 2026-07-28
            // a tool's task support is the server's business.
            let executions = !stateless && era.version() >= ProtocolVersion::V2025_11_25;
            let listed = listed.map(|(mut tools, next_cursor)| {
                for tool in &mut tools {
                    let support = registry.tools.get(&tool.name).map_or(TaskSupport::Forbidden, |r| r.task_support);
                    tool.execution = (executions && support != TaskSupport::Forbidden)
                        .then_some(ToolExecution { task_support: Some(support) });
                }
                ListToolsResult { tools, next_cursor, ..Default::default() }
            });
            list(server, id, stateless, lists, listed)
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
        ClientRequest::GetTask(params) => task_request(era, params.meta, TaskOp::Get(params.task_id)),
        ClientRequest::CancelTask(params) => task_request(era, params.meta, TaskOp::Cancel(params.task_id)),
        ClientRequest::GetTaskPayload(params) if !stateless => task_request(era, None, TaskOp::Result(params.task_id)),
        ClientRequest::ListTasks(params) if !stateless => task_request(era, params.meta, TaskOp::List(params.cursor)),
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

/// A method the core protocol does not define: an extension's (tasks,
/// skills), or one registered with [`ServerBuilder::method`](crate::ServerBuilder::method).
pub(crate) fn custom(
    server: &Server,
    id: &RequestId,
    method: &str,
    meta: Option<Meta>,
    params: Option<RawJson>,
    era: &Era,
) -> Routed {
    match ClientExtensionRequest::from_parts(method, params.as_deref()) {
        Ok(request) => return extension(server, id, request, era),
        Err(mcpwire_protocol::Error::UnknownMethod(_)) => {}
        Err(error) => return Routed::Answer(Err(error.to_error_object())),
    }
    registered(server, method, meta, params, era)
}

/// A method registered with [`ServerBuilder::method`](crate::ServerBuilder::method),
/// or -32601.
pub(crate) fn registered(
    server: &Server,
    method: &str,
    meta: Option<Meta>,
    params: Option<RawJson>,
    era: &Era,
) -> Routed {
    let Some(handler) = server.inner.methods.get(method).cloned() else {
        return Routed::Answer(Err(ErrorObject::method_not_found(method)));
    };
    Routed::Run(Job { meta, stateless: era.stateless(None), kind: JobKind::Custom { handler, params } })
}

/// A request of the tasks or skills extension.
pub(crate) fn extension(server: &Server, id: &RequestId, request: ClientExtensionRequest, era: &Era) -> Routed {
    let stateless = matches!(era, Era::Stateless { .. });
    let answer = |result: Result<_, ErrorObject>, hint| -> Routed {
        Routed::Answer(result.and_then(|result: ExtensionResult| match (stateless, result) {
            (true, ExtensionResult::List(result)) => stateless::reply(server, id, result, hint),
            (true, ExtensionResult::Get(result)) => stateless::reply(server, id, result, hint),
            (true, ExtensionResult::Directory(result)) => stateless::reply(server, id, result, None),
            (false, ExtensionResult::List(result)) => reply(id, &result),
            (false, ExtensionResult::Get(result)) => reply(id, &result),
            (false, ExtensionResult::Directory(result)) => reply(id, &result),
        }))
    };
    let skills = server.inner.skills.as_deref();
    let page_size = server.config().page_size;
    let hint = Some(server.config().cache.lists);
    match request {
        ClientExtensionRequest::UpdateTask(params) if stateless => {
            task_request(era, params.meta, TaskOp::Update(params.task_id, params.input_responses))
        }
        ClientExtensionRequest::ListSkills(params) if skills.is_some() => {
            let entries = skills.map(|s| s.skills.entries()).unwrap_or_default();
            let listed = page(entries.iter(), params.cursor.as_deref(), page_size).map(|(skills, next_cursor)| {
                ExtensionResult::List(ListSkillsResult { skills, next_cursor, ..ListSkillsResult::default() })
            });
            answer(listed, hint)
        }
        ClientExtensionRequest::GetSkill(params) if skills.is_some() => {
            let found =
                skills.map_or_else(|| Err(ErrorObject::method_not_found("skills/get")), |s| s.skills.get(&params.uri));
            let result = found.map(|skill| {
                ExtensionResult::Get(GetSkillResult {
                    result_type: None,
                    skill: skill.clone(),
                    ttl_ms: None,
                    cache_scope: None,
                    meta: None,
                })
            });
            answer(result, hint)
        }
        ClientExtensionRequest::ReadResourceDirectory(params) if skills.is_some() => {
            let children = skills.and_then(|s| s.directories.get(&params.uri)).ok_or_else(|| {
                ErrorObject::invalid_params(format!("{} is not a directory resource", params.uri))
                    .with_data(serde_json::json!({ "uri": params.uri }))
            });
            let listed = children.and_then(|children| page(children.iter(), params.cursor.as_deref(), page_size));
            let result = listed.map(|(resources, next_cursor)| {
                ExtensionResult::Directory(ReadResourceDirectoryResult {
                    resources,
                    next_cursor,
                    ..ReadResourceDirectoryResult::default()
                })
            });
            answer(result, None)
        }
        other => Routed::Answer(Err(ErrorObject::method_not_found(other.method()))),
    }
}

/// The results of the skills extension's methods.
enum ExtensionResult {
    List(ListSkillsResult),
    Get(GetSkillResult),
    Directory(ReadResourceDirectoryResult),
}

/// A `tasks/*` request: in the stateless era only for a request that
/// declared the tasks extension (-32021 otherwise, before the task is even
/// looked up); in a session, from 2025-11-25 on.
fn task_request(era: &Era, meta: Option<Meta>, op: TaskOp) -> Routed {
    match era {
        Era::Stateless { .. } if !tasks::declares_extension(meta.as_ref()) => {
            return Routed::Answer(Err(tasks::missing_extension()));
        }
        Era::Handshake(version) if *version < ProtocolVersion::V2025_11_25 => {
            return Routed::Answer(Err(ErrorObject::new(
                ErrorCode::METHOD_NOT_FOUND,
                format!("tasks do not exist in protocol version {version}"),
            )));
        }
        _ => {}
    }
    Routed::Run(Job { meta, stateless: era.stateless(None), kind: JobKind::Task(op) })
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
    let found = server
        .registry()
        .tools
        .get(&params.name)
        .map(|route| (Arc::clone(&route.handler), route.task_support, Arc::clone(&route.ask_before_task)));
    let Some((handler, support, ask_before_task)) = found else {
        let error = ErrorObject::invalid_params(format!("Unknown tool: {}", params.name))
            .with_data(serde_json::json!({ "name": params.name }));
        return Routed::Answer(Err(error));
    };
    let CallToolRequestParams { name, arguments, task, input_responses, request_state, meta } = params;
    let as_task = match as_task(server, &name, support, task.is_some(), meta.as_ref(), era) {
        Ok(as_task) => as_task,
        Err(error) => return Routed::Answer(Err(error)),
    };
    let binding = || Binding::new(CallToolRequest::METHOD, raw);
    let input = match input_round(server, era, binding, request_state.as_deref(), input_responses) {
        Ok(input) => input,
        Err(error) => return Routed::Answer(Err(error)),
    };
    let version = era.version();
    if as_task {
        let answered = input.as_ref().map(|round| round.answers().clone()).unwrap_or_default();
        // Until its request has answered the questions to settle first, the
        // call runs as an ordinary one, whose questions end it with an
        // input-required result.
        if ask_before_task.iter().all(|key| answered.contains_key(key)) {
            let requested_ttl = task.and_then(|task| task.ttl);
            let kind = JobKind::StartTask { handler, arguments, version, answered, requested_ttl };
            return Routed::Run(Job { meta, stateless: era.stateless(None), kind });
        }
    }
    let kind = JobKind::Tool { handler, arguments, version };
    Routed::Run(Job { meta, stateless: era.stateless(input), kind })
}

/// Whether a call of a tool with `support` becomes a task: in the stateless
/// era when the request declared the tasks extension (a tool that requires
/// it refuses a request that did not, -32021); in a 2025-11-25 session when
/// the client sent `params.task` (a tool that forbids it refuses one that
/// did, a tool that requires it one that did not: -32601, unless the server
/// declares no task support at all, when `params.task` is ignored).
fn as_task(
    server: &Server,
    name: &str,
    support: TaskSupport,
    asked: bool,
    meta: Option<&Meta>,
    era: &Era,
) -> Result<bool, ErrorObject> {
    match era {
        Era::Stateless { .. } => match support {
            TaskSupport::Forbidden => Ok(false),
            _ if tasks::declares_extension(meta) => Ok(true),
            TaskSupport::Required => Err(tasks::missing_extension()),
            TaskSupport::Optional => Ok(false),
        },
        Era::Handshake(version) if *version >= ProtocolVersion::V2025_11_25 => match (support, asked) {
            (TaskSupport::Forbidden, true) => {
                let declared = server.registry().tools.values().any(|r| r.task_support != TaskSupport::Forbidden);
                match declared {
                    true => Err(ErrorObject::new(
                        ErrorCode::METHOD_NOT_FOUND,
                        format!("tool `{name}` does not run as a task; call it without `task`"),
                    )),
                    false => Ok(false),
                }
            }
            (TaskSupport::Required, false) => Err(ErrorObject::new(
                ErrorCode::METHOD_NOT_FOUND,
                format!("tool `{name}` runs only as a task; call it with `task`"),
            )),
            (_, asked) => Ok(asked),
        },
        Era::Handshake(_) => Ok(false),
    }
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

macro_rules! extension_result {
    ($($result:ty),*) => {$(
        impl StatelessResult for $result {
            fn common(&mut self) -> (&mut Option<ResultType>, &mut Option<Meta>) {
                (&mut self.result_type, &mut self.meta)
            }
        }
    )*};
}

macro_rules! cacheable_extension_result {
    ($($result:ty),*) => {$(
        impl StatelessResult for $result {
            fn common(&mut self) -> (&mut Option<ResultType>, &mut Option<Meta>) {
                (&mut self.result_type, &mut self.meta)
            }

            fn cache(&mut self) -> Option<(&mut Option<u64>, &mut Option<mcpwire_protocol::types::CacheScope>)> {
                Some((&mut self.ttl_ms, &mut self.cache_scope))
            }
        }
    )*};
}

extension_result!(mcpwire_protocol::types::DetailedTask, TaskAckResult, ReadResourceDirectoryResult);
cacheable_extension_result!(ListSkillsResult, GetSkillResult);

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
