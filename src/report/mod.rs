//! What `afsim run` writes and prints.

pub mod files;
pub mod summary;
pub mod table;
