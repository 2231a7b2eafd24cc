// tickguard's alerting rules: market anomalies, feed health and the daemon itself.
// Every threshold, duration and selector comes from _config (config.libsonnet).
{
  local c = $._config,
  local sel = c.tickguardSelector,
  local on(labels) = std.join(', ', c.instanceLabels + labels),
  local str(number) = '%g' % number,  // 0.9, not std.toString's 0.90000000000000002

  // An anomaly seen on a feed that is down is the last price before the outage, not news:
  // anomaly alerts skip every exchange whose feed is down right now.
  local unlessFeedDown = 'unless on (%s)\n  tickguard_feed_up{%s} == 0\n' % [on(['exchange']), sel],

  local alert(name, severity, forDuration, expr, summary, description) = {
    alert: name,
    expr: expr,
    'for': forDuration,
    labels: { severity: severity },
    annotations: {
      summary: summary,
      description: description,
      runbook_url: '%s#%s' % [c.runbookBaseURL, std.asciiLower(name)],
    },
  },

  local where = '{{ $labels.symbol }} at {{ $labels.exchange }}',
  // Values in annotations: `humanize` would print a score of 0.7 as "700m".
  local count = '{{ printf "%.0f" $value }}',
  local score = '{{ printf "%.2f" $value }}',

  local ensembleAlert(severity, threshold) = alert(
    'TickguardEnsembleAnomaly',
    severity,
    c.ensembleAnomalyFor,
    'max_over_time(tickguard_ensemble_score{%s}[%s]) >= %s\n' % [sel, c.ensembleWindow, str(threshold)]
    + unlessFeedDown,
    'Anomalous market activity on %s.' % where,
    ('The ensemble anomaly score of %s has reached %s at least once in every %s window for %s '
     + '(latest peak %s): two detectors agree, or a trusted detector fired. '
     + 'tickguard_anomaly_score shows which.')
    % [where, str(threshold), c.ensembleWindow, c.ensembleAnomalyFor, score],
  ),

  local detectorAlert(detector, spec) = alert(
    spec.alert,
    spec.severity,
    spec['for'],
    |||
      max_over_time(tickguard_anomaly_score{%(sel)s, detector="%(detector)s"}[%(window)s])
        and on (%(on)s)
      tickguard_anomaly_active{%(sel)s, detector="%(detector)s"} == 1
    ||| % {
      sel: sel,
      detector: detector,
      window: c.anomalyPeakScoreWindow,
      on: on(['exchange', 'symbol', 'detector']),
    }
    + unlessFeedDown,
    'Possible %s on %s.' % [spec.title, where],
    ('The %s detector has an active anomaly episode on %s; its peak score over the last %s is %s '
     + '(0.5 is its threshold).') % [detector, where, c.anomalyPeakScoreWindow, score],
  ),

  prometheusAlerts+:: {
    groups+: [
      {
        name: 'tickguard-anomalies',
        rules: [
          ensembleAlert('warning', c.ensembleWarningThreshold),
          ensembleAlert('critical', c.ensembleCriticalThreshold),
        ] + [
          detectorAlert(detector, c.detectorAlerts[detector])
          for detector in std.objectFields(c.detectorAlerts)
        ],
      },
      {
        name: 'tickguard-feeds',
        rules: [
          alert(
            'TickguardFeedDown',
            'critical',
            c.feedDownFor,
            'tickguard_feed_up{%s} == 0\n' % sel,
            'The {{ $labels.exchange }} feed is down.',
            ('tickguard on {{ $labels.instance }} has had no connection to {{ $labels.exchange }} for '
             + 'more than %s; it keeps reconnecting with backoff. Its symbols get no market data and '
             + 'no anomaly alerts until it is back.') % c.feedDownFor,
          ),
          alert(
            'TickguardFeedStale',
            'warning',
            c.feedStaleFor,
            'time() - tickguard_feed_last_message_timestamp_seconds{%s} > %s\n'
            % [sel, str(c.feedStaleSeconds)],
            'No market data for %s.' % where,
            ('The last message for %s arrived {{ $value | humanizeDuration }} ago (threshold %ss). '
             + 'Its anomaly scores are stale.') % [where, str(c.feedStaleSeconds)],
          ),
          alert(
            'TickguardFeedLatencyHigh',
            'warning',
            c.feedLatencyHighFor,
            |||
              histogram_quantile(%(q)s,
                sum by (%(by)s) (rate(tickguard_feed_latency_seconds_bucket{%(sel)s}[%(window)s]))
              ) > %(threshold)s
            ||| % {
              q: str(c.feedLatencyQuantile),
              by: on(['exchange', 'le']),
              sel: sel,
              window: c.feedLatencyWindow,
              threshold: str(c.feedLatencyThresholdSeconds),
            },
            'Market data from {{ $labels.exchange }} arrives late.',
            ('The %s quantile of the {{ $labels.exchange }} feed latency (receive time minus venue '
             + 'time, clock skew included) over the last %s is {{ $value | humanizeDuration }} '
             + '(threshold %ss).') % [
              str(c.feedLatencyQuantile),
              c.feedLatencyWindow,
              str(c.feedLatencyThresholdSeconds),
            ],
          ),
          alert(
            'TickguardFeedSequenceGaps',
            'warning',
            c.feedIntegrityFor,
            'increase(tickguard_feed_sequence_gaps_total{%s}[%s]) > %s\n'
            % [sel, c.feedIntegrityWindow, str(c.feedSequenceGapsThreshold)],
            'The order book of %s keeps losing updates.' % where,
            ('%s sequence gaps on %s in the last %s (threshold %s); each one forced a resync of the '
             + 'book.') % [count, where, c.feedIntegrityWindow, str(c.feedSequenceGapsThreshold)],
          ),
          alert(
            'TickguardFeedChecksumFailures',
            'warning',
            c.feedIntegrityFor,
            'increase(tickguard_feed_checksum_failures_total{%s}[%s]) > %s\n'
            % [sel, c.feedIntegrityWindow, str(c.feedChecksumFailuresThreshold)],
            'The order book of %s keeps failing its checksum.' % where,
            ('%s checksum failures on %s in the last %s (threshold %s); each one forced a resync of '
             + 'the book.') % [count, where, c.feedIntegrityWindow, str(c.feedChecksumFailuresThreshold)],
          ),
          alert(
            'TickguardFeedReconnectStorm',
            'warning',
            c.reconnectStormFor,
            'rate(tickguard_feed_reconnects_total{%s}[%s]) * 60 > %s\n'
            % [sel, c.reconnectStormWindow, str(c.reconnectStormPerMinute)],
            'The {{ $labels.exchange }} feed keeps reconnecting.',
            ('tickguard on {{ $labels.instance }} reconnected to {{ $labels.exchange }} '
             + '%s times per minute over the last %s (threshold %s per minute). '
             + 'Every reconnect rebuilds all books from snapshots.')
            % ['{{ printf "%.1f" $value }}', c.reconnectStormWindow, str(c.reconnectStormPerMinute)],
          ),
          // The rate_limited series appears with the first such error, which increase() cannot
          // see: a series that did not exist one window ago counts with its whole value, provided
          // Prometheus was already scraping the target then (else every old series looks new).
          alert(
            'TickguardFeedRateLimited',
            'warning',
            c.rateLimitedFor,
            |||
              sum by (%(by)s) (
                (increase(tickguard_feed_errors_total{%(sel)s, kind="rate_limited"}[%(window)s]) > 0)
                  or
                (
                  tickguard_feed_errors_total{%(sel)s, kind="rate_limited"}
                    unless
                  tickguard_feed_errors_total{%(sel)s, kind="rate_limited"} offset %(window)s
                )
                  and on (%(instance)s)
                up{%(sel)s} offset %(window)s
              ) > 0
            ||| % { by: on(['exchange']), instance: on([]), sel: sel, window: c.rateLimitedWindow },
            '{{ $labels.exchange }} is rate limiting tickguard.',
            ('{{ $labels.exchange }} rejected tickguard as rate limited %s times in the last %s; '
             + "requests wait for the venue's Retry-After, so snapshots and REST polls are late.")
            % [count, c.rateLimitedWindow],
          ),
          alert(
            'TickguardRestRateLimitHigh',
            'info',
            c.restRateLimitHighFor,
            'tickguard_rest_rate_limit_used_ratio{%s} >= %s\n'
            % [sel, str(c.restRateLimitUsedThreshold)],
            'tickguard uses most of the {{ $labels.exchange }} REST rate limit.',
            ('{{ $value | humanizePercentage }} of the {{ $labels.exchange }} REST request budget is '
             + 'in use (threshold %s); further requests will be throttled or rejected.')
            % '%g%%' % (100 * c.restRateLimitUsedThreshold),
          ),
        ],
      },
      {
        name: 'tickguard-daemon',
        rules: [
          alert(
            'TickguardTargetDown',
            'critical',
            c.targetDownFor,
            'up{%s} == 0\n' % sel,
            'Prometheus cannot scrape tickguard on {{ $labels.instance }}.',
            ('The scrape of {{ $labels.instance }} (job {{ $labels.job }}) has failed for more than '
             + '%s: the daemon is down or unreachable, and no market is being watched there.')
            % c.targetDownFor,
          ),
          alert(
            'TickguardConfigReloadFailed',
            'warning',
            c.configReloadFailedFor,
            'tickguard_config_last_reload_successful{%s} == 0\n' % sel,
            'tickguard on {{ $labels.instance }} rejected its new configuration.',
            ('The last configuration reload of tickguard on {{ $labels.instance }} failed; it keeps '
             + 'running with the previous configuration. Its log (msg="invalid configuration, keeping '
             + 'the running one") names the file, line and key.'),
          ),
          alert(
            'TickguardPipelineEventsDropped',
            'warning',
            c.eventsDroppedFor,
            'sum by (%s) (increase(tickguard_pipeline_events_dropped_total{%s}[%s])) > 0\n'
            % [on(['exchange']), sel, c.eventsDroppedWindow],
            'tickguard drops {{ $labels.exchange }} events: its pipeline is saturated.',
            ('%s {{ $labels.exchange }} events were dropped in the last %s on {{ $labels.instance }} '
             + 'because a pipeline queue was full. Detectors did not see them; anomalies may be missed.')
            % [count, c.eventsDroppedWindow],
          ),
          alert(
            'TickguardFeedMessagesDropped',
            'warning',
            c.droppedMessagesFor,
            |||
              sum by (%(by)s) (rate(tickguard_feed_dropped_messages_total{%(sel)s}[%(window)s]))
                /
              sum by (%(by)s) (rate(tickguard_feed_messages_total{%(sel)s}[%(window)s]))
                > %(threshold)s
            ||| % {
              by: on(['exchange']),
              sel: sel,
              window: c.droppedMessagesWindow,
              threshold: str(c.droppedMessagesRatioThreshold),
            },
            'tickguard discards many {{ $labels.exchange }} messages.',
            ('{{ $value | humanizePercentage }} of the messages from {{ $labels.exchange }} over the '
             + 'last %s were discarded (malformed, or book updates during a resync); threshold %s.')
            % [c.droppedMessagesWindow, '%g%%' % (100 * c.droppedMessagesRatioThreshold)],
          ),
          alert(
            'TickguardJournalWriteErrors',
            'warning',
            c.journalWriteErrorsFor,
            'sum by (%s) (increase(tickguard_journal_write_errors_total{%s}[%s])) > 0\n'
            % [on([]), sel, c.journalWindow],
            'tickguard on {{ $labels.instance }} cannot write its anomaly journal.',
            ('%s journal writes failed in the last %s on {{ $labels.instance }}; those anomalies are '
             + 'missing from the journal and its API (alerts and metrics are unaffected).')
            % [count, c.journalWindow],
          ),
          alert(
            'TickguardJournalRecordsDropped',
            'warning',
            c.journalRecordsDroppedFor,
            'sum by (%s) (increase(tickguard_journal_records_dropped_total{%s}[%s])) > 0\n'
            % [on([]), sel, c.journalWindow],
            'tickguard on {{ $labels.instance }} drops anomaly journal records.',
            ('%s anomaly records were dropped in the last %s on {{ $labels.instance }} because the '
             + 'journal queue was full: the writer cannot keep up with the disk.')
            % [count, c.journalWindow],
          ),
        ],
      },
    ],
  },
}
