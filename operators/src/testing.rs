//! The timely harness of the operators' unit tests: a one-worker dataflow on the test's own thread,
//! inputs sent at their times, every output collected with the time it came out at, run until the
//! frontier passes everything.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use timely::dataflow::operators::{Input, Inspect, Probe};
use timely::dataflow::{InputHandle, ProbeHandle, Stream};

/// Builds `graph` on a stream of `inputs` (each `(time, items)`, times non-decreasing), runs it to the
/// end and returns each output record with its time, in the order they came out.
pub(crate) fn run_dataflow<I, O, G>(inputs: Vec<(u64, Vec<I>)>, graph: G) -> Vec<(u64, O)>
where
    I: Clone + Send + Sync + 'static,
    O: Clone + Send + 'static,
    G: for<'s> FnOnce(Stream<'s, u64, Vec<I>>) -> Stream<'s, u64, Vec<O>> + Send + Sync + 'static,
{
    timely::execute_directly(move |worker| {
        let mut input = InputHandle::new();
        let probe = ProbeHandle::new();
        let seen = Rc::new(RefCell::new(Vec::new()));
        let out = Rc::clone(&seen);
        worker.dataflow::<u64, _, _>(|scope| {
            graph(scope.input_from(&mut input))
                .inspect_core(move |event| {
                    if let Ok((stamp, data)) = event {
                        let time = *stamp.least().expect("a message has a time");
                        out.borrow_mut()
                            .extend(data.iter().map(|r| (time, r.clone())));
                    }
                })
                .probe_with(&probe);
        });
        for (time, items) in inputs {
            input.advance_to(time);
            for item in items {
                input.send(item);
            }
        }
        input.close();
        while !probe.done() {
            worker.step_or_park(Some(Duration::from_millis(10)));
        }
        seen.take()
    })
}
