//! MCP protocol revisions, and what each one supports.
//!
//! A version is a value carried by a session (2024-11-05 to 2025-11-25, agreed
//! in `initialize`) or by each request (2026-07-28, in `_meta`), never a global.
//! Code asks the version what it may do (`version.supports_elicitation()`)
//! instead of comparing dates.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A dated revision of the Model Context Protocol.
///
/// Ordered by date, so `v >= ProtocolVersion::V2025_06_18` reads as "at least".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ProtocolVersion {
    /// The first dated revision: `initialize`, tools, resources, prompts, sampling.
    V2024_11_05,
    /// Streamable HTTP, JSON-RPC batches, tool annotations, audio.
    V2025_03_26,
    /// Structured tool output, elicitation, resource links; batches removed.
    V2025_06_18,
    /// Icons, tasks, URL-mode elicitation, sampling with tools.
    V2025_11_25,
    /// The stateless redesign: no `initialize`, per-request `_meta`, input-required results.
    V2026_07_28,
}

impl ProtocolVersion {
    /// Every revision, oldest first.
    pub const ALL: [Self; 5] =
        [Self::V2024_11_05, Self::V2025_03_26, Self::V2025_06_18, Self::V2025_11_25, Self::V2026_07_28];

    /// The revisions negotiated with `initialize`, newest first: the order in
    /// which a server offers them.
    pub const HANDSHAKE: [Self; 4] = [Self::V2025_11_25, Self::V2025_06_18, Self::V2025_03_26, Self::V2024_11_05];

    /// The newest revision that uses the `initialize` handshake.
    pub const LATEST_HANDSHAKE: Self = Self::V2025_11_25;

    /// The newest revision.
    pub const LATEST: Self = Self::V2026_07_28;

    /// The version an HTTP server assumes when a request carries no
    /// `MCP-Protocol-Version` header (2025-06-18 transport rules).
    pub const HTTP_DEFAULT: Self = Self::V2025_03_26;

    /// The date string, as on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::V2024_11_05 => "2024-11-05",
            Self::V2025_03_26 => "2025-03-26",
            Self::V2025_06_18 => "2025-06-18",
            Self::V2025_11_25 => "2025-11-25",
            Self::V2026_07_28 => "2026-07-28",
        }
    }

    /// Parse a date string; `None` for a revision this crate does not know.
    pub fn parse(version: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == version)
    }

    /// The version a server answers `initialize` with: the client's own when we
    /// support it with a handshake, otherwise our newest handshake revision.
    pub fn negotiate(requested: &str) -> Self {
        Self::parse(requested).filter(|v| v.uses_initialize()).unwrap_or(Self::LATEST_HANDSHAKE)
    }

    /// Sessions start with `initialize` (everything before 2026-07-28).
    pub fn uses_initialize(self) -> bool {
        self <= Self::V2025_11_25
    }

    /// Stateless: each request carries its version, capabilities and log level
    /// in `_meta`, and results carry `resultType` (2026-07-28).
    pub fn is_stateless(self) -> bool {
        self >= Self::V2026_07_28
    }

    /// JSON-RPC batches are allowed (2025-03-26 only).
    pub fn supports_batching(self) -> bool {
        self == Self::V2025_03_26
    }

    /// The server may send JSON-RPC requests to the client (sampling,
    /// elicitation, roots, ping). 2026-07-28 replaces them with input-required results.
    pub fn supports_server_requests(self) -> bool {
        self <= Self::V2025_11_25
    }

    /// `ping` exists (removed in 2026-07-28).
    pub fn supports_ping(self) -> bool {
        self <= Self::V2025_11_25
    }

    /// `logging/setLevel` exists; 2026-07-28 sets the level per request instead.
    pub fn supports_set_level(self) -> bool {
        self <= Self::V2025_11_25
    }

    /// `resources/subscribe` and `resources/unsubscribe` exist; 2026-07-28 uses
    /// `subscriptions/listen` instead.
    pub fn supports_resource_subscribe(self) -> bool {
        self <= Self::V2025_11_25
    }

    /// Tool annotations (`readOnlyHint` and friends) exist.
    pub fn supports_tool_annotations(self) -> bool {
        self >= Self::V2025_03_26
    }

    /// Audio content blocks exist.
    pub fn supports_audio(self) -> bool {
        self >= Self::V2025_03_26
    }

    /// `ProgressNotification.message` exists.
    pub fn supports_progress_message(self) -> bool {
        self >= Self::V2025_03_26
    }

    /// `completions` is a declared server capability.
    pub fn supports_completions_capability(self) -> bool {
        self >= Self::V2025_03_26
    }

    /// `elicitation/create` in form mode exists.
    pub fn supports_elicitation(self) -> bool {
        self >= Self::V2025_06_18
    }

    /// `Tool.outputSchema` and `CallToolResult.structuredContent` exist.
    pub fn supports_structured_output(self) -> bool {
        self >= Self::V2025_06_18
    }

    /// `resource_link` content blocks exist.
    pub fn supports_resource_links(self) -> bool {
        self >= Self::V2025_06_18
    }

    /// `title` display names exist.
    pub fn supports_titles(self) -> bool {
        self >= Self::V2025_06_18
    }

    /// Icons on tools, prompts, resources and implementations exist.
    pub fn supports_icons(self) -> bool {
        self >= Self::V2025_11_25
    }

    /// URL-mode elicitation and `notifications/elicitation/complete` exist
    /// (2025-11-25 only: 2026-07-28 correlates through `requestState` instead).
    pub fn supports_url_elicitation(self) -> bool {
        self == Self::V2025_11_25
    }

    /// Sampling requests may offer tools (`tools`, `toolChoice`).
    pub fn supports_sampling_tools(self) -> bool {
        self >= Self::V2025_11_25
    }

    /// The experimental core tasks (`tasks/*`) exist (2025-11-25 only; 2026-07-28
    /// moves them to an extension).
    pub fn supports_core_tasks(self) -> bool {
        self == Self::V2025_11_25
    }

    /// Tool schemas default to JSON Schema 2020-12 rather than draft-07.
    pub fn default_json_schema_2020_12(self) -> bool {
        self >= Self::V2025_11_25
    }

    /// Results carry `resultType`, and may be `input_required`.
    pub fn supports_input_required(self) -> bool {
        self >= Self::V2026_07_28
    }

    /// List and read results carry the `ttlMs`/`cacheScope` cache hints.
    pub fn requires_cache_hints(self) -> bool {
        self >= Self::V2026_07_28
    }

    /// The error code for an unknown resource: -32002 until 2025-11-25, -32602 after.
    pub fn resource_not_found_code(self) -> crate::ErrorCode {
        if self >= Self::V2026_07_28 { crate::ErrorCode::INVALID_PARAMS } else { crate::ErrorCode::RESOURCE_NOT_FOUND }
    }
}

impl fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was not a protocol revision this crate knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown MCP protocol version {0:?}")]
pub struct UnknownVersion(pub String);

impl FromStr for ProtocolVersion {
    type Err = UnknownVersion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).ok_or_else(|| UnknownVersion(s.to_owned()))
    }
}

impl Serialize for ProtocolVersion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ProtocolVersion {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_version_round_trips_through_its_date() {
        for version in ProtocolVersion::ALL {
            assert_eq!(ProtocolVersion::parse(version.as_str()), Some(version));
            let json = serde_json::to_string(&version).unwrap();
            assert_eq!(serde_json::from_str::<ProtocolVersion>(&json).unwrap(), version);
        }
        assert!("1999-01-01".parse::<ProtocolVersion>().is_err());
    }

    #[test]
    fn negotiation_echoes_a_supported_handshake_version_or_offers_the_latest() {
        assert_eq!(ProtocolVersion::negotiate("2025-06-18"), ProtocolVersion::V2025_06_18);
        assert_eq!(ProtocolVersion::negotiate("2024-11-05"), ProtocolVersion::V2024_11_05);
        assert_eq!(ProtocolVersion::negotiate("2099-01-01"), ProtocolVersion::V2025_11_25);
        // 2026-07-28 has no handshake, so asking for it in `initialize` gets the latest handshake revision.
        assert_eq!(ProtocolVersion::negotiate("2026-07-28"), ProtocolVersion::V2025_11_25);
    }

    #[test]
    fn batching_exists_only_in_2025_03_26() {
        let batching: Vec<_> = ProtocolVersion::ALL.into_iter().filter(|v| v.supports_batching()).collect();
        assert_eq!(batching, [ProtocolVersion::V2025_03_26]);
    }

    #[test]
    fn features_follow_the_changelog() {
        use ProtocolVersion::*;
        assert!(!V2025_03_26.supports_elicitation() && V2025_06_18.supports_elicitation());
        assert!(V2025_11_25.supports_url_elicitation() && !V2026_07_28.supports_url_elicitation());
        assert!(V2025_11_25.supports_server_requests() && !V2026_07_28.supports_server_requests());
        assert!(V2025_11_25.uses_initialize() && V2026_07_28.is_stateless());
        assert_eq!(V2025_11_25.resource_not_found_code().0, -32002);
        assert_eq!(V2026_07_28.resource_not_found_code().0, -32602);
    }
}
