//! The stateless era (2026-07-28): what a request's `_meta` declares in place
//! of a session, and how results of that era look.
//!
//! A request whose `_meta` names its protocol version is served from that
//! `_meta` alone: the version, the client's capabilities and name, and the
//! log level it wants. Its result says what kind it is (`resultType`), names
//! the server (`_meta` serverInfo), and, when cacheable, for how long and for
//! whom. Nothing about the request outlives it in this process, so any
//! process can answer any request.

use mcpwire_protocol::RequestId;
use mcpwire_protocol::meta::keys;
use mcpwire_protocol::types::{
    CacheScope, CallToolResult, ClientCapabilities, CompleteResult, DiscoverResult, GetPromptResult, Implementation,
    InputRequiredResult, ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, ListToolsResult,
    LoggingLevel, ReadResourceResult, ResultType, SubscriptionsListenResult, UnsupportedProtocolVersionErrorData,
};
use mcpwire_protocol::{ClientRequest, ErrorCode, ErrorObject, Meta, ProtocolVersion};
use mcpwire_transport::EncodedResponse;
use std::borrow::Cow;
use std::sync::Arc;

use serde::Deserialize as _;
use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::processor::routes;
use crate::session::Handshake;
use crate::{CacheHint, Server};

/// The revisions served statelessly, newest first.
pub(crate) fn versions() -> Vec<String> {
    ProtocolVersion::ALL.iter().rev().filter(|v| v.is_stateless()).map(|v| v.as_str().to_owned()).collect()
}

/// What a stateless request's `_meta` declares, its version still unchecked.
pub(crate) struct Declaration<'a> {
    /// The version as sent.
    pub(crate) version: Cow<'a, str>,
    pub(crate) log_level: Option<LoggingLevel>,
}

/// The longest `_meta` text whose declaration is remembered: far more than a
/// client's version, capabilities and name take, and little to keep.
const MAX_REMEMBERED_META: usize = 4096;

/// The `_meta` text of the last stateless request and what it declared, once
/// accepted. A client sends the same `_meta` (version, capabilities, name)
/// with each request; comparing the text instead of reading it again took a
/// stateless echo call from 24.7k to 21.8k instructions over stdio, and from
/// 51.3k to 49.0k over HTTP (callgrind). The text also lets the next request's
/// params be parsed without their `_meta` ([`parse`]).
#[derive(Debug, Default, Clone)]
pub(crate) struct Remembered(Option<(Arc<RawValue>, ProtocolVersion, Option<LoggingLevel>)>);

impl Remembered {
    /// The version and log level `text` declared, if it is the text remembered.
    pub(crate) fn get(&self, text: &str) -> Option<(ProtocolVersion, Option<LoggingLevel>)> {
        self.0.as_ref().filter(|(last, ..)| last.get() == text).map(|(_, version, level)| (*version, *level))
    }

    /// The text remembered, if any.
    pub(crate) fn text(&self) -> Option<&RawValue> {
        self.0.as_ref().map(|(text, ..)| &**text)
    }

    /// Remember that `meta` alone declared `version` and `log_level` (a long
    /// text is not kept, nor one read from something else than text).
    pub(crate) fn remember(&mut self, meta: &Meta, version: ProtocolVersion, log_level: Option<LoggingLevel>) {
        let Some(text) = meta.json_text().filter(|text| text.len() <= MAX_REMEMBERED_META) else { return };
        if self.get(text).is_some() {
            return;
        }
        // Read once more, on the rare request that changes what is remembered.
        if let Ok(text) = RawValue::from_string(text.to_owned()) {
            self.0 = Some((Arc::from(text), version, log_level));
        }
    }
}

/// A client request, parsed without reading its `_meta` again when that is
/// the `known` text ([`ClientRequest::from_parts_known_meta`]).
pub(crate) fn parse(
    method: &str,
    params: Option<&RawValue>,
    known: Option<&RawValue>,
) -> Result<ClientRequest, mcpwire_protocol::Error> {
    if let (Some(params), Some(known)) = (params, known)
        && let Some(request) = ClientRequest::from_parts_known_meta(method, params, known)
    {
        return Ok(request);
    }
    ClientRequest::from_parts(method, params)
}

/// Whether a request is of the stateless era and, if it is, what its
/// `_meta` declares (-32602 when a member every such request carries is
/// missing). It is when its `_meta` names a version or declares the
/// client's capabilities (then a missing version is the client's mistake,
/// not a session's missing `initialize`), or its method exists only in that
/// era. The version is checked apart ([`Declaration::accept`]), because over
/// HTTP its header is compared with it first. The client's capabilities and
/// name are read only when a handler asks for them ([`handshake`]).
pub(crate) fn declaration<'a>(method: &str, meta: Option<&'a Meta>) -> Option<Result<Declaration<'a>, ErrorObject>> {
    use mcpwire_protocol::meta::Presence;
    use mcpwire_protocol::{DiscoverRequest, RequestMethod, SubscriptionsListenRequest};
    let declared = match meta.map(Meta::declaration) {
        Some(Ok(declared)) => Some(declared),
        Some(Err(error)) => {
            return Some(Err(ErrorObject::invalid_params(format!("invalid `{}`: {error}", keys::LOG_LEVEL))));
        }
        None => None,
    };
    let modern =
        declared.as_ref().is_some_and(|d| d.protocol_version.is_some() || d.client_capabilities != Presence::Absent)
            || method == DiscoverRequest::METHOD
            || method == SubscriptionsListenRequest::METHOD;
    if !modern {
        return None;
    }
    Some(required(declared))
}

/// The members a stateless request must carry, or -32602 saying which is missing.
pub(crate) fn required(
    declared: Option<mcpwire_protocol::meta::Declaration<'_>>,
) -> Result<Declaration<'_>, ErrorObject> {
    use mcpwire_protocol::meta::Presence;
    let missing = |what: &str| {
        ErrorObject::invalid_params(format!(
            "a 2026-07-28 request must carry `_meta` with `{}` and `{}`: {what}",
            keys::PROTOCOL_VERSION,
            keys::CLIENT_CAPABILITIES
        ))
    };
    let declared = declared.ok_or_else(|| missing("there is no `_meta`"))?;
    let version =
        declared.protocol_version.ok_or_else(|| missing("the protocol version is missing or not a string"))?;
    match declared.client_capabilities {
        Presence::Present => {}
        Presence::Malformed => return Err(missing("the client capabilities are not an object")),
        Presence::Absent => return Err(missing("the client capabilities are missing")),
    }
    Ok(Declaration { version, log_level: declared.log_level })
}

impl Declaration<'_> {
    /// The version, once it is known to be served statelessly (-32022,
    /// naming the versions that are, otherwise).
    pub(crate) fn accept(&self) -> Result<ProtocolVersion, ErrorObject> {
        if let Some(version) = ProtocolVersion::parse(&self.version).filter(|v| v.is_stateless()) {
            return Ok(version);
        }
        let mut error = ErrorObject::from(UnsupportedProtocolVersionErrorData {
            supported: versions(),
            requested: self.version.clone().into_owned(),
        });
        if ProtocolVersion::parse(&self.version).is_some_and(ProtocolVersion::uses_initialize) {
            error.message = format!("{}: {} is served after `initialize`", error.message, self.version).into();
        }
        Err(error)
    }
}

/// What a stateless request declared about its client, as a handshake would
/// have: its capabilities and name, from its `_meta`. A capability whose
/// shape does not parse counts as not declared.
pub(crate) fn handshake(version: ProtocolVersion, meta: Option<&Meta>) -> Handshake {
    let read = |key| meta.and_then(|meta| meta.get(key));
    let client_capabilities =
        read(keys::CLIENT_CAPABILITIES).and_then(|v| ClientCapabilities::deserialize(v).ok()).unwrap_or_default();
    let client_info = read(keys::CLIENT_INFO).and_then(|v| Implementation::deserialize(v).ok()).unwrap_or_default();
    Handshake { version, client_capabilities, client_info }
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

/// `server/discover`: what `initialize` used to say, cacheable, with the
/// whole `Implementation` as the server's name (other results carry only its
/// name and version).
pub(crate) fn discover(server: &Server) -> DiscoverResult {
    let mut meta = Meta::new();
    meta.insert(keys::SERVER_INFO, serde_json::to_value(server.info()).expect("an Implementation serialises"));
    DiscoverResult {
        supported_versions: versions(),
        capabilities: server.capabilities(),
        instructions: server.inner.instructions.clone(),
        meta: Some(meta),
        ..DiscoverResult::default()
    }
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

/// The answer to request `id` in the stateless era: `result` with its
/// `resultType` (unless the handler chose one), for a cacheable result
/// `hint` (unless the handler set its own), and the server's name and
/// version in `_meta`.
///
/// The `_meta` is written from text serialised once per server, in front of
/// the result's own members: building it as a map and serialising it on
/// every answer cost a sixth of a stateless call (callgrind, echo). A
/// result whose handler set a `_meta` of its own gets the entry added to it,
/// unless it names the server itself.
pub(crate) fn reply<R: StatelessResult + Serialize>(
    server: &Server,
    id: &RequestId,
    mut result: R,
    hint: Option<CacheHint>,
) -> Result<EncodedResponse, ErrorObject> {
    if let (Some((ttl_ms, scope)), Some(hint)) = (result.cache(), hint) {
        ttl_ms.get_or_insert(u64::try_from(hint.ttl.as_millis()).unwrap_or(u64::MAX));
        scope.get_or_insert(hint.scope);
    }
    let (result_type, meta) = result.common();
    if let Some(meta) = meta {
        result_type.get_or_insert(ResultType::COMPLETE);
        // `server/discover` names the server in full already.
        if meta.get(keys::SERVER_INFO).is_none() {
            meta.insert(keys::SERVER_INFO, server.inner.server_info.clone());
        }
        return routes::reply(id, &result);
    }
    // The usual case: members that are the same text in every result, spliced
    // in rather than serialised each time.
    let members = match result_type {
        Some(_) => &server.inner.server_meta,
        None => &server.inner.complete_meta,
    };
    spliced(id, members, &result)
}

/// The `_meta` member of every stateless result, as JSON object member
/// text: the server's name and version ([`identity`]).
pub(crate) fn server_meta(info: &Implementation) -> String {
    let meta = serde_json::json!({ keys::SERVER_INFO: identity(info) });
    format!("\"_meta\":{meta}")
}

/// What names the server in every stateless result: the name and version of
/// its `Implementation`, the members the schema requires.
pub(crate) fn identity(info: &Implementation) -> Value {
    serde_json::json!({ "name": info.name, "version": info.version })
}

/// The input-required result that ends a round, from the server named in
/// its `_meta`.
pub(crate) fn reply_input_required(
    server: &Server,
    id: &RequestId,
    mut result: InputRequiredResult,
) -> Result<EncodedResponse, ErrorObject> {
    if let Some(meta) = &mut result.meta {
        meta.insert(keys::SERVER_INFO, server.inner.server_info.clone());
        return routes::reply(id, &result);
    }
    spliced(id, &server.inner.server_meta, &result)
}

/// `result`, which has none of `members` of its own, with them in front.
fn spliced(id: &RequestId, members: &str, result: &impl Serialize) -> Result<EncodedResponse, ErrorObject> {
    EncodedResponse::result_with_members(id.clone(), members, result)
        .map_err(|e| ErrorObject::internal_error(format!("the result could not be serialised: {e}")))
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
