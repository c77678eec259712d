//! afsim: a deterministic simulator of failover in a replicated AFS-style file service.

pub mod batch;
pub mod cell;
pub mod check;
pub mod chrome_trace;
pub mod cli;
pub mod explore;
pub mod history;
pub mod huge_pages;
pub mod metrics;
pub mod plot;
pub mod progress;
pub mod rangeset;
pub mod report;
pub mod run;
pub mod scenario;
pub mod seedcheck;
pub mod shard;
pub mod shrink;
pub mod strategy;
pub mod sweep;
