//! Scenario files: the format, loading with errors that name the place, and the schema.
//!
//! [`load`] and [`parse`] read JSON into a [`Scenario`] and validate it; every error is a
//! [`ScenarioError`] that displays as one line naming the file and either `LINE:COLUMN`
//! (malformed JSON) or the field path (`strategies[1].recovery`), then what is wrong and
//! what is allowed. [`schema_json`] is `afsim schema`; [`set_path`] is `afsim sweep --set`.

mod access;
mod defaults;
mod error;
mod explore;
mod fault;
mod lease;
mod load;
mod own_fields;
mod schema;
mod serde_msg;
mod set_path;
mod target;
mod types;
mod validate;
mod validate_faults;
mod validate_settings;
mod warnings;

pub use error::{Invalid, ScenarioError};
pub use fault::FAULT_KINDS;
pub use load::{from_value, load, parse, validate};
pub use own_fields::OwnValue;
pub use schema::schema_json;
pub use set_path::set_path;
pub use target::TargetRef;
pub use types::*;
pub(crate) use validate::show;
pub use validate::{CLOCK_DRIFT_PPM_MAX, MIX_TOLERANCE, NODES_MAX, SERVERS_MAX, TIME_MAX_S};
pub use warnings::warnings;
