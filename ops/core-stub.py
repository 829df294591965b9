#!/usr/bin/env python3
"""A stand-in for the core's proof endpoint, for trying `zkstream run` by hand.

POST /submit_proof/{batch_number} with a framed final proof (ZKSF...). Answers 200 the first time a batch
arrives, 409 when it already has it (the real core is idempotent per batch), and 500 for the first
--fail-first requests (to watch the sink retry). Each accepted proof is written to --dir/batch-N.proof and
logged, so you can check that every batch arrived exactly once and run `zkstream verify` on it.

    python3 ops/core-stub.py --port 3320 --dir /tmp/core [--fail-first 3]

With --tls-cert/--tls-key it serves https; with --token it answers 401 to a request without
`Authorization: Bearer TOKEN`; with --busy-first N the first N requests are answered 503 with
`Retry-After: --retry-after` seconds. sinks/tests/core_http.rs uses it as the core sink's https peer.
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
parser.add_argument("--tls-cert", help="serve https with this PEM certificate (chain)")
parser.add_argument("--tls-key", help="the certificate's PEM private key")
parser.add_argument("--token", help="require Authorization: Bearer TOKEN")
parser.add_argument("--busy-first", type=int, default=0, help="answer the first N requests 503")
parser.add_argument("--retry-after", type=int, default=1, help="Retry-After seconds of those 503s")
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
        if args.token and self.headers.get("authorization") != f"Bearer {args.token}":
            print(f"batch {m.group(1)}: refused credentials (401)", flush=True)
            return self.reply(401, "bad or missing bearer token")
        if state["requests"] <= args.busy_first:
            print(f"batch {m.group(1)}: busy (503, Retry-After {args.retry_after})", flush=True)
            return self.reply(503, "busy", {"Retry-After": str(args.retry_after)})
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

    def reply(self, code, text, headers=None):
        self.send_response(code)
        self.send_header("content-type", "text/plain")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(text.encode())

    def log_message(self, *a):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
scheme = "http"
if args.tls_cert:
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.tls_cert, args.tls_key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    scheme = "https"
print(f"core stub on {scheme}://127.0.0.1:{args.port}, proofs into {args.dir}", file=sys.stderr, flush=True)
server.serve_forever()
