// Recording rules for dashboards and ad-hoc queries, named level:metric:operations
// (https://prometheus.io/docs/practices/rules/). The level lists the labels kept besides `job`;
// the window is part of the name, so overriding a window renames its rules.
{
  local c = $._config,
  local sel = c.tickguardSelector,
  local by(labels) = std.join(', ', ['job'] + labels),
  local rate = 'rate' + c.recordingRateWindow,

  local sumRate(level, metric, counter, labels) = {
    record: '%s:%s:%s' % [level, metric, rate],
    expr: 'sum by (%s) (rate(%s{%s}[%s]))\n' % [by(labels), counter, sel, c.recordingRateWindow],
  },

  local latencyQuantile(quantile) = {
    record: 'exchange_quantile:tickguard_feed_latency_seconds:histogram_quantile_%s' % rate,
    expr: 'histogram_quantile(%g, exchange_le:tickguard_feed_latency_seconds_bucket:%s)\n'
          % [quantile, rate],
    labels: { quantile: '%g' % quantile },
  },

  prometheusRules+:: {
    groups+: [
      {
        name: 'tickguard-anomalies.rules',
        rules: [
          // Episodes raised per second, by exchange and detector, and by instrument.
          sumRate('exchange_detector',
                  'tickguard_anomalies',
                  'tickguard_anomalies_total',
                  ['exchange', 'detector']),
          sumRate('exchange_symbol',
                  'tickguard_anomalies',
                  'tickguard_anomalies_total',
                  ['exchange', 'symbol']),
          {
            // Episodes active right now.
            record: 'exchange_detector:tickguard_anomaly_active:sum',
            expr: 'sum by (%s) (tickguard_anomaly_active{%s})\n' % [by(['exchange', 'detector']), sel],
          },
          {
            // Ensemble score of each instrument (the highest if several tickguards watch it).
            record: 'exchange_symbol:tickguard_ensemble_score:max',
            expr: 'max by (%s) (tickguard_ensemble_score{%s})\n' % [by(['exchange', 'symbol']), sel],
          },
          {
            // The highest ensemble score of a symbol across exchanges.
            record: 'symbol:tickguard_ensemble_score:max',
            expr: 'max by (%s) (tickguard_ensemble_score{%s})\n' % [by(['symbol']), sel],
          },
          {
            // Operator verdicts on journal records (true_positive, false_positive).
            record: 'detector_verdict:tickguard_feedback:increase%s' % c.feedbackWindow,
            expr: 'sum by (%s) (increase(tickguard_feedback_total{%s}[%s]))\n'
                  % [by(['detector', 'verdict']), sel, c.feedbackWindow],
          },
          {
            // Share of a detector's verdicts that call its anomaly a false positive.
            record: 'detector:tickguard_feedback_false_positive:ratio_increase%s' % c.feedbackWindow,
            expr: |||
              sum by (%(by)s) (detector_verdict:tickguard_feedback:increase%(window)s{verdict="false_positive"})
                /
              sum by (%(by)s) (detector_verdict:tickguard_feedback:increase%(window)s)
            ||| % { by: by(['detector']), window: c.feedbackWindow },
          },
        ],
      },
      {
        name: 'tickguard-feeds.rules',
        rules: [
          sumRate('exchange', 'tickguard_feed_messages', 'tickguard_feed_messages_total', ['exchange']),
          sumRate('exchange_symbol', 'tickguard_trades', 'tickguard_trades_total', ['exchange', 'symbol']),
          sumRate('exchange_kind',
                  'tickguard_feed_errors',
                  'tickguard_feed_errors_total',
                  ['exchange', 'kind']),
          {
            record: 'exchange:tickguard_feed_dropped_messages_per_messages:ratio_%s' % rate,
            expr: |||
              sum by (%(by)s) (rate(tickguard_feed_dropped_messages_total{%(sel)s}[%(window)s]))
                /
              exchange:tickguard_feed_messages:%(rate)s
            ||| % { by: by(['exchange']), sel: sel, window: c.recordingRateWindow, rate: rate },
          },
          {
            record: 'exchange:tickguard_feed_reconnects:increase%s' % c.recordingIncreaseWindow,
            expr: 'sum by (%s) (increase(tickguard_feed_reconnects_total{%s}[%s]))\n'
                  % [by(['exchange']), sel, c.recordingIncreaseWindow],
          },
          sumRate('exchange_le',
                  'tickguard_feed_latency_seconds_bucket',
                  'tickguard_feed_latency_seconds_bucket',
                  ['exchange', 'le']),
        ] + [latencyQuantile(q) for q in c.latencyQuantiles],
      },
    ],
  },
}
