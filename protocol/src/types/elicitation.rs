//! Elicitation: a server asks the user, through the client, for input: a form
//! of flat primitive fields, or (2025-11-25) a URL to visit.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Number;

use super::TaskMetadata;
use crate::{ErrorCode, ErrorObject, Meta};

string_constant!(
    /// `"mode": "form"`.
    FormMode = "form"
);
string_constant!(
    /// `"mode": "url"`.
    UrlMode = "url"
);
string_constant!(
    /// `"type": "object"`.
    ObjectType = "object"
);
string_constant!(
    /// `"type": "string"`.
    StringType = "string"
);
string_constant!(
    /// `"type": "boolean"`.
    BooleanType = "boolean"
);
string_constant!(
    /// `"type": "array"`.
    ArrayType = "array"
);

/// `elicitation/create` params: a form, or a URL to visit.
///
/// The schema tells the two apart by `mode`, which a form may leave out (it is
/// the only mode before 2025-11-25). Each variant's `mode` member accepts only
/// its own value, and the URL variant, whose `mode` is required, is tried first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ElicitRequestParams {
    /// `"mode": "url"` (2025-11-25 and later).
    Url(ElicitRequestURLParams),
    /// `"mode": "form"`, or no mode.
    Form(ElicitRequestFormParams),
}

impl Default for ElicitRequestParams {
    fn default() -> Self {
        Self::Form(ElicitRequestFormParams::default())
    }
}

/// A form to fill in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ElicitRequestFormParams {
    /// `form`; may be left out, as every revision before 2025-11-25 does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<FormMode>,
    /// What to ask the user.
    pub message: String,
    /// The fields of the form.
    pub requested_schema: RequestedSchema,
    /// Run the request as a task (2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskMetadata>,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// A URL the user should visit, for input that must not pass through the
/// client, such as credentials (2025-11-25 and later).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ElicitRequestURLParams {
    /// Always `url`.
    pub mode: UrlMode,
    /// Why the user should go there.
    pub message: String,
    /// Where to go.
    pub url: String,
    /// Ties `notifications/elicitation/complete` to this request; required in
    /// 2025-11-25, gone in 2026-07-28 (which correlates through `requestState`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elicitation_id: Option<String>,
    /// Run the request as a task (2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskMetadata>,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// The form of an elicitation: an object schema whose properties are flat
/// primitives.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestedSchema {
    /// The JSON Schema dialect, when the server names one.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Always `object`.
    pub r#type: ObjectType,
    /// The fields, in the order the server gave them: a client shows them in
    /// that order, so they are kept in a list rather than a sorted map.
    #[serde(with = "ordered_map")]
    pub properties: Vec<(String, PrimitiveSchemaDefinition)>,
    /// The names of the fields the user must fill in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<Vec<String>>,
}

/// The schema of one form field.
///
/// The schema has no tag: the variants differ in `type` and in which of
/// `enum`, `enumNames`, `oneOf` and `items` they carry. The variants are
/// listed, and therefore tried, most specific first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PrimitiveSchemaDefinition {
    /// A single choice with display names in `enumNames` (the only enum
    /// before 2025-11-25; kept for compatibility).
    LegacyTitledEnum(LegacyTitledEnumSchema),
    /// A single choice with a display name per option (`oneOf`).
    TitledSingleSelect(TitledSingleSelectEnumSchema),
    /// A single choice from plain values (`enum`).
    UntitledSingleSelect(UntitledSingleSelectEnumSchema),
    /// Text.
    String(StringSchema),
    /// A number or an integer.
    Number(NumberSchema),
    /// Yes or no.
    Boolean(BooleanSchema),
    /// Several choices with a display name per option (`items.anyOf`).
    TitledMultiSelect(TitledMultiSelectEnumSchema),
    /// Several choices from plain values (`items.enum`).
    UntitledMultiSelect(UntitledMultiSelectEnumSchema),
}

/// A text field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StringSchema {
    /// Always `string`.
    pub r#type: StringType,
    /// The field's label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Help text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The fewest characters allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u64>,
    /// The most characters allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u64>,
    /// A format the text must have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<StringFormat>,
    /// The initial value (2025-11-25 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// The formats a text field may require.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StringFormat {
    /// An email address.
    Email,
    /// A URI.
    Uri,
    /// A date (`2025-11-25`).
    Date,
    /// A date and time (`2025-11-25T10:00:00Z`).
    DateTime,
}

/// A number field. Bounds and default keep their JSON form, so `30` stays an
/// integer and `95.5` a fraction.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NumberSchema {
    /// `number` or `integer`.
    pub r#type: NumberType,
    /// The field's label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Help text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The smallest value allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum: Option<Number>,
    /// The largest value allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum: Option<Number>,
    /// The initial value (2025-11-25 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Number>,
}

/// Whether a number field takes any number or only integers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NumberType {
    /// Any number.
    #[default]
    Number,
    /// Integers only.
    Integer,
}

/// A yes-or-no field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BooleanSchema {
    /// Always `boolean`.
    pub r#type: BooleanType,
    /// The field's label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Help text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The initial value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
}

/// A single choice from plain values.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UntitledSingleSelectEnumSchema {
    /// Always `string`.
    pub r#type: StringType,
    /// The field's label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Help text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The values to choose from.
    pub r#enum: Vec<String>,
    /// The initial value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// A single choice, each option with a display name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TitledSingleSelectEnumSchema {
    /// Always `string`.
    pub r#type: StringType,
    /// The field's label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Help text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The options to choose from.
    pub one_of: Vec<EnumOption>,
    /// The initial value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// A single choice with display names in a parallel `enumNames` list, as
/// 2025-06-18 defined it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LegacyTitledEnumSchema {
    /// Always `string`.
    pub r#type: StringType,
    /// The field's label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Help text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The values to choose from.
    pub r#enum: Vec<String>,
    /// A display name for each value, in the same order. Optional in the schema,
    /// but required here: without it the field is an
    /// [`UntitledSingleSelectEnumSchema`].
    pub enum_names: Vec<String>,
    /// The initial value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// Several choices from plain values.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UntitledMultiSelectEnumSchema {
    /// Always `array`.
    pub r#type: ArrayType,
    /// The field's label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Help text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The fewest choices allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u64>,
    /// The most choices allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u64>,
    /// The values to choose from.
    pub items: UntitledMultiSelectItems,
    /// The initial choices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Vec<String>>,
}

/// The `items` of an [`UntitledMultiSelectEnumSchema`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UntitledMultiSelectItems {
    /// Always `string`.
    pub r#type: StringType,
    /// The values to choose from.
    pub r#enum: Vec<String>,
}

/// Several choices, each option with a display name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TitledMultiSelectEnumSchema {
    /// Always `array`.
    pub r#type: ArrayType,
    /// The field's label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Help text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The fewest choices allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u64>,
    /// The most choices allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u64>,
    /// The options to choose from.
    pub items: TitledMultiSelectItems,
    /// The initial choices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Vec<String>>,
}

/// The `items` of a [`TitledMultiSelectEnumSchema`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TitledMultiSelectItems {
    /// The options to choose from.
    pub any_of: Vec<EnumOption>,
}

/// One option of a titled choice: a value and its display name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnumOption {
    /// The value.
    #[serde(rename = "const")]
    pub value: String,
    /// The display name.
    pub title: String,
}

/// The result of `elicitation/create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ElicitResult {
    /// What the user did.
    pub action: ElicitAction,
    /// The submitted fields, with `accept` in form mode only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<BTreeMap<String, ElicitValue>>,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// What the user did with an elicitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ElicitAction {
    /// Submitted it.
    Accept,
    /// Refused it.
    Decline,
    /// Dismissed it without choosing.
    Cancel,
}

/// The value of one submitted form field.
///
/// The schema has no tag; the JSON type decides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ElicitValue {
    /// A text or single-choice field.
    String(String),
    /// A number field. The schema says integer, but a `number` field may hold
    /// a fraction, so any JSON number is kept as it came.
    Number(Number),
    /// A yes-or-no field.
    Boolean(bool),
    /// A multi-choice field (2025-11-25 and later).
    StringArray(Vec<String>),
}

/// `notifications/elicitation/complete` params: a URL-mode elicitation finished
/// (2025-11-25).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ElicitationCompleteNotificationParams {
    /// The [`ElicitRequestURLParams::elicitation_id`] that finished.
    pub elicitation_id: String,
}

/// The `data` of a -32042 `URLElicitationRequiredError` (2025-11-25): the user
/// must complete these URL elicitations before the request can succeed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct URLElicitationRequiredErrorData {
    /// The elicitations to complete.
    pub elicitations: Vec<ElicitRequestURLParams>,
}

impl From<URLElicitationRequiredErrorData> for ErrorObject {
    fn from(data: URLElicitationRequiredErrorData) -> Self {
        let code = ErrorCode::URL_ELICITATION_REQUIRED;
        Self::new(code, code.default_message()).with_data(serde_json::json!(data))
    }
}

/// (De)serialises a list of pairs as a JSON object, keeping the order of its
/// members.
mod ordered_map {
    use std::fmt;
    use std::marker::PhantomData;

    use serde::de::{MapAccess, Visitor};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(super) fn serialize<S: Serializer, T: Serialize>(
        entries: &[(String, T)],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_map(entries.iter().map(|(key, value)| (key, value)))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        deserializer: D,
    ) -> Result<Vec<(String, T)>, D::Error> {
        struct Entries<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for Entries<T> {
            type Value = Vec<(String, T)>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(entries)
            }
        }

        deserializer.deserialize_map(Entries(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(raw: &str) -> PrimitiveSchemaDefinition {
        let schema: PrimitiveSchemaDefinition = serde_json::from_str(raw).unwrap();
        assert_eq!(serde_json::to_string(&schema).unwrap(), raw, "round trip");
        schema
    }

    #[test]
    fn each_primitive_schema_kind_round_trips_as_its_own_variant() {
        use PrimitiveSchemaDefinition as P;
        let string = r#"{"type":"string","title":"Name","description":"d","minLength":1,"maxLength":50,"format":"email","default":"a@b.c"}"#;
        assert!(matches!(field(string), P::String(s) if s.format == Some(StringFormat::Email)));
        let date_time = r#"{"type":"string","format":"date-time"}"#;
        assert!(matches!(field(date_time), P::String(s) if s.format == Some(StringFormat::DateTime)));
        let integer = r#"{"type":"integer","minimum":0,"maximum":150,"default":30}"#;
        assert!(matches!(field(integer), P::Number(n) if n.r#type == NumberType::Integer));
        let number = r#"{"type":"number","default":95.5}"#;
        assert!(matches!(field(number), P::Number(n) if n.default.as_ref().unwrap().as_f64() == Some(95.5)));
        let boolean = r#"{"type":"boolean","default":true}"#;
        assert!(matches!(field(boolean), P::Boolean(b) if b.default == Some(true)));
        let untitled = r#"{"type":"string","enum":["a","b"],"default":"a"}"#;
        assert!(matches!(field(untitled), P::UntitledSingleSelect(_)));
        let titled = r#"{"type":"string","oneOf":[{"const":"a","title":"A"},{"const":"b","title":"B"}],"default":"b"}"#;
        assert!(matches!(field(titled), P::TitledSingleSelect(t) if t.one_of[1].title == "B"));
        let legacy = r#"{"type":"string","enum":["a","b"],"enumNames":["A","B"],"default":"a"}"#;
        assert!(matches!(field(legacy), P::LegacyTitledEnum(_)));
        let multi =
            r#"{"type":"array","minItems":1,"maxItems":2,"items":{"type":"string","enum":["x","y"]},"default":["x"]}"#;
        assert!(matches!(field(multi), P::UntitledMultiSelect(_)));
        let titled_multi = r#"{"type":"array","items":{"anyOf":[{"const":"x","title":"X"}]},"default":["x"]}"#;
        assert!(matches!(field(titled_multi), P::TitledMultiSelect(_)));
    }

    #[test]
    fn unknown_primitive_kinds_are_rejected() {
        assert!(serde_json::from_str::<PrimitiveSchemaDefinition>(r#"{"type":"object"}"#).is_err());
        assert!(serde_json::from_str::<PrimitiveSchemaDefinition>(r#"{"type":"string","format":"ipv4"}"#).is_err());
    }

    #[test]
    fn form_fields_keep_their_order() {
        let raw = r#"{"message":"m","requestedSchema":{"type":"object","properties":{"zeta":{"type":"string"},"alpha":{"type":"boolean"}},"required":["zeta"]}}"#;
        let ElicitRequestParams::Form(form) = serde_json::from_str(raw).unwrap() else { panic!("not a form") };
        let names: Vec<_> = form.requested_schema.properties.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["zeta", "alpha"]);
        assert_eq!(serde_json::to_string(&ElicitRequestParams::Form(form)).unwrap(), raw);
    }

    #[test]
    fn mode_picks_form_or_url() {
        let form = r#"{"mode":"form","message":"m","requestedSchema":{"type":"object","properties":{}}}"#;
        assert!(matches!(serde_json::from_str(form).unwrap(), ElicitRequestParams::Form(f) if f.mode.is_some()));
        let url = r#"{"mode":"url","message":"sign in","url":"https://example.com/auth","elicitationId":"e1"}"#;
        let params: ElicitRequestParams = serde_json::from_str(url).unwrap();
        assert!(matches!(&params, ElicitRequestParams::Url(u) if u.elicitation_id.as_deref() == Some("e1")));
        assert_eq!(serde_json::to_string(&params).unwrap(), url);
        let wrong_mode = r#"{"mode":"url","message":"m","requestedSchema":{"type":"object","properties":{}}}"#;
        assert!(serde_json::from_str::<ElicitRequestParams>(wrong_mode).is_err());
    }

    #[test]
    fn elicit_result_values_keep_their_json_types() {
        let raw =
            r#"{"action":"accept","content":{"age":30,"name":"Jane","score":88.5,"tags":["a","b"],"verified":false}}"#;
        let result: ElicitResult = serde_json::from_str(raw).unwrap();
        let content = result.content.as_ref().unwrap();
        assert!(matches!(&content["age"], ElicitValue::Number(n) if n.is_i64()));
        assert!(matches!(&content["verified"], ElicitValue::Boolean(false)));
        assert!(matches!(&content["tags"], ElicitValue::StringArray(t) if t.len() == 2));
        assert_eq!(serde_json::to_string(&result).unwrap(), raw);
        let declined: ElicitResult = serde_json::from_str(r#"{"action":"decline"}"#).unwrap();
        assert_eq!(declined.action, ElicitAction::Decline);
        assert_eq!(serde_json::to_string(&declined).unwrap(), r#"{"action":"decline"}"#);
    }

    #[test]
    fn url_elicitation_required_error_carries_its_elicitations() {
        let data = URLElicitationRequiredErrorData {
            elicitations: vec![ElicitRequestURLParams {
                message: "authorise".into(),
                url: "https://example.com/oauth".into(),
                elicitation_id: Some("e1".into()),
                ..Default::default()
            }],
        };
        let error = ErrorObject::from(data);
        assert_eq!(error.code, ErrorCode::URL_ELICITATION_REQUIRED);
        assert_eq!(
            serde_json::to_string(&error).unwrap(),
            r#"{"code":-32042,"message":"URL elicitation required","data":{"elicitations":[{"elicitationId":"e1","message":"authorise","mode":"url","url":"https://example.com/oauth"}]}}"#
        );
    }
}
