//! The zkstream graph: builds the timely dataflow (decode → witness → prove → aggregate → compress →
//! ordered delivery) from configuration ([`pipeline`]), and the settings every subcommand shares. The
//! `zkstream` binary lives here too.
#![deny(missing_docs)]

pub mod aggregation;
pub mod config;
pub mod delivery;
pub mod gpu;
pub mod metrics;
pub mod pipeline;
pub mod settings;
pub mod telemetry;
pub mod views;
