//! Fencing: at most one process delivers for a store and scope at a time. A delivering process takes an
//! *epoch* when it starts and *claims* each thing before it delivers it (a batch before the sinks, its
//! progress record before it is written); a process that started later took a newer epoch, and the older
//! one fails its next claim with [`FenceError::Fenced`] instead of delivering. A process killed with
//! SIGKILL leaves nothing to clean up: its restart simply takes a newer epoch.
//!
//! The fence is a log of create-only records, `state/{scope}/fence/{seq}` (zero-padded, so a listing
//! is in order), each saying `epoch E` and what it claims. Taking an epoch appends a record with the
//! newest record's epoch plus one; a claim appends the record after the holder's own last one. Appends
//! are conditional creates (S3 `If-None-Match: *`, GCS `ifGenerationMatch=0`, an exclusive create on a
//! local directory), so of two processes appending the same sequence number exactly one succeeds, and a
//! holder whose next slot was taken by a newer epoch learns it there. Only the newest records are kept,
//! so a claim also checks that nothing follows it (its slot may be free only because it was pruned).
//!
//! A process paused between its claim and its delivery (a stop-the-world pause, a frozen VM) can still
//! deliver once after a newer epoch took over: no store can stop that. Hence the epoch also travels to
//! the sinks as a fencing token (the core sink sends it with each proof, and a core that keeps the
//! highest epoch it has seen refuses an older one).

use std::fmt;

use crate::store::{ArtifactStore, StoreError};

/// Errors of the fence.
#[derive(Debug, thiserror::Error)]
pub enum FenceError {
    /// A newer epoch took over: another process delivers for this store and scope now.
    #[error("fenced: epoch {ours} of {scope} was superseded by epoch {by} (another process delivers for this store now; this one stops)")]
    Fenced {
        /// The scope (`batches`, `user-proofs`).
        scope: String,
        /// This process's epoch.
        ours: u64,
        /// The epoch that took over.
        by: u64,
    },
    /// A fence record is not one this version wrote.
    #[error("fence record {path} is unreadable")]
    Corrupt {
        /// The record.
        path: String,
    },
    /// Appending kept colliding with other processes.
    #[error(
        "could not take an epoch of {scope}: {attempts} attempts collided with other processes"
    )]
    Contended {
        /// The scope.
        scope: String,
        /// Attempts made.
        attempts: u32,
    },
    /// The store failed.
    #[error("fence of {scope}: {source}")]
    Store {
        /// The scope.
        scope: String,
        /// The store's error.
        source: Box<StoreError>,
    },
}

impl FenceError {
    /// Whether trying again can help: a store fault may pass; being fenced never does (the newer
    /// process goes on), nor does an unreadable record.
    pub fn is_retryable(&self) -> bool {
        match self {
            FenceError::Store { source, .. } => source.is_retryable(),
            FenceError::Contended { .. } => true,
            FenceError::Fenced { .. } | FenceError::Corrupt { .. } => false,
        }
    }
}

/// How many of the newest fence records are kept (older ones are deleted after each claim).
const KEEP: u64 = 8;
/// How often taking an epoch re-reads the head after losing a race.
const TAKE_ATTEMPTS: u32 = 16;
const HEADER: &str = "zkstream fence v1";

/// What a claim is for, written into its record (for whoever reads the store).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// Delivering a batch (or a user-proof run's record) to the sinks.
    Deliver(u64),
    /// Writing the delivery progress after it.
    Progress(u64),
}

impl fmt::Display for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Claim::Deliver(n) => write!(f, "deliver {n}"),
            Claim::Progress(n) => write!(f, "progress {n}"),
        }
    }
}

/// An epoch held in a store: what a delivering process claims with.
#[derive(Debug)]
pub struct Fence {
    store: ArtifactStore,
    scope: String,
    epoch: u64,
    /// The sequence number of this holder's last record.
    seq: u64,
    /// The newer epoch that fenced this holder, once one has (it stays fenced).
    fenced_by: Option<u64>,
}

impl Fence {
    /// Takes a new epoch of `scope` in `store`: one above every epoch taken before, which fences
    /// every earlier holder at its next claim.
    pub fn take(store: &ArtifactStore, scope: &str) -> Result<Fence, FenceError> {
        for _ in 0..TAKE_ATTEMPTS {
            let head = log(store, scope)?.last().copied();
            let epoch = match head {
                None => 1,
                Some(seq) => match epoch_at(store, scope, seq)? {
                    Some(epoch) => epoch + 1,
                    // Pruned between the listing and the read: the log moved on; look again.
                    None => continue,
                },
            };
            let seq = head.map_or(1, |s| s + 1);
            let text = format!("{HEADER}\nepoch {epoch}\ntake\n");
            if !create(store, scope, seq, text)? {
                continue;
            }
            // A slot that was free only because it had been pruned: the log is at least KEEP further
            // on. (A taker that merely followed this one fences it at its first claim, as it should.)
            if log(store, scope)?.last().is_some_and(|&h| h >= seq + KEEP) {
                continue;
            }
            tracing::info!(scope, epoch, "fence: epoch taken");
            return Ok(Fence {
                store: store.clone(),
                scope: scope.to_string(),
                epoch,
                seq,
                fenced_by: None,
            });
        }
        Err(FenceError::Contended {
            scope: scope.to_string(),
            attempts: TAKE_ATTEMPTS,
        })
    }

    /// This holder's epoch (the fencing token the sinks get).
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Claims `what` under this epoch; [`FenceError::Fenced`] if a newer epoch took over since this
    /// holder's last record.
    pub fn claim(&mut self, what: Claim) -> Result<(), FenceError> {
        let fenced = |by| FenceError::Fenced {
            scope: self.scope.clone(),
            ours: self.epoch,
            by,
        };
        if let Some(by) = self.fenced_by {
            return Err(fenced(by));
        }
        let seq = self.seq + 1;
        let text = format!("{HEADER}\nepoch {}\n{what}\n", self.epoch);
        // A record of this epoch already in the slot is this holder's own: an earlier claim whose
        // reply was lost, or whose check below failed.
        let mine = create(&self.store, &self.scope, seq, text)?
            || epoch_at(&self.store, &self.scope, seq)? == Some(self.epoch);
        // The slot may have been free only because a newer holder's pruning deleted it: the claim holds
        // only if nothing was appended after it.
        let log = self.log()?;
        let head = log.last().copied().unwrap_or(seq);
        let taken_at = if !mine {
            Some(seq)
        } else if head > seq {
            Some(head)
        } else {
            None
        };
        if let Some(at) = taken_at {
            // The fencer's epoch (the newest one's, if that record was pruned meanwhile).
            let by = match epoch_at(&self.store, &self.scope, at)? {
                Some(by) => by,
                None => epoch_at(&self.store, &self.scope, head)?.unwrap_or(self.epoch + 1),
            };
            self.fenced_by = Some(by);
            return Err(fenced(by));
        }
        self.seq = seq;
        // Old records only cost a listing; one not deleted now is deleted after a later claim.
        for old in log.iter().take_while(|&&s| s + KEEP <= seq) {
            if let Err(e) = self.store.delete_state(&record(&self.scope, *old)) {
                tracing::warn!(error = %e, "fence: an old record was not deleted");
            }
        }
        Ok(())
    }
}

impl Fence {
    /// The sequence numbers in the log, in order.
    fn log(&self) -> Result<Vec<u64>, FenceError> {
        log(&self.store, &self.scope)
    }
}

/// The sequence numbers in the log of `scope`, in order.
fn log(store: &ArtifactStore, scope: &str) -> Result<Vec<u64>, FenceError> {
    let mut seqs: Vec<u64> = store
        .list_state(&dir(scope))
        .map_err(store_error(scope))?
        .iter()
        .filter_map(|name| name.parse::<u64>().ok())
        .collect();
    seqs.sort_unstable();
    Ok(seqs)
}

/// Wraps a store error of `scope`'s fence.
fn store_error(scope: &str) -> impl FnOnce(StoreError) -> FenceError + '_ {
    move |source| FenceError::Store {
        scope: scope.to_string(),
        source: Box::new(source),
    }
}

fn dir(scope: &str) -> String {
    format!("{scope}/fence")
}

fn record(scope: &str, seq: u64) -> String {
    format!("{scope}/fence/{seq:020}")
}

/// Appends the record `seq` if the slot is free: whether this call created it.
fn create(store: &ArtifactStore, scope: &str, seq: u64, text: String) -> Result<bool, FenceError> {
    store
        .create_state(&record(scope, seq), text.into_bytes())
        .map_err(store_error(scope))
}

/// The epoch recorded at `seq`; `None` if there is no such record (never written, or pruned).
fn epoch_at(store: &ArtifactStore, scope: &str, seq: u64) -> Result<Option<u64>, FenceError> {
    let path = record(scope, seq);
    let corrupt = || FenceError::Corrupt {
        path: format!("state/{path}"),
    };
    let Some(bytes) = store.get_state(&path).map_err(store_error(scope))? else {
        return Ok(None);
    };
    let text = std::str::from_utf8(&bytes).map_err(|_| corrupt())?;
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) {
        return Err(corrupt());
    }
    lines
        .next()
        .and_then(|l| l.strip_prefix("epoch "))
        .and_then(|e| e.parse().ok())
        .map(Some)
        .ok_or_else(corrupt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newer_epoch_fences_the_older_holder_at_its_next_claim() {
        let store = ArtifactStore::open("memory://").unwrap();
        let mut a = Fence::take(&store, "batches").unwrap();
        assert_eq!(a.epoch(), 1);
        a.claim(Claim::Deliver(1)).unwrap();
        a.claim(Claim::Progress(1)).unwrap();
        let mut b = Fence::take(&store, "batches").unwrap();
        assert_eq!(b.epoch(), 2);
        let err = a.claim(Claim::Deliver(2)).unwrap_err();
        assert!(
            matches!(err, FenceError::Fenced { ours: 1, by: 2, .. }),
            "{err}"
        );
        assert!(!err.is_retryable());
        // Still fenced on the next try; the newer holder goes on.
        assert!(a.claim(Claim::Deliver(2)).is_err());
        b.claim(Claim::Deliver(2)).unwrap();
        // A record of its own epoch in its next slot (a claim whose reply was lost) is the holder's.
        let next = record("batches", b.seq + 1);
        let text = format!("{HEADER}\nepoch 2\ndeliver 3\n");
        assert!(store.create_state(&next, text.into_bytes()).unwrap());
        b.claim(Claim::Deliver(3)).unwrap();
        b.claim(Claim::Progress(3)).unwrap();
        // Another scope is not fenced by it.
        let mut other = Fence::take(&store, "user-proofs").unwrap();
        assert_eq!(other.epoch(), 1);
        other.claim(Claim::Deliver(1)).unwrap();
    }

    #[test]
    fn claims_keep_only_the_newest_records_and_epochs_keep_rising() {
        let dir = tempfile::tempdir().unwrap();
        let store = ArtifactStore::local(dir.path()).unwrap();
        let mut a = Fence::take(&store, "batches").unwrap();
        for n in 1..=20 {
            a.claim(Claim::Deliver(n)).unwrap();
        }
        let kept = store.list_state("batches/fence").unwrap();
        assert_eq!(kept.len() as u64, KEEP, "{kept:?}");
        // A restart (the holder is gone, as after SIGKILL) takes the next epoch.
        drop(a);
        let b = Fence::take(&store, "batches").unwrap();
        assert_eq!(b.epoch(), 2);
    }

    /// Random interleavings of takes and claims by several holders: after every step, exactly the
    /// holder of the highest epoch can claim, and every claim of an older one is refused.
    #[test]
    fn only_the_newest_epoch_ever_claims() {
        use rand::{Rng, SeedableRng};
        let seed = zkstream_testkit::seed::seed("ZKSTREAM_SEED", "epoch interleavings");
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let store = ArtifactStore::open("memory://").unwrap();
        let mut holders: Vec<Fence> = Vec::new();
        for step in 0..300 {
            if holders.is_empty() || rng.gen_bool(0.15) {
                holders.push(Fence::take(&store, "batches").unwrap());
                continue;
            }
            let newest = holders.iter().map(Fence::epoch).max().unwrap();
            let i = rng.gen_range(0..holders.len());
            let h = &mut holders[i];
            let result = h.claim(Claim::Deliver(step));
            if h.epoch() == newest {
                result.unwrap_or_else(|e| panic!("step {step}: the newest holder failed: {e}"));
            } else {
                assert!(
                    matches!(result, Err(FenceError::Fenced { by, .. }) if by > h.epoch()),
                    "step {step}: epoch {} claimed under epoch {newest}: {result:?}",
                    h.epoch()
                );
            }
        }
    }
}
