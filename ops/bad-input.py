#!/usr/bin/env python3
"""The two bad-input scenarios of the issue "one bad record must never lose, stall or reorder good
batches", by hand, against a real broker (Tansu) with a third-party Kafka client (confluent-kafka):

1. batches 1..8 over 3 partitions and a record with no key at partition 1 offset 3 (behind batches 2, 5,
   8); `zkstream run` is sampled for committed offsets until two batches are delivered, killed with
   SIGKILL, and restarted: every batch delivered, no committed offset ever past an undelivered batch.
2. batches 1..4, five bad records (random bytes under key 99, a truncated frame under key 100, an empty
   value under key 101, no key, a byte copy of batch 3 under key 3), batches 5..8, one partition: every
   batch delivered, the five in the dead-letter topic with their reasons.

    python3 ops/bad-input.py [--zkstream target/release/zkstream] [--keys-dir DIR]

It installs confluent-kafka and Tansu (PyPI) if missing and prints what it measured; exit 1 on a failure.
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
try:
    import confluent_kafka  # noqa: F401
except ImportError:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "confluent-kafka"])
from confluent_kafka import Consumer, Producer, TopicPartition  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--zkstream", default=os.path.join(ROOT, "target/release/zkstream"))
parser.add_argument("--keys-dir", default=os.path.join(ROOT, "target/tmp/keys"))
args = parser.parse_args()
TANSU = subprocess.check_output([os.path.join(ROOT, "ops/install-tansu.sh")], text=True).strip()
failures = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


class Setup:
    def __init__(self, name):
        self.dir = tempfile.mkdtemp(prefix=f"zkstream-{name}-")
        port = free_port()
        self.brokers = f"127.0.0.1:{port}"
        url = f"tcp://{self.brokers}"
        self.tansu = subprocess.Popen(
            [TANSU, "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", "memory://tansu/"],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.dir, "tansu.log"), "w"))
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        core_port = free_port()
        self.core_dir = os.path.join(self.dir, "core")
        self.core = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "ops/core-stub.py"), "--port", str(core_port), "--dir",
             self.core_dir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.config = os.path.join(self.dir, "zkstream.toml")
        with open(self.config, "w") as f:
            f.write(f"""[kafka]
brokers = "{self.brokers}"
poll_interval_ms = 20
[store]
url = "file://{self.dir}/store"
[prover]
profile = "test"
keys_dir = "{args.keys_dir}"
[pipeline]
workers = 2
max_batches_in_flight = 3
[sink.core]
url = "http://127.0.0.1:{core_port}"
backoff_ms = 50
max_backoff_ms = 500
""")
        os.makedirs(os.path.join(self.dir, "store"), exist_ok=True)

    def produce_cli(self, topic, batches, partitions):
        subprocess.check_call(
            [args.zkstream, "produce", "--brokers", self.brokers, "--topic", topic, "--batches",
             str(batches), "--seed", "7", "--partitions", str(partitions), "--profile", "test",
             "--keys-dir", args.keys_dir], stdout=subprocess.DEVNULL)

    def delivered(self):
        if not os.path.isdir(self.core_dir):
            return set()
        return {int(f[6:-6]) for f in os.listdir(self.core_dir) if f.startswith("batch-")}

    def committed(self, topic, partitions):
        c = Consumer({"bootstrap.servers": self.brokers, "group.id": "zkstream"})
        try:
            got = c.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=5)
            return [max(tp.offset, 0) for tp in got]
        finally:
            c.close()

    def read(self, topic, want=0, timeout=20):
        c = Consumer({"bootstrap.servers": self.brokers, "group.id": f"reader-{time.time()}",
                      "enable.auto.commit": False})
        partitions = len(c.list_topics(topic, timeout=10).topics[topic].partitions)
        c.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
        out, deadline = [], time.time() + timeout
        while time.time() < deadline and len(out) < want:
            m = c.poll(0.2)
            if m is not None and not m.error():
                out.append(m)
        c.close()
        return out

    def dead_lettered(self):
        """Source (partition, offset) of every dead letter written so far."""
        c = Consumer({"bootstrap.servers": self.brokers, "group.id": f"dlq-{time.time()}",
                      "enable.auto.commit": False})
        try:
            meta = c.list_topics("zkstream.dlq", timeout=10).topics.get("zkstream.dlq")
            if meta is None or meta.error is not None:
                return set()
            tps = [TopicPartition("zkstream.dlq", p, 0) for p in meta.partitions]
            ends = sum(c.get_watermark_offsets(tp, timeout=5)[1] for tp in tps)
            c.assign(tps)
            out, deadline = set(), time.time() + 10
            read = 0
            while read < ends and time.time() < deadline:
                m = c.poll(0.2)
                if m is None or m.error():
                    continue
                read += 1
                h = dict(m.headers() or [])
                out.add((int(h["zkstream-source-partition"]), int(h["zkstream-source-offset"])))
            return out
        finally:
            c.close()

    def sample(self, topic, layout, worst):
        """One sample of the group's committed offsets against what is settled: per partition, the
        committed offset must not pass a record that is neither delivered (a batch, `layout` giving the
        batch at each offset) nor dead-lettered (None). Violations are appended to `worst`."""
        # Offsets first: whatever they commit was settled before they were read.
        committed = self.committed(topic, len(layout))
        done = self.delivered()
        dead = self.dead_lettered()
        for part, records in layout.items():
            first_open = next((o for o, b in enumerate(records)
                               if (b is None and (part, o) not in dead)
                               or (b is not None and b not in done)), len(records))
            if committed[part] > first_open:
                worst.append((part, committed[part], first_open, sorted(done)))

    def run(self, bounded, log):
        cmd = [args.zkstream, "run", "--config", self.config] + (["--bounded"] if bounded else [])
        return subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT)

    def close(self):
        for p in (self.tansu, self.core):
            p.kill()
            p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def scenario_1():
    print("== scenario 1: a keyless record behind batches 2, 5, 8 of partition 1; kill -9; restart")
    s = Setup("s1")
    topic = "zkstream.batches"
    s.produce_cli(topic, 8, 3)
    p = Producer({"bootstrap.servers": s.brokers})
    p.produce(topic, value=b"a record without a key", partition=1)
    p.flush(10)
    # Offsets per partition, and the batch at each (None: the bad record).
    layout = {0: [1, 4, 7], 1: [2, 5, 8, None], 2: [3, 6]}
    started = time.time()
    run = s.run(False, os.path.join(s.dir, "run1.log"))
    samples, worst = 0, []
    while time.time() - started < 600 and len(s.delivered()) < 2:
        s.sample(topic, layout, worst)
        samples += 1
        time.sleep(0.3)
    run.send_signal(signal.SIGKILL)
    run.wait()
    at_kill = s.committed(topic, 3)
    print(f"     killed after {time.time() - started:.1f} s with batches {sorted(s.delivered())} "
          f"delivered, committed offsets {at_kill}, {samples} samples")
    check(samples > 0 and not worst,
          f"no committed offset passed an unsettled record ({samples} samples; {worst[:3]})")
    out = subprocess.run([args.zkstream, "run", "--config", s.config, "--bounded"],
                         capture_output=True, text=True, timeout=900)
    check(out.returncode == 0, "the restart finished")
    check(s.delivered() == set(range(1, 9)), f"every batch delivered: {sorted(s.delivered())}")
    final = s.committed(topic, 3)
    check(final == [3, 4, 2], f"offsets committed to the end: {final}")
    dlq = s.read("zkstream.dlq", want=1)
    check(len(dlq) >= 1 and any(b"key" in v for _, v in (dlq[0].headers() or [])),
          f"the keyless record is a dead letter ({len(dlq)} letter(s))")
    print(f"     scenario 1: {time.time() - started:.1f} s")
    s.close()


def scenario_2():
    print("== scenario 2: five bad records under future-looking keys between batches 4 and 5")
    s = Setup("s2")
    s.produce_cli("scratch", 8, 1)
    frames = {int.from_bytes(m.key(), "big"): m.value() for m in s.read("scratch", want=8)}
    topic = "zkstream.batches"
    p = Producer({"bootstrap.servers": s.brokers})

    def send(key, value):
        p.produce(topic, key=key, value=value, partition=0)
        p.flush(10)

    admin = AdminClient({"bootstrap.servers": s.brokers})
    for f in admin.create_topics([NewTopic(topic, 1, 1)]).values():
        f.result()
    for n in range(1, 5):
        send(n.to_bytes(8, "big"), frames[n])
    bad = [
        ((99).to_bytes(8, "big"), os.urandom(64), "undecodable"),
        ((100).to_bytes(8, "big"), frames[3][: len(frames[3]) // 2], "undecodable"),
        ((101).to_bytes(8, "big"), b"", "undecodable: empty"),
        (None, frames[5], "key"),
        ((3).to_bytes(8, "big"), frames[3], "already read"),
    ]
    for key, value, _ in bad:
        send(key, value)
    for n in range(5, 9):
        send(n.to_bytes(8, "big"), frames[n])
    layout = {0: [1, 2, 3, 4, None, None, None, None, None, 5, 6, 7, 8]}
    started = time.time()
    log = os.path.join(s.dir, "run.log")
    run = s.run(True, log)
    samples, worst = 0, []
    while run.poll() is None and time.time() - started < 900:
        s.sample(topic, layout, worst)
        samples += 1
        time.sleep(0.3)
    if run.poll() is None:
        run.kill()
    code = run.wait()
    summary = [line for line in open(log) if line.startswith("summary")]
    print(f"     run: exit {code} in {time.time() - started:.1f} s, {samples} offset samples; "
          + " ".join(summary).strip())
    check(code == 0, "the run finished without a gap")
    check(samples > 0 and not worst,
          f"no committed offset passed an unsettled record ({samples} samples; {worst[:3]})")
    check(s.delivered() == set(range(1, 9)), f"every batch delivered: {sorted(s.delivered())}")
    dlq = s.read("zkstream.dlq", want=5)
    headers = sorted((dict(m.headers() or []) for m in dlq),
                     key=lambda h: int(h["zkstream-source-offset"]))
    reasons = [h["zkstream-reason"].decode() for h in headers]
    check(len(dlq) == 5, f"five dead letters: {reasons}")
    for (_, _, want), got in zip(bad, reasons):
        check(want in got, f"reason {got!r} says {want!r}")
    final = s.committed(topic, 1)
    check(final == [13], f"offsets committed to the end: {final}")
    s.close()


scenario_1()
scenario_2()
print("all good" if not failures else f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
