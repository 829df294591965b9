//! What zkstream's tests share, so each test file keeps only what it checks: records in and out of a
//! Kafka-protocol broker and the group's committed offsets ([`kafka`]), a Tansu broker process
//! ([`tansu`]), the core's proof endpoint as a test double that counts and answers like the real one
//! ([`core`]), child processes and bounded waits ([`process`]), a timely worker stepped by hand
//! ([`worker`]), the test profile's shared key store ([`keys`]), an S3 server process ([`moto`]), a Prometheus server process ([`prometheus`]), a randomized test's seed ([`seed`]). A dev-dependency only: nothing here is part of zkstream.
#![deny(missing_docs)]
#![allow(clippy::unwrap_used)]

pub mod core;
pub mod kafka;
pub mod keys;
pub mod moto;
pub mod process;
pub mod prometheus;
pub mod seed;
pub mod tansu;
pub mod worker;
