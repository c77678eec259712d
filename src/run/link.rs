//! The scenario's network settings in engine units.

use crate::scenario::{Latency, LatencySpec, NetworkSpec};
use sim::{Duration, LinkParams};

fn ms(v: f64) -> Duration {
    Duration::from_secs_f64(v / 1000.0)
}

pub fn latency(spec: &LatencySpec) -> sim::Latency {
    match spec.latency().expect("validated latency") {
        Latency::Fixed { ms: v } => sim::Latency::Fixed(ms(v)),
        Latency::Uniform { min_ms, max_ms } => sim::Latency::Uniform {
            min: ms(min_ms),
            max: ms(max_ms),
        },
        Latency::LogNormal { median_ms, sigma } => sim::Latency::LogNormal {
            median: ms(median_ms),
            sigma,
        },
    }
}

pub fn params(network: &NetworkSpec) -> LinkParams {
    LinkParams {
        latency: latency(&network.latency_ms),
        loss: network.loss,
        duplicate: network.duplicate,
    }
}
