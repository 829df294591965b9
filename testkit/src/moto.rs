//! A moto S3 server process (PyPI's `moto[server]`, installed by `ops/install-moto.sh`; started as
//! `python3 -m moto.server`) on a free loopback port: a real S3-compatible HTTP endpoint for the
//! artifact store's `s3://` tests. Its buckets are made and listed over plain HTTP (moto accepts
//! unsigned requests), so the tests need no S3 client of their own.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::process::{free_port, wait_for, Reaped};

/// The credentials and region the tests give every client (moto accepts any).
const KEY_ID: &str = "zkstream-test";
const SECRET: &str = "zkstream-test-secret";
const REGION: &str = "us-east-1";

/// A running moto server (killed on drop).
pub struct Moto {
    /// The process.
    pub process: Reaped,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    addr: String,
}

/// Starts moto, its log in `log`.
pub fn moto(log: &Path) -> Moto {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new("python3")
        .args([
            "-m",
            "moto.server",
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .expect("starting moto (python3 -m moto.server; ops/install-moto.sh installs it)");
    let process = Reaped(child);
    let moto = Moto {
        process,
        endpoint: format!("http://{addr}"),
        addr,
    };
    wait_for(Duration::from_secs(30), "moto to answer", || {
        moto.request("GET", "/").is_some()
    });
    moto
}

impl Moto {
    /// One HTTP request; the response (status line, headers and body) as text, `None` if it failed.
    fn request(&self, method: &str, path: &str) -> Option<String> {
        let mut s = TcpStream::connect(&self.addr).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .ok()?;
        let mut out = String::new();
        s.read_to_string(&mut out).ok()?;
        out.starts_with("HTTP/1.1 ").then_some(out)
    }

    /// Creates a bucket.
    pub fn create_bucket(&self, bucket: &str) {
        let r = self
            .request("PUT", &format!("/{bucket}"))
            .expect("moto answers");
        assert!(r.starts_with("HTTP/1.1 200"), "creating {bucket}: {r}");
    }

    /// Every object key in `bucket` (the first 1,000, which is all a test makes).
    pub fn keys(&self, bucket: &str) -> Vec<String> {
        self.objects(bucket).into_keys().collect()
    }

    /// Every object in `bucket` (the first 1,000) with its last-modified time and ETag: a rewritten
    /// object shows a new time.
    pub fn objects(&self, bucket: &str) -> BTreeMap<String, (String, String)> {
        let r = self
            .request("GET", &format!("/{bucket}?list-type=2"))
            .expect("moto answers");
        let field = |block: &str, tag: &str| -> String {
            block
                .split(&format!("<{tag}>"))
                .nth(1)
                .and_then(|rest| rest.split(&format!("</{tag}>")).next())
                .unwrap_or_default()
                .to_string()
        };
        r.split("<Contents>")
            .skip(1)
            .map(|block| {
                (
                    field(block, "Key"),
                    (field(block, "LastModified"), field(block, "ETag")),
                )
            })
            .collect()
    }

    /// The `[store.options]` that point a store at this server.
    pub fn options(&self) -> BTreeMap<String, String> {
        [
            ("aws_endpoint", self.endpoint.as_str()),
            ("aws_allow_http", "true"),
            ("aws_access_key_id", KEY_ID),
            ("aws_secret_access_key", SECRET),
            ("aws_region", REGION),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    /// The standard environment that points a process at this server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ALLOW_HTTP", "true".into()),
            ("AWS_ACCESS_KEY_ID", KEY_ID.into()),
            ("AWS_SECRET_ACCESS_KEY", SECRET.into()),
            ("AWS_REGION", REGION.into()),
        ]
    }
}
