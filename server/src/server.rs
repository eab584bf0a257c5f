//! The `Server`: what it serves (tools, resources, prompts, custom methods),
//! who it serves (live sessions), and the builder that puts it together.

use std::any::{Any, TypeId};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use indexmap::IndexMap;
use mcpwire_protocol::types::{
    CacheScope, CompleteRequestParams, CompleteResult, Implementation, JsonObject, PromptsCapability,
    ResourceUpdatedNotificationParams, ResourcesCapability, SKILLS_EXTENSION, ServerCapabilities,
    ServerTaskRequestsCapability, ServerTasksCapability, TASKS_EXTENSION, TaskSupport, ToolsCapability,
    ToolsTaskCapability,
};
use mcpwire_protocol::{
    ClientRequest, EmptyParams, ErrorObject, ProtocolVersion, RawJson, RequestMethod, ServerNotification, parse_params,
};
use mcpwire_transport::{Connection, Incoming, OutgoingMessageSender, TransportConfig};
use tokio::sync::mpsc;

use crate::handler::{PromptRoute, ResourceRoute, ResourceTemplateRoute};
use crate::input::StateKey;
use crate::listen::{List, Listeners};
use crate::session::Sessions;
use crate::tasks::{MemoryTaskStore, TaskStore, Tasks};
use crate::tool::{BoxFuture, ToolRoute};
use crate::{Error, HandlerError, RequestContext, Skills, TaskConfig, processor};

/// Limits and timings of a server, and what it tells clients about caching.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Handlers that may run at once per session. A request beyond it is
    /// answered at once with "server overloaded" (-32000), because the reader
    /// must never block: a running handler may be waiting for the client's
    /// answer to its own request, which only the reader can deliver.
    pub max_concurrent_requests: usize,
    /// Items per page of `tools/list`, `resources/list` and friends.
    pub page_size: usize,
    /// At shutdown, how long running handlers may take to finish before they
    /// are stopped, each answered with -32000 "the server is shutting down".
    /// Also how long the client then gets to read what is queued. Short: the
    /// whole shutdown must take under a second.
    pub shutdown_grace: Duration,
    /// Seals the `requestState` of input-required results (2026-07-28).
    /// Random by default, which serves one process; processes that share
    /// requests (behind a load balancer) must share the key.
    pub request_state_key: StateKey,
    /// How long a `requestState` stays valid: how long a client may take to
    /// answer a round's questions.
    pub request_state_ttl: Duration,
    /// `subscriptions/listen` streams one connection may hold open at once
    /// (2026-07-28; over HTTP every stream is its own request).
    pub max_listens_per_connection: usize,
    /// Resource URIs one `subscriptions/listen` may subscribe to.
    pub max_listen_uris: usize,
    /// Resources one session may be subscribed to at once with
    /// `resources/subscribe`; one more is refused with -32602 until the client
    /// unsubscribes from another. With `max_subscription_uri_bytes`, bounds
    /// what a session's subscriptions hold (4 MiB by default).
    pub max_subscriptions_per_session: usize,
    /// The longest URI `resources/subscribe` accepts; a longer one is refused
    /// with -32602 and not kept. The message size limit alone would let each
    /// subscription hold 8 MiB.
    pub max_subscription_uri_bytes: usize,
    /// Cache hints on cacheable results (2026-07-28).
    pub cache: CacheConfig,
    /// Tasks: TTLs, poll interval, and the default store's limits.
    pub tasks: TaskConfig,
    /// Limits of each connection.
    pub transport: TransportConfig,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            max_concurrent_requests: 1024,
            page_size: 100,
            shutdown_grace: Duration::from_millis(300),
            request_state_key: StateKey::random(),
            request_state_ttl: Duration::from_secs(10 * 60),
            max_listens_per_connection: 16,
            max_listen_uris: 1024,
            // Far more than a client watches at once; still a bound.
            max_subscriptions_per_session: 1024,
            // Linux's PATH_MAX: room for any file URI, and for most URLs.
            max_subscription_uri_bytes: 4096,
            cache: CacheConfig::default(),
            tasks: TaskConfig::default(),
            transport: TransportConfig::default(),
        }
    }
}

/// How long a client may keep a result, and who may share the cached copy
/// (2026-07-28's `ttlMs` and `cacheScope`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheHint {
    /// How long the result stays fresh; zero means "do not reuse it".
    pub ttl: Duration,
    /// `Public`: the same for every user, any cache may share it. `Private`:
    /// only for the client (and user) that asked.
    pub scope: CacheScope,
}

impl CacheHint {
    /// Not to be reused: fetch it again every time.
    pub const NONE: Self = Self { ttl: Duration::ZERO, scope: CacheScope::Private };
}

/// The cache hints a server gives, by kind of result. A resource route may
/// set its own ([`ResourceRoute::cache_hint`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheConfig {
    /// `server/discover`: what the server is changes only with a restart or
    /// a registration, and is the same for everyone.
    pub discover: CacheHint,
    /// The four lists. They are the same for every client (lists must not
    /// vary by connection) and a change is announced on listen streams.
    pub lists: CacheHint,
    /// `resources/read`, unless the resource says otherwise: contents may
    /// change at any time and may be the user's own, so by default not reused.
    pub reads: CacheHint,
}

impl Default for CacheConfig {
    fn default() -> Self {
        let minute_public = CacheHint { ttl: Duration::from_secs(60), scope: CacheScope::Public };
        Self { discover: minute_public, lists: minute_public, reads: CacheHint::NONE }
    }
}

pub(crate) type CompleteFn =
    dyn Fn(CompleteRequestParams, RequestContext) -> BoxFuture<Result<CompleteResult, HandlerError>> + Send + Sync;
pub(crate) type MethodFn =
    dyn Fn(Option<RawJson>, RequestContext) -> BoxFuture<Result<RawJson, ErrorObject>> + Send + Sync;

/// What a server serves; changes at run time notify every session.
#[derive(Default)]
pub(crate) struct Registry {
    pub(crate) tools: IndexMap<String, ToolRoute>,
    pub(crate) resources: IndexMap<String, ResourceRoute>,
    pub(crate) templates: Vec<ResourceTemplateRoute>,
    pub(crate) prompts: IndexMap<String, PromptRoute>,
}

/// What a server speaks on top of JSON-RPC 2.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol {
    /// MCP: the lifecycle, tools, resources, prompts, and custom methods beside them.
    Mcp,
    /// Plain JSON-RPC 2.0: only the custom methods, no lifecycle.
    JsonRpc,
}

/// Values the builder was given for handlers to share, by type.
pub(crate) type States = HashMap<TypeId, Arc<dyn Any + Send + Sync>>;

pub(crate) struct Inner {
    pub(crate) info: Implementation,
    pub(crate) protocol: Protocol,
    /// Shared state for handlers ([`ServerBuilder::state`]).
    pub(crate) states: States,
    pub(crate) instructions: Option<String>,
    pub(crate) config: ServerConfig,
    pub(crate) registry: RwLock<Registry>,
    pub(crate) completion: Option<Arc<CompleteFn>>,
    pub(crate) methods: HashMap<String, Arc<MethodFn>>,
    pub(crate) sessions: Sessions,
    /// Open `subscriptions/listen` streams (2026-07-28).
    pub(crate) listeners: Listeners,
    /// Tool calls running as tasks, and the store that keeps them.
    pub(crate) tasks: Arc<Tasks>,
    /// Skills (SEP-2640), when the server serves any.
    pub(crate) skills: Option<Arc<crate::skills::Served>>,
    /// The name every stateless result gives its server: `info`'s name and
    /// version, as JSON, for a result that has a `_meta` of its own. The
    /// whole `info` (title, description, icons, website) is for
    /// `server/discover` and `initialize`; repeated in every result it would
    /// weigh on each one (an icon as a data URI, kilobytes).
    pub(crate) server_info: serde_json::Value,
    /// `"_meta":{"io.modelcontextprotocol/serverInfo": {name, version}}` as
    /// text, the first member of every other stateless result.
    pub(crate) server_meta: String,
    /// `"resultType":"complete",` and `server_meta`: the members a complete
    /// stateless result without either gains, spliced in as text.
    pub(crate) complete_meta: String,
}

/// An MCP server: cheap to clone, and every clone is the same server.
///
/// Build one with [`Server::builder`], then serve it over stdio
/// ([`serve_stdio`](Self::serve_stdio)), any byte stream
/// ([`serve_connection`](Self::serve_connection)), or a transport of your own
/// ([`serve_session`](Self::serve_session)).
#[derive(Clone)]
pub struct Server {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server").field("info", &self.inner.info).finish_non_exhaustive()
    }
}

impl Server {
    /// Start building a server that introduces itself with this name and version.
    pub fn builder(name: impl Into<String>, version: impl Into<String>) -> ServerBuilder {
        let info = Implementation { name: name.into(), version: version.into(), ..Implementation::default() };
        ServerBuilder::new(info)
    }

    /// Start building a plain JSON-RPC 2.0 server: only the methods
    /// registered with [`ServerBuilder::method`], answered from the first
    /// message, with no MCP lifecycle (no `initialize`) and no MCP methods
    /// (-32601). Everything else is the same: the transports, cancellation
    /// with `notifications/cancelled`, overload, shutdown, `RequestContext`.
    pub fn json_rpc(name: impl Into<String>, version: impl Into<String>) -> ServerBuilder {
        let mut builder = Self::builder(name, version);
        builder.protocol = Protocol::JsonRpc;
        builder
    }

    /// The value of type `S` given to [`ServerBuilder::state`], if any.
    pub fn state<S: Send + Sync + 'static>(&self) -> Option<&S> {
        self.inner.states.get(&TypeId::of::<S>()).and_then(|state| state.downcast_ref())
    }

    /// The server's name, version and other details, as `initialize` reports them.
    pub fn info(&self) -> &Implementation {
        &self.inner.info
    }

    /// The server's limits.
    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    /// The capabilities `initialize` declares, derived from what is registered:
    /// tools, resources and prompts each when there is at least one (all three
    /// may change at run time, so each declares `listChanged`), resources with
    /// `subscribe`, completions when a completion handler is set, and logging always.
    pub fn capabilities(&self) -> ServerCapabilities {
        let registry = self.registry();
        let has_resources = !registry.resources.is_empty() || !registry.templates.is_empty();
        ServerCapabilities {
            tools: (!registry.tools.is_empty()).then_some(ToolsCapability { list_changed: Some(true) }),
            resources: has_resources.then_some(ResourcesCapability { subscribe: Some(true), list_changed: Some(true) }),
            prompts: (!registry.prompts.is_empty()).then_some(PromptsCapability { list_changed: Some(true) }),
            logging: Some(Default::default()),
            completions: self.inner.completion.is_some().then(Default::default),
            ..ServerCapabilities::default()
        }
    }

    /// The capabilities as a client of `version` sees them: what
    /// [`capabilities`](Self::capabilities) says, plus the task support of
    /// that revision (2025-11-25's `tasks`, or the tasks extension in the
    /// stateless era) when a tool can run as a task, and the skills
    /// extension when the server serves skills.
    pub(crate) fn capabilities_at(&self, version: ProtocolVersion) -> ServerCapabilities {
        let mut capabilities = self.capabilities();
        let tasks = self.registry().tools.values().any(|route| route.task_support != TaskSupport::Forbidden);
        if version.is_stateless() {
            let mut extensions = BTreeMap::new();
            if tasks {
                extensions.insert(TASKS_EXTENSION.to_owned(), JsonObject::new());
            }
            if self.inner.skills.is_some() {
                let settings: JsonObject =
                    [("directoryRead".to_owned(), serde_json::Value::Bool(true))].into_iter().collect();
                extensions.insert(SKILLS_EXTENSION.to_owned(), settings);
            }
            capabilities.extensions = (!extensions.is_empty()).then_some(extensions);
        } else if tasks && version >= ProtocolVersion::V2025_11_25 {
            capabilities.tasks = Some(ServerTasksCapability {
                list: Some(JsonObject::new()),
                cancel: Some(JsonObject::new()),
                requests: Some(ServerTaskRequestsCapability {
                    tools: Some(ToolsTaskCapability { call: Some(JsonObject::new()) }),
                }),
            });
        }
        capabilities
    }

    /// Serve one client over stdin and stdout until it closes its side or
    /// `shutdown` resolves; then cancel what is running and flush.
    ///
    /// # Errors
    /// When the final flush fails for a reason other than the client having
    /// closed its end.
    pub async fn serve_stdio(&self, shutdown: impl Future<Output = ()>) -> Result<(), Error> {
        self.serve_connection(Connection::stdio(&self.inner.config.transport), shutdown).await
    }

    /// Serve one client over a connection until it closes or `shutdown`
    /// resolves; then stop reading, cancel running handlers, resolve our
    /// requests to the client, and write what is queued (waiting at most
    /// `shutdown_grace` for the client to read it).
    ///
    /// # Errors
    /// When the final flush fails for a reason other than the client having
    /// closed its end.
    pub async fn serve_connection(
        &self,
        mut connection: Connection,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), Error> {
        let sender = Arc::clone(&connection.sender);
        self.serve_session(&mut connection.incoming, sender, shutdown).await;
        // A client that stopped reading would make the final flush wait
        // forever; what it has not read by then it will not read.
        match connection.shutdown_within(self.inner.config.shutdown_grace).await {
            Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Io(error)),
            _ => Ok(()),
        }
    }

    /// Serve Streamable HTTP on `listener` (one endpoint, `config.path`) until
    /// `shutdown` resolves: every session a client initializes gets its own
    /// processor, as a stdio connection would, and every stateless request
    /// (2026-07-28) is checked, routed and run on its own, answered on its own
    /// response (see the `http` module for the checks). At shutdown it first
    /// drains: new connections are refused, and requests still arriving on
    /// open ones are served until their clients close them (at most
    /// `config.drain_timeout`). Then listen streams end with their result,
    /// every session ends, running handlers get `shutdown_grace` to finish
    /// (the rest answer -32000 "the server is shutting down", to clients
    /// still reading), and connections close.
    ///
    /// This is [`http_service`](Self::http_service) on a listener of its own,
    /// with the connection limits of `config` around it.
    ///
    /// # Errors
    /// When the listener fails.
    #[cfg(feature = "http")]
    pub async fn serve_http(
        &self,
        listener: tokio::net::TcpListener,
        config: mcpwire_transport::http::HttpConfig,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), Error> {
        let tasks = tokio_util::task::TaskTracker::new();
        self.endpoint(config, tasks.clone()).serve(listener, shutdown).await?;
        tasks.close();
        let deadline = self.inner.config.shutdown_grace * 2;
        if tokio::time::timeout(deadline, tasks.wait()).await.is_err() {
            tracing::warn!("some sessions and requests did not wind down in time");
        }
        Ok(())
    }

    /// This server's Streamable HTTP endpoint as a `tower::Service`, to mount
    /// in an application of your own: `Router::route_service("/mcp", service)`
    /// in axum, behind the application's middleware, beside its other routes.
    /// It serves both eras exactly as [`serve_http`](Self::serve_http) does,
    /// and holds every limit of `config` but those of connections (their
    /// number and their header and idle clocks), which belong to the server
    /// that accepts them. With `config.auth`, mount
    /// [`AuthConfig::metadata_service`](mcpwire_transport::http::AuthConfig::metadata_service)
    /// at `AuthConfig::metadata_path` too. Handlers find the HTTP request's
    /// head, extensions included, in [`RequestContext::http`](crate::RequestContext::http).
    ///
    /// Call [`McpService::shutdown`](mcpwire_transport::http::McpService::shutdown)
    /// when the application begins to shut down: sessions and their open
    /// streams end then, which a graceful server waits for; running
    /// handlers get `shutdown_grace` to finish, and the rest answer -32000
    /// "the server is shutting down".
    ///
    /// # Panics
    /// Outside a Tokio runtime.
    #[cfg(feature = "http")]
    pub fn http_service(&self, config: mcpwire_transport::http::HttpConfig) -> mcpwire_transport::http::McpService {
        self.endpoint(config, tokio_util::task::TaskTracker::new())
    }

    #[cfg(feature = "http")]
    fn endpoint(
        &self,
        config: mcpwire_transport::http::HttpConfig,
        tasks: tokio_util::task::TaskTracker,
    ) -> mcpwire_transport::http::McpService {
        let closing = tokio_util::sync::CancellationToken::new();
        let shutting_down = std::sync::Arc::default();
        let endpoint =
            crate::http::Endpoint { server: self.clone(), tasks, closing, shutting_down, declared: Default::default() };
        mcpwire_transport::http::McpService::new(config, endpoint)
    }

    /// Run the message processor of one session over any transport: requests
    /// and notifications come in on `incoming`, everything goes out through
    /// `sender`. Returns when `incoming` ends, the sender closes, or `shutdown`
    /// resolves, after running handlers finished or were cancelled.
    pub async fn serve_session(
        &self,
        incoming: &mut mpsc::Receiver<Incoming>,
        sender: Arc<OutgoingMessageSender>,
        shutdown: impl Future<Output = ()>,
    ) {
        processor::run(self.clone(), incoming, sender, shutdown).await;
    }

    /// Add or replace a tool, and tell every client the list changed.
    pub fn add_tool(&self, route: ToolRoute) {
        self.registry_mut().tools.insert(route.tool.name.clone(), route);
        self.broadcast(List::Tools);
    }

    /// Remove a tool; `true` if it existed (and clients were told).
    pub fn remove_tool(&self, name: &str) -> bool {
        let removed = self.registry_mut().tools.shift_remove(name).is_some();
        if removed {
            self.broadcast(List::Tools);
        }
        removed
    }

    /// Add or replace a resource, and tell every client the list changed.
    pub fn add_resource(&self, route: ResourceRoute) {
        self.registry_mut().resources.insert(route.resource.uri.clone(), route);
        self.broadcast(List::Resources);
    }

    /// Remove a resource; `true` if it existed (and clients were told).
    pub fn remove_resource(&self, uri: &str) -> bool {
        let removed = self.registry_mut().resources.shift_remove(uri).is_some();
        if removed {
            self.broadcast(List::Resources);
        }
        removed
    }

    /// Add or replace a prompt, and tell every client the list changed.
    pub fn add_prompt(&self, route: PromptRoute) {
        self.registry_mut().prompts.insert(route.prompt.name.clone(), route);
        self.broadcast(List::Prompts);
    }

    /// Remove a prompt; `true` if it existed (and clients were told).
    pub fn remove_prompt(&self, name: &str) -> bool {
        let removed = self.registry_mut().prompts.shift_remove(name).is_some();
        if removed {
            self.broadcast(List::Prompts);
        }
        removed
    }

    /// Tell clients the tool list changed without changing the registry:
    /// for tools whose definitions come from elsewhere (a handler's own
    /// state). Sessions get `notifications/tools/list_changed`, and so do
    /// listen streams that asked for it.
    pub fn notify_tools_changed(&self) {
        self.broadcast(List::Tools);
    }

    /// As [`notify_tools_changed`](Self::notify_tools_changed), for prompts.
    pub fn notify_prompts_changed(&self) {
        self.broadcast(List::Prompts);
    }

    /// As [`notify_tools_changed`](Self::notify_tools_changed), for resources.
    pub fn notify_resources_changed(&self) {
        self.broadcast(List::Resources);
    }

    /// Tell every client subscribed to `uri` that the resource changed
    /// (`notifications/resources/updated`): sessions that subscribed with
    /// `resources/subscribe`, and listen streams (2026-07-28) that named it.
    pub fn notify_resource_updated(&self, uri: &str) {
        for session in self.inner.sessions.snapshot() {
            if session.is_subscribed(uri) {
                let params = ResourceUpdatedNotificationParams { uri: uri.to_owned(), ..Default::default() };
                session.sender.try_send_server_notification(ServerNotification::ResourceUpdated(params));
            }
        }
        self.inner.listeners.resource_updated(uri);
    }

    /// Tell every initialized session and every listen stream that asked for
    /// it that `list` changed. It cannot wait (the caller may hold no
    /// runtime), so a client that reads too slowly gets the list-changed
    /// notifications coalesced into one.
    fn broadcast(&self, list: List) {
        let notification = || match list {
            List::Tools => ServerNotification::ToolListChanged(EmptyParams::default()),
            List::Prompts => ServerNotification::PromptListChanged(EmptyParams::default()),
            List::Resources => ServerNotification::ResourceListChanged(EmptyParams::default()),
        };
        for session in self.inner.sessions.snapshot() {
            if session.handshake().is_some() {
                session.sender.try_send_server_notification(notification());
            }
        }
        self.inner.listeners.list_changed(list);
    }

    pub(crate) fn registry(&self) -> std::sync::RwLockReadGuard<'_, Registry> {
        self.inner.registry.read().expect("registry lock")
    }

    fn registry_mut(&self) -> std::sync::RwLockWriteGuard<'_, Registry> {
        self.inner.registry.write().expect("registry lock")
    }
}

/// Builds a [`Server`].
#[must_use = "a builder does nothing until `build` is called"]
pub struct ServerBuilder {
    info: Implementation,
    protocol: Protocol,
    states: States,
    instructions: Option<String>,
    config: ServerConfig,
    registry: Registry,
    completion: Option<Arc<CompleteFn>>,
    methods: HashMap<String, Arc<MethodFn>>,
    task_store: Option<Arc<dyn TaskStore>>,
    skills: Option<Skills>,
}

impl fmt::Debug for ServerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerBuilder").field("info", &self.info).finish_non_exhaustive()
    }
}

impl ServerBuilder {
    /// A builder for a server that introduces itself with `info` (name,
    /// version, and optionally title, description, icons, website).
    pub fn new(info: Implementation) -> Self {
        Self {
            info,
            protocol: Protocol::Mcp,
            states: States::new(),
            instructions: None,
            config: ServerConfig::default(),
            registry: Registry::default(),
            completion: None,
            methods: HashMap::new(),
            task_store: None,
            skills: None,
        }
    }

    /// A value every handler can reach with [`RequestContext::state`]: a
    /// database pool, a client, configuration. One value per type; giving
    /// the same type twice keeps the second.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// use mcpwire_server::{Server, ToolRoute};
    /// use mcpwire_server::protocol::types::Tool;
    ///
    /// #[derive(Default)]
    /// struct Counter(AtomicU64);
    ///
    /// let count = ToolRoute::new(Tool::new("count", "Counts its calls"), |ctx| async move {
    ///     let calls = ctx.state::<Counter>().0.fetch_add(1, Ordering::Relaxed) + 1;
    ///     Ok(calls.to_string())
    /// });
    /// let server = Server::builder("counter", "1.0.0").state(Counter::default()).tool(count).build();
    /// assert!(server.state::<Counter>().is_some());
    /// ```
    pub fn state<S: Send + Sync + 'static>(mut self, state: S) -> Self {
        self.states.insert(TypeId::of::<S>(), Arc::new(state));
        self
    }

    /// Serve these skills (SEP-2640): each file as a resource
    /// (`skill://<path>/<file>`), `skills/list` and `skills/get` with their
    /// manifests, and `resources/directory/read`; the server declares the
    /// `io.modelcontextprotocol/skills` extension. Calling it again adds to
    /// the skills served (a skill served already stays as it was).
    pub fn skills(mut self, skills: Skills) -> Self {
        let merged = match self.skills.take() {
            None => skills,
            Some(mut served) => {
                served.extend(skills);
                served
            }
        };
        self.skills = Some(merged);
        self
    }

    /// Keep tasks in `store` instead of this process's memory: for processes
    /// behind one load balancer, which must all see every task. The limits of
    /// [`TaskConfig`] then are the store's business.
    pub fn task_store(mut self, store: Arc<dyn TaskStore>) -> Self {
        self.task_store = Some(store);
        self
    }

    /// Guidance for the model about how to use this server.
    pub fn instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }

    /// Limits and timings.
    pub fn config(mut self, config: ServerConfig) -> Self {
        self.config = config;
        self
    }

    /// Register a tool.
    pub fn tool(mut self, route: ToolRoute) -> Self {
        self.registry.tools.insert(route.tool.name.clone(), route);
        self
    }

    /// Register a resource at a fixed URI.
    pub fn resource(mut self, route: ResourceRoute) -> Self {
        self.registry.resources.insert(route.resource.uri.clone(), route);
        self
    }

    /// Register a resource template; templates are tried in registration
    /// order after the fixed URIs.
    pub fn resource_template(mut self, route: ResourceTemplateRoute) -> Self {
        self.registry.templates.push(route);
        self
    }

    /// Register a prompt.
    pub fn prompt(mut self, route: PromptRoute) -> Self {
        self.registry.prompts.insert(route.prompt.name.clone(), route);
        self
    }

    /// Answer `completion/complete` (argument autocompletion for prompts and
    /// resource templates); declares the `completions` capability.
    pub fn completion<F, Fut>(mut self, handler: F) -> Self
    where
        F: Fn(CompleteRequestParams, RequestContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<CompleteResult, HandlerError>> + Send + 'static,
    {
        self.completion = Some(Arc::new(move |params, ctx| Box::pin(handler(params, ctx))));
        self
    }

    /// Register a custom (non-MCP) request method, typed by its marker: the
    /// params are parsed as `R::Params` (-32602 if they do not fit) and the
    /// result serialised from `R::Result`.
    ///
    /// # Panics
    /// If `R::METHOD` is an MCP method, or one of the extensions it serves
    /// (tasks, skills): those are the framework's to answer.
    pub fn method<R, F, Fut>(mut self, handler: F) -> Self
    where
        R: RequestMethod,
        F: Fn(R::Params, RequestContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R::Result, HandlerError>> + Send + 'static,
    {
        let unknown = |parsed: Result<_, mcpwire_protocol::Error>| {
            matches!(parsed, Err(mcpwire_protocol::Error::UnknownMethod(_)))
        };
        assert!(
            unknown(ClientRequest::from_parts(R::METHOD, None).map(drop))
                && unknown(mcpwire_protocol::ClientExtensionRequest::from_parts(R::METHOD, None).map(drop)),
            "`{}` is an MCP method; register tools, resources and prompts instead",
            R::METHOD
        );
        let handler = Arc::new(handler);
        let method: Arc<MethodFn> = Arc::new(move |params, ctx| {
            let handler = Arc::clone(&handler);
            Box::pin(async move {
                let params = parse_params::<R::Params>(params.as_deref())
                    .map_err(|e| ErrorObject::invalid_params(format!("invalid params for `{}`: {e}", R::METHOD)))?;
                let stateless = ctx.is_stateless();
                let result = handler(params, ctx).await.map_err(|e| e.into_error_object(stateless))?;
                serde_json::value::to_raw_value(&result)
                    .map_err(|e| ErrorObject::internal_error(format!("the result could not be serialised: {e}")))
            })
        });
        self.methods.insert(R::METHOD.to_owned(), method);
        self
    }

    /// Finish building.
    pub fn build(mut self) -> Server {
        let skills = self.skills.take().filter(|skills| !skills.is_empty()).map(|skills| {
            for route in skills.routes() {
                self.registry.resources.insert(route.resource.uri.clone(), route);
            }
            let directories = skills.directories();
            Arc::new(crate::skills::Served { skills, directories })
        });
        let store = self.task_store.unwrap_or_else(|| Arc::new(MemoryTaskStore::new(&self.config.tasks)));
        let tasks = Arc::new(Tasks::new(store, self.config.tasks.clone()));
        Server {
            inner: Arc::new(Inner {
                protocol: self.protocol,
                states: self.states,
                info: self.info.clone(),
                instructions: self.instructions,
                config: self.config,
                registry: RwLock::new(self.registry),
                completion: self.completion,
                methods: self.methods,
                sessions: Sessions::default(),
                listeners: Listeners::default(),
                tasks,
                skills,
                server_info: crate::stateless::identity(&self.info),
                server_meta: crate::stateless::server_meta(&self.info),
                complete_meta: format!(
                    "\"resultType\":\"{}\",{}",
                    mcpwire_protocol::types::ResultType::COMPLETE.as_str(),
                    crate::stateless::server_meta(&self.info)
                ),
            }),
        }
    }
}
