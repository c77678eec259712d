//! Scenario files: the format, loading with errors that name the place, and the schema.

mod defaults;
mod fault;
mod lease;
mod target;
mod types;

pub use fault::FAULT_KINDS;
pub use target::TargetRef;
pub use types::*;
