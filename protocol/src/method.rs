//! The typed method layer: a method's name, its params type and its result type,
//! tied together so they cannot disagree.
//!
//! Each MCP method has a marker type (`CallToolRequest`, `ProgressNotification`)
//! implementing [`RequestMethod`] or [`NotificationMethod`]. The dispatch enums
//! (`ClientRequest`, `ServerNotification`, ...) implement [`RequestEnum`] or
//! [`NotificationEnum`]; a frontend speaking its own JSON-RPC protocol implements
//! the same two traits for its own enums and gets the same transport.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::{Error, RawJson};

/// A request method: its wire name, the params it takes and the result it returns.
pub trait RequestMethod {
    /// The `method` string on the wire.
    const METHOD: &'static str;
    /// The type of `params`.
    type Params: Serialize + DeserializeOwned + Send + 'static;
    /// The type of `result`.
    type Result: Serialize + DeserializeOwned + Send + 'static;
}

/// A notification method: its wire name and the params it carries.
pub trait NotificationMethod {
    /// The `method` string on the wire.
    const METHOD: &'static str;
    /// The type of `params`.
    type Params: Serialize + DeserializeOwned + Send + 'static;
}

/// A closed set of requests a receiver understands, decoded from the raw
/// method and params of a JSON-RPC request.
pub trait RequestEnum: Sized {
    /// The wire name of this request's method.
    fn method(&self) -> &'static str;

    /// Decode a request from its method name and raw params.
    ///
    /// # Errors
    /// [`Error::UnknownMethod`] (-32601) when no variant has that name, and
    /// [`Error::InvalidParams`] (-32602) when one has but the params do not fit.
    fn from_parts(method: &str, params: Option<&RawValue>) -> Result<Self, Error>;
}

/// A closed set of notifications a sender emits.
///
/// Only [`method`](Self::method) is required: for an enum that serde tags
/// adjacently (`#[serde(tag = "method", content = "params")]`) the default
/// [`to_params`](Self::to_params) extracts the params. A camelCase application
/// protocol needs nothing more than this:
///
/// ```
/// use mcpwire_protocol::NotificationEnum;
/// use serde::Serialize;
///
/// #[derive(Serialize, strum::IntoStaticStr)]
/// #[serde(tag = "method", content = "params", rename_all = "camelCase")]
/// #[strum(serialize_all = "camelCase")]
/// enum AppNotification {
///     LoginComplete { user: String },
/// }
///
/// impl NotificationEnum for AppNotification {
///     fn method(&self) -> &'static str {
///         self.into()
///     }
/// }
///
/// let login = AppNotification::LoginComplete { user: "ada".into() };
/// assert_eq!(login.method(), "loginComplete");
/// assert_eq!(login.to_params().unwrap().unwrap().get(), r#"{"user":"ada"}"#);
/// ```
pub trait NotificationEnum: Serialize {
    /// The wire name of this notification's method.
    fn method(&self) -> &'static str;

    /// The params to send, or `None` for a notification without params.
    ///
    /// # Errors
    /// When the params fail to serialise (a map with non-string keys, say).
    fn to_params(&self) -> Result<Option<RawJson>, serde_json::Error> {
        let mut tagged = serde_json::to_value(self)?;
        match tagged.get_mut("params").map(serde_json::Value::take) {
            Some(params) => serde_json::value::to_raw_value(&params).map(Some),
            None => Ok(None),
        }
    }
}

/// Parse raw params as `T`, treating absent and `null` params as `{}` and
/// refusing positional (array) params.
///
/// Every MCP params object has only optional members or is required by its
/// method, so "no params" and "empty params" mean the same, and a request whose
/// params are needed fails with the same -32602 either way.
///
/// # Errors
/// When the params do not fit `T`.
pub fn parse_params<T: DeserializeOwned>(params: Option<&RawValue>) -> Result<T, serde_json::Error> {
    match params {
        // serde lets a struct deserialise from an array, matching fields by
        // position; every method here takes named params, so that would
        // accept nonsense as a valid call.
        Some(raw) if raw.get().trim_start().starts_with('[') => {
            Err(serde::de::Error::custom("params must be an object of named members, not an array"))
        }
        Some(raw) if raw.get() != "null" => serde_json::from_str(raw.get()),
        _ => serde_json::from_str("{}"),
    }
}

/// Serialise params for the wire, leaving them out when they are an empty object:
/// absent and empty mean the same, and notifications such as
/// `notifications/tools/list_changed` stay as small as possible.
///
/// # Errors
/// When the params fail to serialise.
pub fn to_raw_params<T: Serialize + ?Sized>(params: &T) -> Result<Option<RawJson>, serde_json::Error> {
    let raw = serde_json::value::to_raw_value(params)?;
    Ok((raw.get() != "{}").then_some(raw))
}

/// Declares a dispatch enum whose variants each carry one method's params.
///
/// The method name is written once per variant here, as the serde tag and the
/// strum name, and checked against the marker type's `METHOD` constant by the
/// `dispatch_names_agree` tests. Attributes need literals, which is why the name
/// cannot simply be read from the constant.
macro_rules! dispatch_enum {
    (
        $(#[$attr:meta])*
        $vis:vis enum $name:ident: $kind:ident {
            $(
                $(#[$vattr:meta])*
                $method:literal => $variant:ident($marker:ty)
            ),* $(,)?
        }
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, strum::IntoStaticStr, strum::EnumIter, strum::VariantNames)]
        #[serde(tag = "method", content = "params")]
        #[non_exhaustive]
        // A request lives from decoding to its handler, moved, never stored in
        // bulk; boxing the large params (sampling's) would cost an allocation on
        // every decode and make every construction site box.
        #[allow(clippy::large_enum_variant)]
        $vis enum $name {
            $(
                $(#[$vattr])*
                #[serde(rename = $method)]
                #[strum(serialize = $method)]
                $variant(<$marker as $crate::$kind>::Params),
            )*
        }

        impl $name {
            /// The method name as the marker type's `METHOD` constant spells it;
            /// tests compare it with the strum name and the serde tag.
            #[doc(hidden)]
            pub fn method_constant(&self) -> &'static str {
                match self {
                    $(Self::$variant(_) => <$marker as $crate::$kind>::METHOD,)*
                }
            }

            /// Decode from a method name and raw params (absent params read as `{}`).
            ///
            /// # Errors
            /// -32601 for an unknown method, -32602 for params that do not fit.
            pub fn from_parts(
                method: &str,
                params: Option<&serde_json::value::RawValue>,
            ) -> Result<Self, $crate::Error> {
                match method {
                    $($method => $crate::parse_params(params)
                        .map(Self::$variant)
                        .map_err(|source| $crate::Error::InvalidParams { method: $method, source }),)*
                    _ => Err($crate::Error::UnknownMethod(method.to_owned())),
                }
            }

            /// [`from_parts`](Self::from_parts) for params that may carry a
            /// `_meta` read before, whose text is `known`: when they carry it
            /// first or last, byte for byte ([`crate::meta::without_known`]),
            /// only the rest of the params is parsed, and the request gets a
            /// copy of `known` as its `_meta`. `None` when they do not, and
            /// when the rest does not parse or has a `_meta` of its own:
            /// [`from_parts`](Self::from_parts) then parses the params whole,
            /// and says what is wrong with them.
            pub fn from_parts_known_meta(
                method: &str,
                params: &serde_json::value::RawValue,
                known: &serde_json::value::RawValue,
            ) -> Option<Self> {
                let rest = $crate::meta::without_known(params.get(), known.get())?;
                let mut request = match method {
                    $($method => Self::$variant(serde_json::from_str(&rest).ok()?),)*
                    _ => return None,
                };
                let slot = match &mut request {
                    $(Self::$variant(params) => $crate::meta::WithMeta::meta_slot(params),)*
                };
                match slot {
                    Some(slot @ None) => *slot = Some($crate::meta::known(known)),
                    _ => return None,
                }
                Some(request)
            }

            /// The params as raw JSON, or `None` when they are empty.
            ///
            /// # Errors
            /// When the params fail to serialise.
            pub fn to_params(&self) -> Result<Option<$crate::RawJson>, serde_json::Error> {
                match self {
                    $(Self::$variant(params) => $crate::to_raw_params(params),)*
                }
            }

            /// The wire name of this variant's method.
            pub fn method(&self) -> &'static str {
                self.into()
            }

            /// The params' `_meta`, whatever the method.
            pub fn meta(&self) -> Option<&$crate::Meta> {
                match self {
                    $(Self::$variant(params) => $crate::meta::WithMeta::meta(params),)*
                }
            }

            /// The static copy of `name`, if it is one of this enum's methods.
            #[doc(hidden)]
            pub fn static_method(name: &str) -> Option<&'static str> {
                match name {
                    $($method => Some($method),)*
                    _ => None,
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #[derive(serde::Deserialize)]
                struct Tagged {
                    method: String,
                    #[serde(default)]
                    params: Option<$crate::RawJson>,
                }
                let tagged = Tagged::deserialize(deserializer)?;
                Self::from_parts(&tagged.method, tagged.params.as_deref()).map_err(serde::de::Error::custom)
            }
        }
    };
}

pub(crate) use dispatch_enum;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, strum::IntoStaticStr)]
    #[serde(tag = "method", content = "params", rename_all = "camelCase")]
    #[strum(serialize_all = "camelCase")]
    enum AppNotification {
        LoginComplete { success: bool },
        Heartbeat,
    }

    impl NotificationEnum for AppNotification {
        fn method(&self) -> &'static str {
            self.into()
        }
    }

    #[test]
    fn camel_case_app_notification_has_its_own_method_and_params() {
        let login = AppNotification::LoginComplete { success: true };
        assert_eq!(login.method(), "loginComplete");
        assert_eq!(login.to_params().unwrap().unwrap().get(), r#"{"success":true}"#);
        assert_eq!(AppNotification::Heartbeat.method(), "heartbeat");
        assert!(AppNotification::Heartbeat.to_params().unwrap().is_none());
    }

    #[test]
    fn absent_and_null_params_parse_as_an_empty_object() {
        #[derive(serde::Deserialize)]
        struct Paged {
            cursor: Option<String>,
        }
        assert!(parse_params::<Paged>(None).unwrap().cursor.is_none());
        let null = RawValue::from_string("null".into()).unwrap();
        assert!(parse_params::<Paged>(Some(&null)).unwrap().cursor.is_none());
    }

    #[test]
    fn positional_params_are_refused() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Named {
            name: String,
        }
        let array = RawValue::from_string(r#"["echo"]"#.into()).unwrap();
        assert!(parse_params::<Named>(Some(&array)).is_err());
    }

    #[test]
    fn empty_params_are_left_out_on_the_wire() {
        assert!(to_raw_params(&serde_json::json!({})).unwrap().is_none());
        assert_eq!(to_raw_params(&serde_json::json!({"a":1})).unwrap().unwrap().get(), r#"{"a":1}"#);
    }
}
