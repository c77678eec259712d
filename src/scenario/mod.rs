//! Scenario files: the format, loading with errors that name the place, and the schema.

mod defaults;
mod lease;
mod types;

pub use types::*;
