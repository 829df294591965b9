//! The drain signal: once the process that hosts worker 0 is asked to drain, worker 0 says so on a
//! stream of its own, whether or not any batch is moving. Broadcast, it tells every worker of a cluster
//! to stop its readers, so that an idle cluster drains at once instead of waiting for a delivery that
//! never comes (`dataflow/src/pipeline.rs` wires it).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::Operator;
use timely::dataflow::Stream;

/// The drain signal as an operator.
pub trait DrainExt<'scope> {
    /// One `()` on worker 0 once `flag` is set (looked at every `poll`), then nothing more. Worker 0
    /// holds the output open only while `flag` is given and this input (the run's last stream) has not
    /// ended; other workers never emit.
    fn drain_signal(
        self,
        flag: Option<Arc<AtomicBool>>,
        poll: Duration,
    ) -> Stream<'scope, u64, Vec<()>>;
}

impl<'scope, D: Clone + 'static> DrainExt<'scope> for Stream<'scope, u64, Vec<D>> {
    fn drain_signal(
        self,
        flag: Option<Arc<AtomicBool>>,
        poll: Duration,
    ) -> Stream<'scope, u64, Vec<()>> {
        let scope = self.scope();
        let leader = scope.index() == 0;
        self.unary_frontier(Pipeline, "DrainSignal", move |initial, info| {
            let activator = scope.activator_for(info.address);
            let mut cap = match (&flag, leader) {
                (Some(_), true) => Some(initial),
                _ => None,
            };
            // When the pending timer falls due: one at a time (timely keeps every timer asked for,
            // and deliveries activate the operator far more often than it polls).
            let mut due: Option<Instant> = None;
            move |(input, frontier), output| {
                input.for_each_stamp(|_, _| {});
                let (Some(held), Some(flag)) = (cap.as_ref(), flag.as_ref()) else {
                    return;
                };
                if flag.load(Ordering::Acquire) {
                    output.session(held).give(());
                    cap = None;
                } else if frontier.is_empty() {
                    cap = None;
                } else {
                    let now = Instant::now();
                    if due.is_none_or(|d| now >= d) {
                        activator.activate_after(poll);
                        due = Some(now + poll);
                    }
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::run_dataflow;

    #[test]
    fn says_nothing_without_a_request_and_ends_with_its_input() {
        let flag = Arc::new(AtomicBool::new(false));
        let out = run_dataflow(vec![(1, vec![7u8]), (2, vec![8])], move |s| {
            s.drain_signal(Some(flag), Duration::from_millis(1))
        });
        assert!(out.is_empty(), "{out:?}");
        let out = run_dataflow(vec![(1, vec![7u8])], |s| {
            s.drain_signal(None, Duration::from_millis(1))
        });
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn says_once_that_a_drain_was_requested() {
        let flag = Arc::new(AtomicBool::new(true));
        let out = run_dataflow(vec![(1, vec![7u8]), (3, vec![8])], move |s| {
            s.drain_signal(Some(flag), Duration::from_millis(1))
        });
        assert_eq!(out, vec![(0, ())]);
    }
}
