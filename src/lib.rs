//! afsim: a deterministic simulator of failover in a replicated AFS-style file service.

pub mod scenario;
