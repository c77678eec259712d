//! `callback_lease_s`: a number of seconds or the string "afs".

use super::types::CallbackLease;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;

impl Serialize for CallbackLease {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            CallbackLease::Afs => s.serialize_str("afs"),
            CallbackLease::Seconds(v) => s.serialize_f64(*v),
        }
    }
}

struct LeaseVisitor;

impl Visitor<'_> for LeaseVisitor {
    type Value = CallbackLease;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number of seconds or \"afs\"")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<CallbackLease, E> {
        match v {
            "afs" => Ok(CallbackLease::Afs),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<CallbackLease, E> {
        Ok(CallbackLease::Seconds(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<CallbackLease, E> {
        Ok(CallbackLease::Seconds(v as f64))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<CallbackLease, E> {
        Ok(CallbackLease::Seconds(v as f64))
    }
}

impl<'de> Deserialize<'de> for CallbackLease {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<CallbackLease, D::Error> {
        d.deserialize_any(LeaseVisitor)
    }
}

impl JsonSchema for CallbackLease {
    fn schema_name() -> Cow<'static, str> {
        "CallbackLease".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Seconds, or \"afs\" for the OpenAFS rule.",
            "oneOf": [
                { "type": "number", "minimum": 0 },
                { "const": "afs" }
            ]
        })
    }
}
