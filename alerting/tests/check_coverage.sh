#!/usr/bin/env bash
# Every alert in prometheus_alerts.yml has a promtool test that expects it to fire, a section in
# docs/runbook.md whose anchor is its runbook_url, and (for anomaly and feed-stale alerts) a place
# in alertmanager.yml's feed-down inhibition.
set -euo pipefail

alerting="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runbook="$alerting/../docs/runbook.md"
status=0

alerts="$(sed -n 's/^ *- alert: *//p' "$alerting/prometheus_alerts.yml" | sort -u)"
[[ -n "$alerts" ]] || { echo "no alerts found in prometheus_alerts.yml" >&2; exit 1; }

for alert in $alerts; do
  # A test case for the alert with a non-empty exp_alerts list.
  if ! grep -A2 -h "alertname: $alert\$" "$alerting"/tests/*.yml | grep -q -- '- exp_labels:'; then
    echo "$alert: no promtool test expects it to fire (alerting/tests/*.yml)" >&2
    status=1
  fi
  # GitHub's anchor for "## TickguardFoo" is "#tickguardfoo".
  if ! grep -Eq "^#{2,3} $alert\$" "$runbook"; then
    echo "$alert: no section titled $alert in docs/runbook.md" >&2
    status=1
  fi
done

# Anomaly alerts (group tickguard-anomalies) and TickguardFeedStale must be muted by TickguardFeedDown.
anomaly_alerts="$(sed -n '/name: tickguard-anomalies/,/- name: /s/^ *- alert: *//p' \
  "$alerting/prometheus_alerts.yml" | sort -u)"
inhibited="$(grep -o 'alertname=~"[^"]*"' "$alerting/alertmanager.yml" | head -1)"
for alert in $anomaly_alerts TickguardFeedStale; do
  if ! grep -Eq "[\"|]$alert[|\"]" <<<"$inhibited"; then
    echo "$alert: not inhibited by TickguardFeedDown in alertmanager.yml" >&2
    status=1
  fi
done

[[ $status -eq 0 ]] && echo "$(wc -w <<<"$alerts") alerts: each tested, in the runbook, and inhibited where it should be"
exit "$status"
