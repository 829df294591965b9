#!/usr/bin/env python3
"""A stand-in for the core's proof endpoint, for trying `zkstream run` by hand.

POST /submit_proof/{batch_number} with a framed final proof (ZKSF...). Answers 200 the first time a batch
arrives, 409 when it already has it (the real core is idempotent per batch), and 500 for the first
--fail-first requests (to watch the sink retry). Each accepted proof is written to --dir/batch-N.proof and
logged, so you can check that every batch arrived exactly once and run `zkstream verify` on it.

    python3 ops/core-stub.py --port 3320 --dir /tmp/core [--fail-first 3]
"""
import argparse
import http.server
import os
import re
import sys

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--port", type=int, default=3320)
parser.add_argument("--dir", default="core-received")
parser.add_argument("--fail-first", type=int, default=0)
args = parser.parse_args()
os.makedirs(args.dir, exist_ok=True)
state = {"requests": 0}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        state["requests"] += 1
        m = re.fullmatch(r"/submit_proof/(\d+)", self.path)
        length = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(length)
        if not m:
            return self.reply(404, "unknown path")
        if state["requests"] <= args.fail_first:
            return self.reply(500, "failing on purpose")
        if not body.startswith(b"ZKSF"):
            return self.reply(400, "not a framed final proof")
        path = os.path.join(args.dir, f"batch-{m.group(1)}.proof")
        if os.path.exists(path):
            print(f"batch {m.group(1)}: duplicate submission (409)", flush=True)
            return self.reply(409, "already have it")
        with open(path + ".tmp", "wb") as f:
            f.write(body)
        os.rename(path + ".tmp", path)
        print(f"batch {m.group(1)}: accepted ({len(body)} bytes)", flush=True)
        self.reply(200, "ok")

    def reply(self, code, text):
        self.send_response(code)
        self.send_header("content-type", "text/plain")
        self.end_headers()
        self.wfile.write(text.encode())

    def log_message(self, *a):
        pass


print(f"core stub on 127.0.0.1:{args.port}, proofs into {args.dir}", file=sys.stderr, flush=True)
http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()
