//! Sweep plots.
