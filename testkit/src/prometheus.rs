//! A Prometheus server process (Debian's `prometheus`, installed by `ops/install-prometheus.sh`;
//! `$ZKSTREAM_PROMETHEUS_BIN`, else `prometheus` on the `PATH`) on a free loopback port, scraping the
//! given targets every second as job `zkstream`, its storage in a temporary directory; and instant
//! queries through its HTTP API.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::process::{free_port, http_get, wait_for, Reaped};

/// A running Prometheus server (killed on drop).
pub struct Prometheus {
    /// The process.
    pub process: Reaped,
    /// `127.0.0.1:PORT`.
    pub addr: String,
}

/// Starts Prometheus in `dir` (its configuration, storage and log there), scraping `targets`
/// (`host:port` each) every second.
pub fn prometheus(dir: &Path, targets: &[&str]) -> Prometheus {
    std::fs::create_dir_all(dir).unwrap();
    let config = dir.join("prometheus.yml");
    let list: Vec<String> = targets.iter().map(|t| format!("'{t}'")).collect();
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: \
             zkstream\n    static_configs:\n      - targets: [{}]\n",
            list.join(", ")
        ),
    )
    .unwrap();
    let bin = std::env::var("ZKSTREAM_PROMETHEUS_BIN").unwrap_or_else(|_| "prometheus".into());
    let addr = format!("127.0.0.1:{}", free_port());
    let child = Command::new(&bin)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("data").display()
        ))
        .arg(format!("--web.listen-address={addr}"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("prometheus.log")).unwrap())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("starting {bin} ({e}; ops/install-prometheus.sh installs Debian's prometheus)")
        });
    let server = Prometheus {
        process: Reaped(child),
        addr,
    };
    wait_for(Duration::from_secs(60), "prometheus to be ready", || {
        http_get(&server.addr, "/-/ready").is_some_and(|(s, _)| s == 200)
    });
    server
}

impl Prometheus {
    /// An instant query (`/api/v1/query`): the result vector's samples as (labels, value).
    pub fn query(&self, expr: &str) -> Vec<(serde_json::Value, f64)> {
        let (status, body) = http_get(&self.addr, &format!("/api/v1/query?query={}", encode(expr)))
            .unwrap_or_else(|| panic!("prometheus did not answer {expr}"));
        assert_eq!(status, 200, "{expr}: {body}");
        let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(answer["status"], "success", "{expr}: {body}");
        answer["data"]["result"]
            .as_array()
            .unwrap_or_else(|| panic!("{expr}: not a vector: {body}"))
            .iter()
            .map(|s| {
                let value = s["value"][1].as_str().unwrap().parse().unwrap();
                (s["metric"].clone(), value)
            })
            .collect()
    }
}

/// Percent-encodes a query parameter (everything but unreserved characters).
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
