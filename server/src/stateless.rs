//! The stateless era (2026-07-28): what a request's `_meta` declares in place
//! of a session, and how results of that era look.
//!
//! A request whose `_meta` names its protocol version is served from that
//! `_meta` alone: the version, the client's capabilities and name, and the
//! log level it wants. Its result says what kind it is (`resultType`), names
//! the server (`_meta` serverInfo), and, when cacheable, for how long and for
//! whom. Nothing about the request outlives it in this process, so any
//! process can answer any request.

use mcpwire_protocol::meta::keys;
use mcpwire_protocol::types::{
    CacheScope, CallToolResult, ClientCapabilities, CompleteResult, DiscoverResult, GetPromptResult, Implementation,
    InputRequiredResult, ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, ListToolsResult,
    LoggingLevel, ReadResourceResult, ResultType, SubscriptionsListenResult, UnsupportedProtocolVersionErrorData,
};
use mcpwire_protocol::{ErrorCode, ErrorObject, Meta, ProtocolVersion};
use serde::Deserialize as _;
use serde_json::Value;

use crate::session::Handshake;
use crate::{CacheHint, Server};

/// The revisions served statelessly, newest first.
pub(crate) fn versions() -> Vec<String> {
    ProtocolVersion::ALL.iter().rev().filter(|v| v.is_stateless()).map(|v| v.as_str().to_owned()).collect()
}

/// Whether a request is of the stateless era: its `_meta` names a version.
pub(crate) fn is_stateless(meta: Option<&Meta>) -> bool {
    meta.is_some_and(|meta| meta.get(keys::PROTOCOL_VERSION).is_some())
}

/// What a stateless request's `_meta` declares, its version still unchecked.
pub(crate) struct Declaration {
    /// The version as sent.
    pub(crate) version: String,
    pub(crate) capabilities: ClientCapabilities,
    pub(crate) client_info: Implementation,
    pub(crate) log_level: Option<LoggingLevel>,
}

/// Read the members every stateless request must carry (-32602 without
/// them); the version is checked apart, because over HTTP its header is
/// compared with it first.
pub(crate) fn declaration(meta: Option<&Meta>) -> Result<Declaration, ErrorObject> {
    let missing = |what: &str| {
        ErrorObject::invalid_params(format!(
            "a 2026-07-28 request must carry `_meta` with `{}` and `{}`: {what}",
            keys::PROTOCOL_VERSION,
            keys::CLIENT_CAPABILITIES
        ))
    };
    let meta = meta.ok_or_else(|| missing("there is no `_meta`"))?;
    let version = match meta.get(keys::PROTOCOL_VERSION) {
        Some(Value::String(version)) => version.clone(),
        Some(_) => return Err(missing("the protocol version is not a string")),
        None => return Err(missing("the protocol version is missing")),
    };
    let capabilities = match meta.get(keys::CLIENT_CAPABILITIES) {
        Some(value) => ClientCapabilities::deserialize(value)
            .map_err(|e| ErrorObject::invalid_params(format!("invalid `{}`: {e}", keys::CLIENT_CAPABILITIES)))?,
        None => return Err(missing("the client capabilities are missing")),
    };
    let client_info = match meta.get(keys::CLIENT_INFO) {
        Some(value) => Implementation::deserialize(value)
            .map_err(|e| ErrorObject::invalid_params(format!("invalid `{}`: {e}", keys::CLIENT_INFO)))?,
        None => Implementation::default(),
    };
    let log_level = match meta.get(keys::LOG_LEVEL) {
        Some(value) => Some(
            LoggingLevel::deserialize(value)
                .map_err(|e| ErrorObject::invalid_params(format!("invalid `{}`: {e}", keys::LOG_LEVEL)))?,
        ),
        None => None,
    };
    Ok(Declaration { version, capabilities, client_info, log_level })
}

impl Declaration {
    /// The declaration as a handshake, once its version is known to be served
    /// statelessly (-32022, naming the versions that are, otherwise).
    pub(crate) fn accept(self) -> Result<(Handshake, Option<LoggingLevel>), ErrorObject> {
        let version = ProtocolVersion::parse(&self.version).filter(|v| v.is_stateless());
        let Some(version) = version else {
            let mut error = ErrorObject::from(UnsupportedProtocolVersionErrorData {
                supported: versions(),
                requested: self.version.clone(),
            });
            if ProtocolVersion::parse(&self.version).is_some_and(ProtocolVersion::uses_initialize) {
                error.message = format!("{}: {} is served after `initialize`", error.message, self.version).into();
            }
            return Err(error);
        };
        let handshake = Handshake { version, client_capabilities: self.capabilities, client_info: self.client_info };
        Ok((handshake, self.log_level))
    }
}

/// Whether the stateless era removed `method`: answered -32601 whatever its
/// params, which may no longer even parse (`initialize` wants fields a
/// stateless client has no reason to send).
pub(crate) fn is_removed(method: &str) -> bool {
    use mcpwire_protocol::{
        GetTaskPayloadRequest, InitializeRequest, ListTasksRequest, PingRequest, RequestMethod, SetLevelRequest,
        SubscribeRequest, UnsubscribeRequest,
    };
    [
        InitializeRequest::METHOD,
        PingRequest::METHOD,
        SetLevelRequest::METHOD,
        SubscribeRequest::METHOD,
        UnsubscribeRequest::METHOD,
        GetTaskPayloadRequest::METHOD,
        ListTasksRequest::METHOD,
    ]
    .contains(&method)
}

/// The answer to a method the stateless era removed, or never had: -32601.
pub(crate) fn removed(method: &str) -> ErrorObject {
    ErrorObject::new(
        ErrorCode::METHOD_NOT_FOUND,
        format!("`{method}` does not exist in protocol version {}", ProtocolVersion::V2026_07_28),
    )
}

/// `server/discover`: what `initialize` used to say, cacheable.
pub(crate) fn discover(server: &Server) -> DiscoverResult {
    let mut result = DiscoverResult {
        supported_versions: versions(),
        capabilities: server.capabilities(),
        instructions: server.inner.instructions.clone(),
        ..DiscoverResult::default()
    };
    finish(server, &mut result, Some(server.config().cache.discover));
    result
}

/// A result of the stateless era: it says what kind it is and which server
/// sent it, and a cacheable one says how long it may be kept.
pub(crate) trait StatelessResult {
    /// The result's `resultType` and `_meta`.
    fn common(&mut self) -> (&mut Option<ResultType>, &mut Option<Meta>);

    /// The result's `ttlMs` and `cacheScope`, for the cacheable ones.
    fn cache(&mut self) -> Option<(&mut Option<u64>, &mut Option<CacheScope>)> {
        None
    }
}

macro_rules! stateless_result {
    ($($result:ty),*) => {$(
        impl StatelessResult for $result {
            fn common(&mut self) -> (&mut Option<ResultType>, &mut Option<Meta>) {
                (&mut self.result_type, &mut self.meta)
            }
        }
    )*};
}

macro_rules! cacheable_result {
    ($($result:ty),*) => {$(
        impl StatelessResult for $result {
            fn common(&mut self) -> (&mut Option<ResultType>, &mut Option<Meta>) {
                (&mut self.result_type, &mut self.meta)
            }

            fn cache(&mut self) -> Option<(&mut Option<u64>, &mut Option<CacheScope>)> {
                Some((&mut self.ttl_ms, &mut self.cache_scope))
            }
        }
    )*};
}

stateless_result!(CallToolResult, GetPromptResult, CompleteResult, SubscriptionsListenResult);
cacheable_result!(
    DiscoverResult,
    ListToolsResult,
    ListPromptsResult,
    ListResourcesResult,
    ListResourceTemplatesResult,
    ReadResourceResult
);

/// Give a result what the stateless era asks of it: `resultType` (unless the
/// handler chose one), the server's name and version in `_meta`, and, for a
/// cacheable result, `hint` unless the handler set its own.
pub(crate) fn finish<R: StatelessResult>(server: &Server, result: &mut R, hint: Option<CacheHint>) {
    let (result_type, meta) = result.common();
    result_type.get_or_insert(ResultType::COMPLETE);
    meta.get_or_insert_with(Meta::new).insert(keys::SERVER_INFO, server.inner.server_info.clone());
    if let (Some((ttl_ms, scope)), Some(hint)) = (result.cache(), hint) {
        ttl_ms.get_or_insert(u64::try_from(hint.ttl.as_millis()).unwrap_or(u64::MAX));
        scope.get_or_insert(hint.scope);
    }
}

/// An input-required result, from the server named in its `_meta`.
pub(crate) fn input_required(server: &Server, mut result: InputRequiredResult) -> InputRequiredResult {
    result.meta.get_or_insert_with(Meta::new).insert(keys::SERVER_INFO, server.inner.server_info.clone());
    result
}

/// A custom method's result in the stateless era: an object gets
/// `resultType` and the server's name, like every other result.
pub(crate) fn finish_raw(server: &Server, result: &mut Value) {
    let Value::Object(object) = result else { return };
    object.entry("resultType").or_insert_with(|| Value::from(ResultType::COMPLETE.as_str()));
    let meta = object.entry("_meta").or_insert_with(|| Value::Object(serde_json::Map::new()));
    if let Value::Object(meta) = meta {
        meta.entry(keys::SERVER_INFO).or_insert_with(|| server.inner.server_info.clone());
    }
}
