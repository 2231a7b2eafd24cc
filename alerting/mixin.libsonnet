// The tickguard monitoring mixin: alerts and recording rules over tickguard's metrics.
//   ((import 'mixin.libsonnet') + { _config+:: { feedDownFor: '2s' } }).prometheusAlerts
// renders the alerts with an override; generate.sh writes the committed YAML files.
(import 'config.libsonnet') +
(import 'alerts.libsonnet') +
(import 'rules.libsonnet')
