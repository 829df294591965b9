//! timely operators of the zkstream graph, one extension trait per file (decode, witness, prove, chunk by
//! arity, reduce by depth, tip, scheduler, compress, ordered sink). They wrap the pure `zkstream-prover`
//! crate and know nothing of Kafka. The operators arrive with the dataflow issue; this crate fixes the
//! workspace layout and dependencies (timely 0.32, differential-dataflow 0.26) they build on.
#![deny(missing_docs)]
