"""Every Sanji metric, declared once per process. Labels are bounded: service, command, event type,
consumer and projector names, HTTP route templates — never ids."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

commands = Counter("sanji_commands_total", "Commands handled, by outcome", ["service", "command", "outcome"])
command_seconds = Histogram(
    "sanji_command_seconds", "Command handling latency", ["service", "command"], buckets=LATENCY_BUCKETS
)
events_appended = Counter("sanji_events_appended_total", "Events appended to the store", ["service", "type"])
events_relayed = Counter(
    "sanji_events_relayed_total", "Events published to JetStream with PubAck", ["service"]
)
relay_backlog = Gauge("sanji_relay_backlog", "Stored events not yet relayed", ["service"])
relay_errors = Counter(
    "sanji_relay_errors_total", "Relay batches that failed and will be retried", ["service"]
)
events_handled = Counter(
    "sanji_events_handled_total", "Events handled by reaction consumers", ["consumer", "outcome"]
)
handler_seconds = Histogram(
    "sanji_handler_seconds", "Reaction handler latency", ["consumer"], buckets=LATENCY_BUCKETS
)
consumer_pending = Gauge("sanji_consumer_pending", "Messages waiting for a consumer", ["consumer"])
consumer_lag_seconds = Gauge(
    "sanji_consumer_lag_seconds",
    "How long ago the last handled event was stored, while more wait (0 when caught up)",
    ["consumer"],
)
# Every background worker (reactions, timers, projection, assessment's rescorer) reports these three,
# labelled by its bounded worker name (e.g. "assessment-facts", "opinion-timers", "assessment-rescorer").
worker_failures = Counter(
    "sanji_worker_failures_total",
    "Failures met by background workers: transient (uncounted), retry (within budget), park",
    ["worker", "outcome"],
)
worker_backlog = Gauge("sanji_worker_backlog", "Items waiting for a background worker", ["worker"])
parked_items = Gauge(
    "sanji_parked_items", "Items a worker set aside after its retry budget (sanji dlq list)", ["worker"]
)
projection_applied = Counter("sanji_projection_applied_total", "Events applied by projectors", ["projector"])
projection_lag_events = Gauge("sanji_projection_lag_events", "Events behind the stream head", ["projector"])
projection_lag_seconds = Gauge(
    "sanji_projection_lag_seconds", "Age of the newest applied event when applied", ["projector"]
)
http_seconds = Histogram(
    "sanji_http_request_seconds",
    "HTTP latency",
    ["service", "method", "route", "status"],
    buckets=LATENCY_BUCKETS,
)
ingest = Counter("sanji_ingest_total", "Inbound facts from other systems, by outcome", ["kind", "outcome"])
