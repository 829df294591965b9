//! The process's lifecycle: a drain on SIGTERM or SIGINT ([`Shutdown`], with its [`Watchdog`]), and
//! what `/healthz` and `/readyz` answer ([`Health`], served beside `/metrics` by
//! [`crate::metrics::Metrics::serve`]).
//!
//! A drain: the first signal sets a flag. The readers stop reading (`sources/src/kafka/reader.rs`,
//! `KafkaSourceConfig::stop`), the batches already read are proved, delivered and committed, and the
//! process exits 0. Should in-flight work outlive `[pipeline] drain_timeout_s`, the watchdog lets the
//! delivery thread finish what it holds and exits 0 anyway: the abandoned batches' records are not
//! committed, so the next start reads them again, and every proof already stored is reused. A second
//! signal exits at once (status 128 + the signal).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A request to drain: set by a signal (or by [`Shutdown::request`]), read by the readers and run
/// loops.
#[derive(Clone, Debug, Default)]
pub struct Shutdown {
    requested: Arc<AtomicBool>,
}

impl Shutdown {
    /// A shutdown that only [`Shutdown::request`] sets (tests, a caller embedding the service).
    pub fn new() -> Self {
        Shutdown::default()
    }

    /// A shutdown that SIGTERM and SIGINT request; a second one exits the process at once.
    pub fn on_signals() -> std::io::Result<Self> {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let shutdown = Shutdown::new();
        for signal in [SIGTERM, SIGINT] {
            // The exit is registered first: it acts only if the flag was already set when the signal
            // came, that is from the second signal on.
            signal_hook::flag::register_conditional_shutdown(
                signal,
                128 + signal,
                Arc::clone(&shutdown.requested),
            )?;
            signal_hook::flag::register(signal, Arc::clone(&shutdown.requested))?;
        }
        Ok(shutdown)
    }

    /// Requests a drain.
    pub fn request(&self) {
        self.requested.store(true, Ordering::Release);
    }

    /// Whether a drain was requested.
    pub fn requested(&self) -> bool {
        self.requested.load(Ordering::Acquire)
    }

    /// The flag itself, for a component that cannot depend on this crate (the Kafka reader).
    pub fn flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.requested)
    }

    /// Starts the drain clock: once a drain is requested, `abandon` is called if the returned
    /// [`Watchdog`] is still alive `timeout` later (it should leave the process: the service has not
    /// finished its in-flight work in time). Dropping the watchdog (the service finished) stops it.
    pub fn watchdog(
        &self,
        timeout: Duration,
        abandon: impl FnOnce() + Send + 'static,
    ) -> std::io::Result<Watchdog> {
        let done = Arc::new(AtomicBool::new(false));
        let (requested, finished) = (Arc::clone(&self.requested), Arc::clone(&done));
        let handle = std::thread::Builder::new()
            .name("zkstream-drain".into())
            .spawn(move || {
                const TICK: Duration = Duration::from_millis(100);
                while !requested.load(Ordering::Acquire) {
                    if finished.load(Ordering::Acquire) {
                        return;
                    }
                    std::thread::sleep(TICK);
                }
                tracing::warn!(
                    timeout_s = timeout.as_secs(),
                    "draining: reading stopped; in-flight batches finish, then the process exits \
                     (a second signal exits at once)"
                );
                let deadline = Instant::now() + timeout;
                while Instant::now() < deadline {
                    if finished.load(Ordering::Acquire) {
                        return;
                    }
                    std::thread::sleep(TICK);
                }
                tracing::warn!(
                    timeout_s = timeout.as_secs(),
                    "drain timeout: abandoning in-flight work (its records are read again on the \
                     next start; stored proofs are reused)"
                );
                abandon();
            })?;
        Ok(Watchdog {
            done,
            handle: Some(handle),
        })
    }
}

/// The drain clock of a running service (see [`Shutdown::watchdog`]); dropping it stops the clock.
pub struct Watchdog {
    done: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Release);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// What `/readyz` waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ready {
    /// Every setup and verification key is loaded or computed.
    Keys,
    /// The artifact store answered (and, on process 0, the delivery fence was taken).
    Store,
    /// The Kafka brokers answered (a client was built and the topic's partitions were found).
    Broker,
    /// The dataflow is running: on a cluster, every process has connected.
    Dataflow,
}

impl Ready {
    /// Every condition, in the order a service meets them.
    pub const ALL: [Ready; 4] = [Ready::Keys, Ready::Store, Ready::Broker, Ready::Dataflow];

    /// The condition's name in `/readyz`'s answer.
    pub fn label(self) -> &'static str {
        match self {
            Ready::Keys => "keys",
            Ready::Store => "store",
            Ready::Broker => "broker",
            Ready::Dataflow => "dataflow",
        }
    }
}

/// A thread that has not reported for this long is stuck (`/healthz` answers 503). The watched
/// threads report every few seconds while they wait (the delivery thread every second, the lag
/// watcher every five, user-proof mode's loop between runs); one waiting on an outside service's
/// retries (a sink, the dead-letter topic) or proving a run is not watched meanwhile.
pub const STUCK_AFTER: Duration = Duration::from_secs(60);

/// The process's liveness and readiness.
#[derive(Debug, Default)]
pub struct Health {
    ready: Mutex<BTreeMap<Ready, bool>>,
    beats: Mutex<BTreeMap<&'static str, Instant>>,
    draining: Shutdown,
}

impl Health {
    /// Nothing ready yet; a requested drain (`shutdown`) makes the process not ready.
    pub fn new(shutdown: Shutdown) -> Self {
        Health {
            draining: shutdown,
            ..Health::default()
        }
    }

    /// Marks a condition met (or no longer met).
    pub fn set(&self, what: Ready, ready: bool) {
        self.ready
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(what, ready);
    }

    /// A long-running thread says it is alive (at least once a second while it runs).
    pub fn beat(&self, thread: &'static str) {
        self.beats
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(thread, Instant::now());
    }

    /// A thread that reported stopped on purpose: it is no longer watched.
    pub fn stopped(&self, thread: &'static str) {
        self.beats
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(thread);
    }

    /// Whether the process is draining (a shutdown was requested).
    pub fn draining(&self) -> bool {
        self.draining.requested()
    }

    /// `/healthz`: `Err` names every thread that has not reported for [`STUCK_AFTER`].
    pub fn liveness(&self) -> Result<(), String> {
        self.liveness_within(STUCK_AFTER)
    }

    fn liveness_within(&self, limit: Duration) -> Result<(), String> {
        let beats = self.beats.lock().unwrap_or_else(|p| p.into_inner());
        let stuck: Vec<String> = beats
            .iter()
            .filter(|(_, at)| at.elapsed() > limit)
            .map(|(name, at)| format!("{name} silent for {} s", at.elapsed().as_secs()))
            .collect();
        if stuck.is_empty() {
            Ok(())
        } else {
            Err(stuck.join("; "))
        }
    }

    /// `/readyz`: `Err` names every condition not met (and says so while draining).
    pub fn readiness(&self) -> Result<(), String> {
        let ready = self.ready.lock().unwrap_or_else(|p| p.into_inner());
        let mut missing: Vec<String> = Ready::ALL
            .iter()
            .filter(|r| !ready.get(r).copied().unwrap_or(false))
            .map(|r| format!("{} not ready", r.label()))
            .collect();
        if self.draining.requested() {
            missing.push("draining".into());
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(missing.join("; "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;

    #[test]
    fn readiness_names_what_is_missing_and_a_drain_unreadies() {
        let shutdown = Shutdown::new();
        let health = Health::new(shutdown.clone());
        assert_eq!(
            health.readiness().unwrap_err(),
            "keys not ready; store not ready; broker not ready; dataflow not ready"
        );
        for r in Ready::ALL {
            health.set(r, true);
        }
        assert_eq!(health.readiness(), Ok(()));
        health.set(Ready::Broker, false);
        assert_eq!(health.readiness().unwrap_err(), "broker not ready");
        health.set(Ready::Broker, true);
        shutdown.request();
        assert_eq!(health.readiness().unwrap_err(), "draining");
    }

    #[test]
    fn a_silent_thread_is_stuck_until_it_stops() {
        let health = Health::new(Shutdown::new());
        assert_eq!(health.liveness(), Ok(()));
        health.beat("delivery");
        assert_eq!(health.liveness(), Ok(()));
        std::thread::sleep(Duration::from_millis(20));
        let stuck = health.liveness_within(Duration::from_millis(10));
        assert!(stuck.unwrap_err().starts_with("delivery silent for"));
        health.stopped("delivery");
        assert_eq!(health.liveness_within(Duration::from_millis(10)), Ok(()));
    }

    #[test]
    fn the_watchdog_abandons_only_a_drain_that_outlives_its_timeout() {
        // Finished in time: never called.
        let shutdown = Shutdown::new();
        let (tx, rx) = channel();
        let dog = shutdown
            .watchdog(Duration::from_millis(300), move || {
                let _ = tx.send(());
            })
            .unwrap();
        shutdown.request();
        drop(dog);
        assert!(rx.recv_timeout(Duration::from_millis(500)).is_err());

        // Not requested: never called, however long it runs.
        let shutdown = Shutdown::new();
        let (tx, rx) = channel();
        let dog = shutdown
            .watchdog(Duration::from_millis(10), move || {
                let _ = tx.send(());
            })
            .unwrap();
        assert!(rx.recv_timeout(Duration::from_millis(300)).is_err());
        drop(dog);

        // Requested and still running after the timeout: called once.
        let shutdown = Shutdown::new();
        let (tx, rx) = channel();
        let _dog = shutdown
            .watchdog(Duration::from_millis(50), move || {
                let _ = tx.send(());
            })
            .unwrap();
        shutdown.request();
        assert!(rx.recv_timeout(Duration::from_secs(5)).is_ok());
    }
}
