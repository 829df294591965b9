//! The job graph of one simulated batch: per type, basic jobs; leaves over `arity` consecutive basic
//! proofs; node levels over `arity` consecutive proofs of the level below until one proof per type is
//! left (at least one node level, as in zkSync); the recursion tip over every type's final node; the
//! scheduler over the tip; the compression over the scheduler. Each job has one parent (a tree), and
//! its modeled duration.

use serde::{Deserialize, Serialize};
use zkstream_types::{AggregationRound, CircuitType, SimulatedBatch};

use crate::tree_hash::SimKey;
use crate::workload::{Workload, WorkloadError};

/// A job's position in [`BatchGraph::jobs`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct JobId(pub u32);

/// One simulated job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimJob {
    /// Its place in the tree.
    pub key: SimKey,
    /// The jobs whose artifacts it reads, in order.
    pub children: Vec<JobId>,
    /// Modeled seconds it holds a slot.
    pub duration_s: f64,
    /// Modeled second its batch arrives, before which it cannot start: 0 in one batch's graph, the
    /// batch's place in the stream in [`BatchGraph::stream`]'s.
    #[serde(default)]
    pub arrival_s: f64,
}

/// The jobs of one batch, or of a stream of batches ([`BatchGraph::stream`]), children before
/// parents; in one batch's graph the compression job is last.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchGraph {
    /// The jobs, in a topological order.
    pub jobs: Vec<SimJob>,
}

impl BatchGraph {
    /// The graph of batch `batch` of this workload, which is checked first; `seed` draws the
    /// durations' jitter (the same seed gives the same durations, whatever schedule runs them).
    pub fn build(workload: &Workload, batch: u64, seed: u64) -> Result<Self, WorkloadError> {
        workload.check()?;
        Self::of_batch(workload, &workload.batch(batch), seed)
    }

    /// The graph of a simulated batch as it arrived (its own counts and arity), with the durations of
    /// `workload`, whose circuit types it must have.
    pub fn of_batch(
        workload: &Workload,
        batch: &SimulatedBatch,
        seed: u64,
    ) -> Result<Self, WorkloadError> {
        batch.validate().map_err(|e| WorkloadError::Invalid {
            name: batch.workload.clone(),
            reason: e.to_string(),
        })?;
        if batch.basic.len() != workload.types.len() {
            return Err(WorkloadError::Invalid {
                name: workload.name.clone(),
                reason: format!(
                    "batch {} has {} circuit types, the workload {}",
                    batch.batch_number,
                    batch.basic.len(),
                    workload.types.len()
                ),
            });
        }
        Ok(Self::shaped(workload, batch, seed))
    }

    fn shaped(workload: &Workload, batch: &SimulatedBatch, seed: u64) -> Self {
        let total: u64 = batch.basic.iter().map(|&n| u64::from(n)).sum();
        let mut g = Builder {
            workload,
            batch: batch.batch_number,
            seed,
            jobs: Vec::with_capacity(total as usize * 17 / 16 + 64),
        };
        // The simulated family of this batch drives the recursion: its layer sizes per type.
        let family = workload.family_with_arity(batch.arity);
        let arity = batch.arity as usize;
        let mut finals = Vec::with_capacity(batch.basic.len());
        for ((spec, load), &count) in family.types.iter().zip(&workload.types).zip(&batch.basic) {
            let circuit = Some(spec.id);
            let layers = family
                .layers(spec.id, u64::from(count))
                .unwrap_or_else(|_| vec![1, 1]);
            let basic: Vec<JobId> = (0..count)
                .map(|i| {
                    g.push(
                        AggregationRound::Basic,
                        circuit,
                        0,
                        i,
                        Vec::new(),
                        load.basic_s,
                    )
                })
                .collect();
            let mut level = g.level(AggregationRound::Leaf, circuit, 0, &basic, arity);
            for depth in 1..layers.len() as u32 {
                level = g.level(AggregationRound::Node, circuit, depth, &level, arity);
            }
            debug_assert_eq!(level.len(), 1, "the family's layers end in one proof");
            finals.extend(level);
        }
        let d = &workload.durations;
        let tip = g.push(AggregationRound::RecursionTip, None, 0, 0, finals, d.tip_s);
        let scheduler = g.push(
            AggregationRound::Scheduler,
            None,
            0,
            0,
            vec![tip],
            d.scheduler_s,
        );
        g.push(
            AggregationRound::Compression,
            None,
            0,
            0,
            vec![scheduler],
            d.compression_s,
        );
        BatchGraph { jobs: g.jobs }
    }

    /// The compression job: the batch's final artifact.
    pub fn root(&self) -> JobId {
        JobId(self.jobs.len() as u32 - 1)
    }

    /// How many jobs of this round the batch has.
    pub fn count(&self, round: AggregationRound) -> usize {
        self.jobs.iter().filter(|j| j.key.round == round).count()
    }

    /// Each job's parent (`None` for the root).
    pub fn parents(&self) -> Vec<Option<JobId>> {
        let mut parent = vec![None; self.jobs.len()];
        for (i, job) in self.jobs.iter().enumerate() {
            for c in &job.children {
                parent[c.0 as usize] = Some(JobId(i as u32));
            }
        }
        parent
    }

    /// Longest chain from each job to the end, its own duration included (each job has one parent,
    /// and comes after its children): how urgent the job is, critical-path first.
    pub fn bottom_levels(&self) -> Vec<f64> {
        let parents = self.parents();
        let mut bottom = vec![0.0; self.jobs.len()];
        for i in (0..self.jobs.len()).rev() {
            let above = parents[i].map_or(0.0, |p| bottom[p.0 as usize]);
            bottom[i] = self.jobs[i].duration_s + above;
        }
        bottom
    }

    /// Modeled seconds of all jobs together.
    pub fn total_work_s(&self) -> f64 {
        self.jobs.iter().map(|j| j.duration_s).sum()
    }

    /// A stream of batches as one graph (each batch's job ids shifted past the ones before), batch
    /// `i` of `graphs` (from 0) arriving at `i × interval_s` modeled seconds: 0 puts every batch at
    /// the start. Its [`BatchGraph::root`] is the last batch's compression.
    pub fn stream(graphs: &[BatchGraph], interval_s: f64) -> BatchGraph {
        let mut jobs: Vec<SimJob> = Vec::new();
        for (i, g) in graphs.iter().enumerate() {
            let base = jobs.len() as u32;
            let arrival_s = i as f64 * interval_s;
            jobs.extend(g.jobs.iter().map(|j| SimJob {
                key: j.key,
                children: j.children.iter().map(|c| JobId(c.0 + base)).collect(),
                duration_s: j.duration_s,
                arrival_s: j.arrival_s + arrival_s,
            }));
        }
        BatchGraph { jobs }
    }
}

struct Builder<'a> {
    workload: &'a Workload,
    batch: u64,
    seed: u64,
    jobs: Vec<SimJob>,
}

impl Builder<'_> {
    fn push(
        &mut self,
        round: AggregationRound,
        circuit: Option<CircuitType>,
        depth: u32,
        index: u32,
        children: Vec<JobId>,
        base_s: f64,
    ) -> JobId {
        let key = SimKey {
            batch: self.batch,
            round,
            circuit,
            depth,
            index,
        };
        let u = unit(self.seed, &key);
        let duration_s = base_s * (1.0 + self.workload.jitter * u);
        self.jobs.push(SimJob {
            key,
            children,
            duration_s,
            arrival_s: 0.0,
        });
        JobId(self.jobs.len() as u32 - 1)
    }

    /// One level above `below`: a job per `arity` consecutive children.
    fn level(
        &mut self,
        round: AggregationRound,
        circuit: Option<CircuitType>,
        depth: u32,
        below: &[JobId],
        arity: usize,
    ) -> Vec<JobId> {
        let d = &self.workload.durations;
        let base_s = if round == AggregationRound::Leaf {
            d.leaf_s
        } else {
            d.node_s
        };
        below
            .chunks(arity)
            .enumerate()
            .map(|(i, c)| self.push(round, circuit, depth, i as u32, c.to_vec(), base_s))
            .collect()
    }
}

/// A number in [−1, 1] drawn from the seed and the key (splitmix64 over the key's bytes).
fn unit(seed: u64, key: &SimKey) -> f64 {
    let mut x = seed;
    for chunk in key.to_bytes().chunks(8) {
        let mut b = [0u8; 8];
        b[..chunk.len()].copy_from_slice(chunk);
        x = splitmix64(x ^ u64::from_le_bytes(b));
    }
    (x >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
}

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use AggregationRound::*;

    #[test]
    fn the_mainnet_batch_has_the_published_round_counts() {
        let g = BatchGraph::build(&Workload::mainnet(), 496_134, 0).unwrap();
        let counts: Vec<usize> = AggregationRound::ALL.iter().map(|&r| g.count(r)).collect();
        // A simulated batch has no wrap job.
        assert_eq!(counts, [17_061, 544, 32, 1, 1, 1, 0]);
        // The tip verifies one final node per type.
        let tip = &g.jobs[g.jobs.len() - 3];
        assert_eq!(tip.key.round, RecursionTip);
        assert_eq!(tip.children.len(), 20);
    }

    #[test]
    fn every_job_but_the_root_has_one_parent_and_children_come_first() {
        let g = BatchGraph::build(&Workload::small(), 3, 5).unwrap();
        let parents = g.parents();
        assert_eq!(parents.iter().filter(|p| p.is_none()).count(), 1);
        assert_eq!(parents[g.root().0 as usize], None);
        let mut seen = vec![0u32; g.jobs.len()];
        for (i, job) in g.jobs.iter().enumerate() {
            assert!(!job.children.is_empty() || job.key.round == Basic);
            for c in &job.children {
                assert!((c.0 as usize) < i);
                seen[c.0 as usize] += 1;
            }
        }
        assert!(seen[..g.jobs.len() - 1].iter().all(|&n| n == 1));
        // small: 21 basic → 6 leaves → 2 nodes → 1 node; 5 → 2 → 1; 1 → 1 → 1.
        assert_eq!(g.count(Leaf), 9);
        assert_eq!(g.count(Node), 5);
        assert!(g.jobs.iter().any(|j| j.key.depth == 2));
    }

    #[test]
    fn a_batch_as_it_arrived_keeps_its_counts_and_needs_the_workloads_types() {
        let w = Workload::small();
        let mut b = w.batch(4);
        b.basic[0] = 2;
        let g = BatchGraph::of_batch(&w, &b, 1).unwrap();
        assert_eq!(g.count(Basic), 2 + 5 + 1);
        b.basic.push(3);
        let err = BatchGraph::of_batch(&w, &b, 1).unwrap_err().to_string();
        assert!(err.contains("4 circuit types, the workload 3"), "{err}");
        b.basic.clear();
        assert!(BatchGraph::of_batch(&w, &b, 1).is_err());
        // An impossible workload is refused before any graph is built (arity 1 would never end).
        let mut narrow = Workload::small();
        narrow.arity = 1;
        assert!(BatchGraph::build(&narrow, 1, 1).is_err());
    }

    #[test]
    fn durations_stay_within_the_jitter_and_depend_on_the_seed() {
        let w = Workload::mainnet();
        let a = BatchGraph::build(&w, 1, 1).unwrap();
        let b = BatchGraph::build(&w, 1, 2).unwrap();
        assert_ne!(a, b);
        assert_eq!(a, BatchGraph::build(&w, 1, 1).unwrap());
        for job in &a.jobs {
            let base = match job.key.round {
                Basic => w.types[job.key.circuit.unwrap().id() as usize].basic_s,
                Leaf => w.durations.leaf_s,
                Node => w.durations.node_s,
                RecursionTip => w.durations.tip_s,
                Scheduler => w.durations.scheduler_s,
                Compression => w.durations.compression_s,
                Wrap => unreachable!("a simulated batch has no wrap job"),
            };
            let r = job.duration_s / base;
            assert!((0.8..=1.2).contains(&r), "{r}");
        }
        // The jitter is spread, not constant.
        let mean = a.total_work_s() / a.jobs.len() as f64;
        assert!(a.jobs.iter().any(|j| j.duration_s > mean * 1.1));
    }
}
