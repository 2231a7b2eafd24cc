// The metric catalogue: every metric name tickguard exports, in one place. These names are a public
// contract (dashboards and alert rules depend on them); README.md documents each one.
#pragma once

namespace tickguard::metrics {

struct MetricName {
  const char* name;
  const char* help;
};

inline constexpr MetricName kPrice{"tickguard_price",
                                   "Last trade price, in quote currency per unit of base."};
inline constexpr MetricName kSpreadRatio{
    "tickguard_spread_ratio", "Relative bid-ask spread, (ask - bid) / mid, from the best bid and offer."};
inline constexpr MetricName kTrades{"tickguard_trades_total", "Trades received."};
inline constexpr MetricName kTradeVolume{"tickguard_trade_volume_total", "Traded quantity, in base units."};
inline constexpr MetricName kAnomalyScore{
    "tickguard_anomaly_score", "Latest anomaly score of a detector, in [0,1]; 0.5 is its threshold."};
inline constexpr MetricName kEnsembleScore{
    "tickguard_ensemble_score",
    "Ensemble anomaly score of the symbol in [0,1]: the geometric mean of the two highest detector scores."};
inline constexpr MetricName kAnomalyActive{
    "tickguard_anomaly_active", "1 while a detector's anomaly episode is active (with hysteresis), else 0."};
inline constexpr MetricName kAnomalies{"tickguard_anomalies_total", "Anomaly episodes raised, by severity."};
inline constexpr MetricName kFeedUp{"tickguard_feed_up",
                                    "1 when the feed's connection to the exchange is up."};
inline constexpr MetricName kFeedMessages{"tickguard_feed_messages_total", "Market data messages received."};
inline constexpr MetricName kFeedLastMessage{"tickguard_feed_last_message_timestamp_seconds",
                                             "Unix time of the last message received for the symbol."};
inline constexpr MetricName kFeedReconnects{"tickguard_feed_reconnects_total",
                                            "Connections to the exchange re-established after a loss."};
inline constexpr MetricName kFeedErrors{"tickguard_feed_errors_total", "Feed errors, by kind."};
inline constexpr MetricName kFeedSequenceGaps{
    "tickguard_feed_sequence_gaps_total",
    "Order book updates missed (sequence gaps), each followed by a resync."};
inline constexpr MetricName kFeedChecksumFailures{
    "tickguard_feed_checksum_failures_total",
    "Order books that failed the venue checksum, each followed by a resync."};
inline constexpr MetricName kFeedLatency{
    "tickguard_feed_latency_seconds",
    "Receive time minus exchange time of market data events (clock skew included)."};
inline constexpr MetricName kFeedDroppedMessages{
    "tickguard_feed_dropped_messages_total",
    "Messages received from the exchange and discarded: malformed, or book updates during a resync."};
inline constexpr MetricName kRestRequests{
    "tickguard_rest_requests_total",
    "REST requests to the exchange by endpoint and result code (HTTP status, or the error kind)."};
inline constexpr MetricName kRestRateLimitUsed{
    "tickguard_rest_rate_limit_used_ratio",
    "Fraction of the exchange's REST rate limit in use, as tracked by the request token bucket."};
inline constexpr MetricName kEventsDropped{"tickguard_pipeline_events_dropped_total",
                                           "Events dropped because a pipeline queue was full."};
inline constexpr MetricName kInjected{"tickguard_simulator_injected_anomalies_total",
                                      "Anomalies injected by the market simulator (ground truth), by kind."};
inline constexpr MetricName kBuildInfo{"tickguard_build_info", "Build information; the value is always 1."};
inline constexpr MetricName kConfigReloadOk{"tickguard_config_last_reload_successful",
                                            "1 if the last configuration load or reload succeeded, else 0."};
inline constexpr MetricName kConfigReloadTime{
    "tickguard_config_last_reload_success_timestamp_seconds",
    "Unix time of the last successful configuration load or reload."};
inline constexpr MetricName kShardInfo{
    "tickguard_shard_info",
    "This instance's shard and the number of shards ([cluster] shard, shards); the value is always 1."};
inline constexpr MetricName kFeedback{"tickguard_feedback_total",
                                      "Operator verdicts on recorded anomalies (POST "
                                      "/api/v1/anomalies/{id}/feedback), by detector and verdict."};
inline constexpr MetricName kJournalWritten{"tickguard_journal_records_written_total",
                                            "Anomaly records committed to the journal."};
inline constexpr MetricName kJournalDropped{
    "tickguard_journal_records_dropped_total",
    "Anomaly records dropped because the journal's write queue was full."};
inline constexpr MetricName kJournalWriteErrors{"tickguard_journal_write_errors_total",
                                                "Failed journal write transactions (retried)."};
inline constexpr MetricName kJournalDeleted{"tickguard_journal_records_deleted_total",
                                            "Anomaly records deleted by the journal's retention."};
inline constexpr MetricName kJournalSize{"tickguard_journal_size_bytes",
                                         "Size of the journal database on disk, write-ahead log included."};

}  // namespace tickguard::metrics
