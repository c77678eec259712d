//! Plots people look at. Each plot is drawn to SVG and to an in-memory bitmap encoded
//! as PNG, and written atomically; the bytes depend only on the data.

pub mod png;
