//! Which era of MCP an HTTP request belongs to: the handshake era
//! (2024-11-05 to 2025-11-25, sessions) or the stateless one (2026-07-28 and
//! later). A dual-era endpoint decides it per request, from the request alone.
//!
//! The rule, after the spec's dual-era advice and the reference server: a
//! request whose `params._meta` names its protocol version is stateless; so is
//! anything else whose `MCP-Protocol-Version` header is present and not a
//! handshake-era revision (an unknown value too: only the stateless path can
//! answer it with the versions it supports). One exception keeps sessions
//! whole: a message that names a session (`Mcp-Session-Id`) and carries no
//! modern `_meta` belongs to that session, so a session whose client sends a
//! bad version header still gets the handshake era's 400. Stateless clients
//! never send a session id; they never receive one.

use std::fmt;
use std::sync::LazyLock;

use mcpwire_protocol::meta::keys;
use mcpwire_protocol::{ProtocolVersion, RawJson};
use memchr::memmem;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// The two ways the endpoint serves a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Era {
    /// 2025-11-25 and earlier: `initialize`, sessions, resumable streams.
    Handshake,
    /// 2026-07-28 and later: every request stands alone.
    Stateless,
}

/// What decides the era of one request.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Signals<'a> {
    /// The `MCP-Protocol-Version` header, if present.
    pub(crate) version_header: Option<&'a str>,
    /// Whether an `Mcp-Session-Id` header is present.
    pub(crate) names_session: bool,
    /// Whether the body is a request whose `params._meta` has
    /// `io.modelcontextprotocol/protocolVersion` (never for GET or DELETE).
    pub(crate) modern_meta: bool,
}

impl Signals<'_> {
    pub(crate) fn era(self) -> Era {
        if self.modern_meta {
            return Era::Stateless;
        }
        match self.version_header {
            Some(version) if !self.names_session && !is_handshake_version(version) => Era::Stateless,
            _ => Era::Handshake,
        }
    }
}

/// Whether a header value names a revision negotiated with `initialize`.
fn is_handshake_version(version: &str) -> bool {
    ProtocolVersion::parse(version.trim()).is_some_and(ProtocolVersion::uses_initialize)
}

/// Whether a request's params carry `_meta["io.modelcontextprotocol/protocolVersion"]`,
/// whatever its method and whatever the value: the owner validates it. Reads
/// only the top-level keys of `_meta`, one at a time, skipping the rest of
/// the params.
pub(crate) fn has_modern_meta(params: Option<&RawJson>) -> bool {
    #[derive(Deserialize)]
    struct Params {
        #[serde(rename = "_meta")]
        meta: Option<NamesVersion>,
    }
    let Some(params) = params else { return false };
    // Text that spells neither the key nor any escape cannot hold the key:
    // two substring searches instead of a parse, for every session request.
    static KEY: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new(keys::PROTOCOL_VERSION));
    let text = params.get().as_bytes();
    if KEY.find(text).is_none() && memchr::memchr(b'\\', text).is_none() {
        return false;
    }
    // Params that are not an object (or a `_meta` that is not one) have no
    // version to find: the request is then judged by its headers.
    serde_json::from_str::<Params>(params.get())
        .ok()
        .and_then(|params| params.meta)
        .is_some_and(|NamesVersion(names)| names)
}

/// Whether a `_meta` object has the protocol version's key.
struct NamesVersion(bool);

impl<'de> Deserialize<'de> for NamesVersion {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(NamesVersionVisitor)
    }
}

struct NamesVersionVisitor;

impl<'de> Visitor<'de> for NamesVersionVisitor {
    type Value = NamesVersion;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a `_meta` object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NamesVersion, A::Error> {
        let mut found = false;
        while let Some(IsVersionKey(is_version)) = map.next_key()? {
            found |= is_version;
            map.next_value::<IgnoredAny>()?;
        }
        Ok(NamesVersion(found))
    }
}

/// Whether a key is the protocol version's, compared as read (escapes
/// undone) without keeping it.
struct IsVersionKey(bool);

impl<'de> Deserialize<'de> for IsVersionKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl Visitor<'_> for KeyVisitor {
            type Value = IsVersionKey;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }

            fn visit_str<E: de::Error>(self, key: &str) -> Result<IsVersionKey, E> {
                Ok(IsVersionKey(key == keys::PROTOCOL_VERSION))
            }
        }

        deserializer.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_request_is_judged_by_its_meta_then_its_headers() {
        use Era::{Handshake, Stateless};
        // (header, names a session, modern _meta) → era
        let table: &[(Option<&str>, bool, bool, Era)] = &[
            // Modern _meta decides, whatever else the request says.
            (Some("2026-07-28"), false, true, Stateless),
            (Some("2025-11-25"), false, true, Stateless),
            (None, false, true, Stateless),
            (Some("2025-11-25"), true, true, Stateless),
            (Some("v999.0.0"), true, true, Stateless),
            // Without it, a header that is not a handshake revision does.
            (Some("2026-07-28"), false, false, Stateless),
            (Some("v999.0.0"), false, false, Stateless),
            (Some("1999-01-01"), false, false, Stateless),
            (Some(""), false, false, Stateless),
            // Handshake revisions, and no header at all, are the handshake era.
            (Some("2025-11-25"), false, false, Handshake),
            (Some("2025-06-18"), false, false, Handshake),
            (Some("2025-03-26"), false, false, Handshake),
            (Some(" 2024-11-05 "), false, false, Handshake),
            (None, false, false, Handshake),
            // A session's own messages stay in its era, bad header or not.
            (Some("1999-01-01"), true, false, Handshake),
            (Some("2026-07-28"), true, false, Handshake),
            (None, true, false, Handshake),
        ];
        for &(version_header, names_session, modern_meta, expected) in table {
            let signals = Signals { version_header, names_session, modern_meta };
            assert_eq!(signals.era(), expected, "{signals:?}");
        }
    }

    #[test]
    fn modern_meta_is_the_protocol_version_key_of_params_meta() {
        let raw = |text: &str| serde_json::value::RawValue::from_string(text.to_owned()).unwrap();
        let yes = [
            r#"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}"#,
            r#"{"name":"x","_meta":{"progressToken":1,"io.modelcontextprotocol/protocolVersion":"v999.0.0"}}"#,
            // Any value: whether it is a supported one is for the owner to say.
            r#"{"_meta":{"io.modelcontextprotocol/protocolVersion":null}}"#,
            // An escaped key is the same key.
            r#"{"_meta":{"io.modelcontextprotocol\/protocolVersion":"2026-07-28"}}"#,
        ];
        for params in yes {
            assert!(has_modern_meta(Some(&raw(params))), "{params}");
        }
        let no = [
            r"{}",
            r#"{"_meta":{}}"#,
            r#"{"_meta":null}"#,
            r#"{"_meta":{"io.modelcontextprotocol/clientCapabilities":{}}}"#,
            r#"{"protocolVersion":"2026-07-28","io.modelcontextprotocol/protocolVersion":"2026-07-28"}"#,
            r#"{"_meta":["io.modelcontextprotocol/protocolVersion"]}"#,
            r"[1,2]",
            r"null",
        ];
        for params in no {
            assert!(!has_modern_meta(Some(&raw(params))), "{params}");
        }
        assert!(!has_modern_meta(None));
    }
}
