//! The zkstream application: the timely dataflow (decode → witness → prove → aggregate → compress →
//! ordered delivery, [`pipeline`]), the delivery thread ([`delivery`]), configuration, telemetry, and
//! aggregation mode's service. The command line that drives it is the `cli` crate.
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
