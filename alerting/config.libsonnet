// Every selector, threshold, `for` duration and window of the tickguard mixin, in one place.
// alerts.libsonnet and rules.libsonnet read only from here; override any field with
//   (import 'mixin.libsonnet') + { _config+:: { feedDownFor: '2s' } }
// Each field is documented in README.md (same folder).
{
  _config+:: {
    // Selects tickguard's own series (and its `up` series) in every expression.
    tickguardSelector: 'job="tickguard"',
    // Labels that identify one tickguard process; feed-down suppression joins on these plus `exchange`.
    instanceLabels: ['job', 'instance'],

    // Where the runbook lives; every alert links to `<runbookBaseURL>#<lower-case alert name>`.
    runbookBaseURL: 'https://github.com/tickguard/tickguard/blob/main/docs/runbook.md',

    // --- Anomaly alerts ---------------------------------------------------------------------
    // Ensemble score (0.5 = two detectors agree at their thresholds, or one trusted detector).
    ensembleWarningThreshold: 0.5,
    ensembleCriticalThreshold: 0.9,
    // The highest score in this trailing window is compared with the thresholds, so that a
    // normal trade between two anomalous ones does not reset the alert's `for` clock.
    ensembleWindow: '1m',
    ensembleAnomalyFor: '2m',

    // Per-detector alerts fire while the detector's episode is active (tickguard_anomaly_active,
    // with the daemon's hysteresis); the value shown is the peak score over this window.
    anomalyPeakScoreWindow: '5m',
    pumpDumpFor: '1m',
    washTradingFor: '2m',
    whaleTradeFor: '10s',
    flashCrashFor: '15s',
    crossExchangeDivergenceFor: '1m',
    // One entry per detector alert (alert name, severity, words for the summary); `for` reads
    // the field above, so both `pumpDumpFor: '2s'` and `detectorAlerts+: { pump_dump+: {...} }` work.
    detectorAlerts: {
      pump_dump: {
        alert: 'TickguardPumpAndDump',
        severity: 'critical',
        title: 'pump-and-dump',
        'for': $._config.pumpDumpFor,
      },
      wash_trading: {
        alert: 'TickguardWashTrading',
        severity: 'warning',
        title: 'wash trading',
        'for': $._config.washTradingFor,
      },
      whale_trade: {
        alert: 'TickguardWhaleTrade',
        severity: 'info',
        title: 'whale trade',
        'for': $._config.whaleTradeFor,
      },
      flash_crash: {
        alert: 'TickguardFlashCrash',
        severity: 'critical',
        title: 'flash crash or rally',
        'for': $._config.flashCrashFor,
      },
      cross_exchange_divergence: {
        alert: 'TickguardCrossExchangeDivergence',
        severity: 'warning',
        title: 'cross-exchange price divergence',
        'for': $._config.crossExchangeDivergenceFor,
      },
    },

    // --- Feed alerts ------------------------------------------------------------------------
    feedDownFor: '2m',
    // A symbol is stale when its last message is older than this many seconds.
    feedStaleSeconds: 60,
    feedStaleFor: '2m',
    // Latency quantile over the window, compared with the threshold (seconds; clock skew included).
    feedLatencyQuantile: 0.99,
    feedLatencyThresholdSeconds: 2,
    feedLatencyWindow: '5m',
    feedLatencyHighFor: '10m',
    // Book resyncs per symbol within the window above which the book is considered unreliable.
    feedIntegrityWindow: '15m',
    feedSequenceGapsThreshold: 3,
    feedChecksumFailuresThreshold: 3,
    feedIntegrityFor: '5m',
    // Reconnects per minute, averaged over the window.
    reconnectStormPerMinute: 0.5,
    reconnectStormWindow: '10m',
    reconnectStormFor: '5m',
    // Any `rate_limited` feed error within the window.
    rateLimitedWindow: '10m',
    rateLimitedFor: '5m',
    // Share of the REST request budget in use.
    restRateLimitUsedThreshold: 0.9,
    restRateLimitHighFor: '15m',

    // --- tickguard itself -------------------------------------------------------------------
    targetDownFor: '3m',
    configReloadFailedFor: '5m',
    // Pipeline events dropped (full queues): any drop within the window, sustained for `for`.
    eventsDroppedWindow: '5m',
    eventsDroppedFor: '5m',
    // Messages discarded by the feeds, as a share of messages received.
    droppedMessagesRatioThreshold: 0.01,
    droppedMessagesWindow: '10m',
    droppedMessagesFor: '15m',
    // Journal (SQLite) write errors and records dropped from its full queue.
    journalWindow: '5m',
    journalWriteErrorsFor: '5m',
    journalRecordsDroppedFor: '5m',

    // --- Recording rules --------------------------------------------------------------------
    // The windows appear in the recorded names (rate5m, increase1h, increase1d).
    recordingRateWindow: '5m',
    recordingIncreaseWindow: '1h',
    feedbackWindow: '1d',
    latencyQuantiles: [0.5, 0.9, 0.99],
  },
}
