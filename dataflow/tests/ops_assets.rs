//! The operations assets in `ops/` against the binary's metrics: the Grafana dashboard is valid JSON, has
//! the panels operators need, and every query (dashboard and alert rules) names a metric zkstream exports.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::Path;

use zkstream_dataflow::metrics::Metrics;

fn ops(file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ops")
        .join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `zkstream_*` names a PromQL expression uses, histogram suffixes removed.
fn metrics_in(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = expr;
    while let Some(i) = rest.find("zkstream_") {
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        let mut name = &tail[..end];
        for suffix in ["_bucket", "_sum", "_count"] {
            if let Some(base) = name.strip_suffix(suffix) {
                name = base;
            }
        }
        out.push(name.to_string());
        rest = &tail[end..];
    }
    out
}

fn exported() -> BTreeSet<String> {
    Metrics::new().unwrap().metric_names().into_iter().collect()
}

#[test]
fn every_dashboard_panel_queries_an_exported_metric() {
    let exported = exported();
    let dashboard: serde_json::Value = serde_json::from_str(&ops("grafana/zkstream.json")).unwrap();
    let panels = dashboard["panels"].as_array().unwrap();
    assert!(panels.len() >= 8, "only {} panels", panels.len());
    let mut used = BTreeSet::new();
    for panel in panels {
        let title = panel["title"].as_str().unwrap();
        let targets = panel["targets"].as_array().unwrap();
        assert!(!targets.is_empty(), "panel {title:?} has no query");
        for t in targets {
            let expr = t["expr"].as_str().unwrap();
            let names = metrics_in(expr);
            assert!(
                !names.is_empty(),
                "panel {title:?}: {expr} names no zkstream metric"
            );
            for n in names {
                assert!(
                    exported.contains(&n),
                    "panel {title:?} queries {n}, which zkstream does not export"
                );
                used.insert(n);
            }
        }
    }
    // What the issue asks the dashboard to show.
    for needed in [
        "zkstream_proofs_generated_total",
        "zkstream_prove_seconds",
        "zkstream_queue_depth",
        "zkstream_oldest_unproven_batch",
        "zkstream_batch_latency_seconds",
        "zkstream_kafka_consumer_lag",
        "zkstream_dlq_total",
        "zkstream_job_retries_total",
    ] {
        assert!(used.contains(needed), "no panel shows {needed}");
    }
}

#[test]
fn alert_rules_and_scrape_config_name_exported_metrics() {
    let exported = exported();
    let alerts = ops("alerts.yml");
    let exprs: Vec<&str> = alerts
        .lines()
        .filter_map(|l| l.trim().strip_prefix("expr:"))
        .collect();
    assert!(exprs.len() >= 3);
    assert!(alerts.contains("zkstream_oldest_unproven_age_seconds"));
    for e in exprs {
        let names = metrics_in(e);
        if names.is_empty() {
            // Rules about the target itself: Prometheus's `up` and the process collector's standard
            // metrics, both scoped to zkstream's scrape job.
            let standard = ["up{", "process_open_fds{", "process_max_fds{"];
            assert!(
                standard.iter().any(|s| e.contains(s)) && e.contains(r#"job="zkstream""#),
                "alert {e} names neither a zkstream metric nor a standard one of its job"
            );
        }
        for n in names {
            assert!(exported.contains(&n), "alert queries {n}, not exported");
        }
    }
    let scrape = ops("prometheus.yml");
    assert!(scrape.contains("metrics_path: /metrics") && scrape.contains("alerts.yml"));
}

#[test]
fn the_metric_name_parser_sees_histogram_series() {
    assert_eq!(
        metrics_in(
            "histogram_quantile(0.5, rate(zkstream_prove_seconds_bucket[5m])) + zkstream_dlq_total"
        ),
        vec!["zkstream_prove_seconds", "zkstream_dlq_total"]
    );
}
