//! The zkstream application: the batch service ([`service`], the composition root that builds the rest
//! from a [`config::Config`]), the timely dataflow (decode → witness → prove → aggregate → compress →
//! ordered delivery, [`pipeline`]), the delivery thread ([`delivery`]), configuration, telemetry, and
//! the user-proof service ([`user_proofs`]: what users know as aggregation mode, `zkstream aggregate`),
//! and the simulation service ([`simulation`]: `zkstream simulate`, orchestration measured without
//! provers).
//! The command line that drives it is the `cli` crate.
#![deny(missing_docs)]

pub mod config;
pub mod delivery;
pub mod demo;
pub mod gpu;
pub mod lifecycle;
pub mod metrics;
pub mod pipeline;
pub mod service;
pub mod settings;
pub mod simulation;
pub mod slots;
pub mod telemetry;
pub mod user_proofs;
pub mod views;
