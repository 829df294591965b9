//! Which slot proves a job: a wrap job goes to a wrap slot, which takes nothing else; a slot only takes
//! jobs its backend supports; GPU slots go first, and a CPU
//! slot takes a job a GPU could prove only when every such GPU is busy and, once both kinds have been
//! timed on that circuit, the CPU would finish it sooner than the GPU queue would ([`SlotTimes`]).

use std::collections::HashMap;
use std::sync::atomic::Ordering as AtomicOrdering;
use std::time::Duration;

use zkstream_prover::{CircuitId, SlotKind};

use super::queue::Queued;
use super::slots::Slot;
use super::work::Work;
use super::{lock, Shared};

/// Measured proving time per circuit and slot kind: an exponentially weighted mean, used to decide
/// whether a CPU slot should take a job a GPU could prove.
#[derive(Debug, Default)]
pub struct SlotTimes(HashMap<(Option<CircuitId>, SlotKind), f64>);

impl SlotTimes {
    /// Records one proof's time on a circuit.
    pub fn record(&mut self, circuit: Option<CircuitId>, kind: SlotKind, took: Duration) {
        let t = took.as_secs_f64();
        self.0
            .entry((circuit, kind))
            .and_modify(|m| *m = 0.7 * *m + 0.3 * t)
            .or_insert(t);
    }

    /// The mean time of a circuit on `kind`, if measured.
    pub fn estimate(&self, circuit: Option<CircuitId>, kind: SlotKind) -> Option<f64> {
        self.0.get(&(circuit, kind)).copied()
    }
}

/// Whether a slot takes a ready job now, or leaves it (with the seconds of GPU work it represents).
pub(super) enum Decision {
    /// Take it now.
    Take,
    /// Leave it for another slot (the seconds of GPU work it represents).
    Leave(f64),
}

/// Slot `slot` considers `item`, with `gpu_ahead` seconds of GPU-bound work queued before it.
pub(super) fn decide<W: Work>(
    shared: &Shared<W>,
    slot: &Slot,
    item: &Queued<W>,
    gpu_ahead: f64,
) -> Decision {
    if item.job.needs_wrap_slot() != (slot.kind == SlotKind::Wrap) {
        return Decision::Leave(0.0);
    }
    if slot.kind == SlotKind::Wrap {
        return Decision::Take;
    }
    let id = item.job.circuit();
    if !slot.supports(id) {
        return Decision::Leave(0.0);
    }
    if slot.kind != SlotKind::Cpu {
        return Decision::Take;
    }
    // Only the GPU slots, not every slot: a CPU slot weighs them under the queue's lock for each job
    // it looks at, and a pool of 1,024 CPU slots has none.
    let gpus: Vec<&Slot> = shared
        .gpus
        .iter()
        .map(|&i| &shared.slots[i])
        .filter(|s| s.healthy.load(AtomicOrdering::SeqCst) && s.supports(id))
        .collect();
    if gpus.is_empty() {
        return Decision::Take;
    }
    let times = lock(&shared.times);
    let gpu = times.estimate(id, SlotKind::Gpu);
    if gpus.iter().any(|s| !s.busy.load(AtomicOrdering::SeqCst)) {
        // An idle GPU takes it.
        return Decision::Leave(gpu.unwrap_or(0.0));
    }
    match (times.estimate(id, SlotKind::Cpu), gpu) {
        // Faster end to end here than behind the GPU queue.
        (Some(cpu), Some(gpu)) if cpu <= gpu_ahead / gpus.len() as f64 + gpu => Decision::Take,
        (Some(_), Some(gpu)) => Decision::Leave(gpu),
        // Not yet timed on both kinds: keep every slot busy.
        _ => Decision::Take,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BatchHeader, Job, JobKind};
    use crate::pool::PoolConfig;
    use crate::store::ArtifactStore;
    use std::sync::Arc;
    use std::time::Instant;
    use zkstream_prover::{
        BackendError, BackendInfo, BasicJob, CircuitId, CpuBackend, KeyStore, ProvingBackend,
        ProvingJob, TreeShape,
    };
    use zkstream_types::{AggregationRound, ArtifactKey, CircuitType, Digest, QueueRange};
    use AggregationRound::*;

    /// A slot kind that never proves: only for the routing decisions, which never call `prove`.
    struct Idle(SlotKind, Option<AggregationRound>);

    impl ProvingBackend for Idle {
        fn info(&self) -> BackendInfo {
            BackendInfo {
                kind: self.0,
                device: None,
                name: "routing test".into(),
                free_memory: None,
            }
        }
        fn supports(&self, id: CircuitId) -> Result<(), BackendError> {
            match (self.1, id) {
                (Some(Basic), CircuitId::Basic(_)) | (None, _) => Ok(()),
                _ => Err(BackendError::Unsupported("only basic circuits".into())),
            }
        }
        fn prove(
            &self,
            _job: ProvingJob<'_>,
        ) -> Result<zkstream_prover::field::BProof, BackendError> {
            Err(BackendError::Job("routing tests never prove".into()))
        }
    }

    fn shared(slots: Vec<Slot>) -> Shared<Job> {
        let keys = KeyStore::open(
            None,
            zkstream_prover::ProofProfile::test(),
            TreeShape::default(),
            1,
            1,
        )
        .expect("in-memory key store");
        Shared::new(
            Arc::new(keys),
            ArtifactStore::open("memory://").expect("memory store"),
            PoolConfig::for_cores(1, 1),
            slots,
            None,
            None,
            crate::pool::DEFAULT_RECORDS_KEPT,
            None,
        )
    }

    fn queued(round: AggregationRound) -> Queued<Job> {
        let range = QueueRange {
            circuit: CircuitType::POSEIDON2,
            start: Digest::default(),
            end: Digest::default(),
            count: 0,
        };
        let now = Instant::now();
        Queued {
            rank: (0, 0, 0),
            seq: 0,
            attempt: 1,
            not_before: now,
            queued: now,
            job: Job {
                key: ArtifactKey {
                    protocol_version: 1,
                    batch: 1,
                    round,
                    circuit: Some(CircuitType::POSEIDON2),
                    depth: 0,
                    index: 0,
                },
                header: BatchHeader {
                    batch_number: 1,
                    protocol_version: 1,
                    previous_batch_commitment: Digest::default(),
                },
                ranges: vec![range],
                siblings: 1,
                kind: JobKind::Basic(BasicJob {
                    index: 0,
                    range,
                    requests: Vec::new(),
                }),
            },
            reply: Box::new(|_| {}),
        }
    }

    fn takes(d: Decision) -> bool {
        matches!(d, Decision::Take)
    }

    #[test]
    fn a_cpu_slot_leaves_gpu_work_to_an_idle_gpu_and_takes_what_no_gpu_can_prove() {
        let s = shared(vec![
            Slot::new(Arc::new(CpuBackend::new(1))),
            Slot::new(Arc::new(Idle(SlotKind::Gpu, Some(Basic)))),
        ]);
        let (cpu, gpu) = (&s.slots[0], &s.slots[1]);
        let basic = queued(Basic);
        let leaf = queued(Leaf);
        assert!(!takes(decide(&s, cpu, &basic, 0.0)), "an idle GPU takes it");
        assert!(takes(decide(&s, gpu, &basic, 0.0)));
        assert!(
            takes(decide(&s, cpu, &leaf, 0.0)),
            "no GPU can prove a leaf here"
        );
        assert!(
            !takes(decide(&s, gpu, &leaf, 0.0)),
            "unsupported on the GPU"
        );
        // A busy GPU and no timings yet: the CPU keeps busy.
        gpu.busy.store(true, AtomicOrdering::SeqCst);
        assert!(takes(decide(&s, cpu, &basic, 0.0)));
        // A GPU that failed is out of the picture.
        gpu.busy.store(false, AtomicOrdering::SeqCst);
        gpu.healthy.store(false, AtomicOrdering::SeqCst);
        assert!(takes(decide(&s, cpu, &basic, 0.0)));
        // So is a circuit the GPU turned out not to support.
        gpu.healthy.store(true, AtomicOrdering::SeqCst);
        lock(&gpu.unsupported).insert(CircuitId::Basic(CircuitType::POSEIDON2));
        assert!(takes(decide(&s, cpu, &basic, 0.0)));
        assert!(!takes(decide(&s, gpu, &basic, 0.0)));
    }

    #[test]
    fn with_both_kinds_timed_a_cpu_slot_takes_a_gpu_job_only_when_it_finishes_sooner() {
        let s = shared(vec![
            Slot::new(Arc::new(CpuBackend::new(1))),
            Slot::new(Arc::new(Idle(SlotKind::Gpu, None))),
        ]);
        let (cpu, gpu) = (&s.slots[0], &s.slots[1]);
        gpu.busy.store(true, AtomicOrdering::SeqCst);
        let basic = queued(Basic);
        {
            let mut t = lock(&s.times);
            t.record(
                basic.job.circuit_id(),
                SlotKind::Cpu,
                Duration::from_secs(10),
            );
            t.record(
                basic.job.circuit_id(),
                SlotKind::Gpu,
                Duration::from_secs(1),
            );
        }
        // CPU 10 s against GPU 1 s behind 4 s of queued GPU work: leave it to the GPU.
        assert!(matches!(decide(&s, cpu, &basic, 4.0), Decision::Leave(g) if g == 1.0));
        // Behind 12 s of GPU work, the CPU finishes first.
        assert!(takes(decide(&s, cpu, &basic, 12.0)));
        // The mean follows new measurements.
        lock(&s.times).record(
            basic.job.circuit_id(),
            SlotKind::Gpu,
            Duration::from_secs(21),
        );
        assert_eq!(
            lock(&s.times).estimate(basic.job.circuit_id(), SlotKind::Gpu),
            Some(7.0)
        );
        assert!(takes(decide(&s, cpu, &basic, 4.0)));
    }

    #[test]
    fn a_wrap_job_goes_only_to_a_wrap_slot_which_takes_nothing_else() {
        let s = shared(vec![
            Slot::new(Arc::new(CpuBackend::new(1))),
            Slot::new(Arc::new(Idle(SlotKind::Gpu, None))),
            Slot::new(Arc::new(zkstream_prover::wrap::WrapBackend::new(1))),
        ]);
        let (cpu, gpu, wrap) = (&s.slots[0], &s.slots[1], &s.slots[2]);
        let mut w = queued(Basic);
        w.job = crate::compress::wrap_job(w.job.output());
        assert!(w.job.needs_wrap_slot());
        assert!(takes(decide(&s, wrap, &w, 0.0)));
        assert!(!takes(decide(&s, cpu, &w, 0.0)));
        assert!(!takes(decide(&s, gpu, &w, 0.0)));
        for round in [Basic, Leaf] {
            let other = queued(round);
            assert!(!takes(decide(&s, wrap, &other, 0.0)), "{round}");
        }
        // A busy wrap slot still leaves other work alone, and nobody else takes a wrap job.
        wrap.busy.store(true, AtomicOrdering::SeqCst);
        assert!(!takes(decide(&s, cpu, &w, 0.0)));
    }
}
