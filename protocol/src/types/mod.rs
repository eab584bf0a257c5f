//! MCP data types, one module per area of the specification.
//!
//! Names follow the official schema (`CallToolRequestParams`, `CallToolResult`).
//! Optional members are `Option`s that stay absent when unset, `_meta` is kept
//! wherever the schema has it, and unknown members from newer peers are ignored.
//!
//! One Rust type serves every revision: a member a later revision added (`title`,
//! `icons`, 2026-07-28's `resultType` and cache hints) is an `Option`, so a value
//! that leaves it unset is also valid for the older revisions.

/// Declares a zero-sized type that serialises as one fixed string and refuses to
/// deserialise from any other.
///
/// Untagged unions in the schema (elicitation modes, the primitive schemas of an
/// elicitation form) tell their variants apart by such constant members, so a
/// variant must reject the wrong constant for the right variant to be chosen.
macro_rules! string_constant {
    ($(#[$attr:meta])* $name:ident = $value:literal) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        pub struct $name;

        impl $name {
            /// The string on the wire.
            pub const VALUE: &'static str = $value;
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str($value)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
                if text == $value {
                    Ok(Self)
                } else {
                    Err(serde::de::Error::custom(format_args!("expected {:?}, found {:?}", $value, text)))
                }
            }
        }
    };
}

mod common;
mod completion;
mod content;
mod convenience;
mod elicitation;
mod extensions;
mod lifecycle;
mod logging;
mod prompts;
mod resources;
mod roots;
mod sampling;
mod stateless;
mod tasks;
mod tools;
mod utilities;

pub use common::*;
pub use completion::*;
pub use content::*;
pub use elicitation::*;
pub use extensions::*;
pub use lifecycle::*;
pub use logging::*;
pub use prompts::*;
pub use resources::*;
pub use roots::*;
pub use sampling::*;
pub use stateless::*;
pub use tasks::*;
pub use tools::*;
pub use utilities::*;
