//! The zkstream graph: builds the timely dataflow (witness → prove → aggregate → compress → sink) from
//! configuration. The dataflow itself arrives with its issue; today this crate hosts the `zkstream`
//! binary and the settings every subcommand shares.
#![deny(missing_docs)]

pub mod settings;
