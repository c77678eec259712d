//! What `afsim run` writes and prints.

pub mod files;
pub mod html;
pub mod outdir;
pub mod summary;
pub mod table;
