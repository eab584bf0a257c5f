//! Fuzz target: `meta::without_known`, which splits a `_meta` the server read
//! before off a request's params by JSON's grammar instead of parsing them.
//!
//! The input is `known` and `params`, split at the first newline; each must
//! be one JSON object, as a decoded message's are. Whenever the split
//! answers, the member it removed must be the params' own first or last one,
//! `_meta` with `known`'s value, and what is left must be the params' other
//! members, in their order.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mcpwire_protocol::meta::without_known;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Some((known, params)) = text.split_once('\n') else { return };
    // As the server holds them: raw JSON, without the whitespace around it.
    let (Ok(known), Ok(params)) = (serde_json::from_str::<&RawValue>(known), serde_json::from_str::<&RawValue>(params))
    else {
        return;
    };
    let (Ok(known_value @ Value::Object(_)), Ok(Members(members))) =
        (serde_json::from_str::<Value>(known.get()), serde_json::from_str::<Members>(params.get()))
    else {
        return;
    };
    let Some(rest) = without_known(params.get(), known.get()) else { return };
    let Members(left) =
        serde_json::from_str(&rest).unwrap_or_else(|e| panic!("what is left is no object ({e}): {rest}"));
    let removed = ("_meta".to_owned(), known_value);
    let first = members.first() == Some(&removed) && members[1..] == left[..];
    let last = members.last() == Some(&removed) && members[..members.len() - 1] == left[..];
    assert!(first || last, "{} split into {rest}", params.get());
});

/// An object's members in their order, duplicates kept, as a parser that
/// reads the params member by member would see them.
struct Members(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;

        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }

        deserializer.deserialize_map(MembersVisitor)
    }
}
