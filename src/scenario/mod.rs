//! Scenario files: the format, loading with errors that name the place, and the schema.

mod lease;
mod types;

pub use types::*;
