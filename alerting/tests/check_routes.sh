#!/usr/bin/env bash
# Routes of the example alertmanager.yml: each line is the receivers expected for a label set.
set -euo pipefail

alerting="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
amtool="${AMTOOL:-amtool}"
status=0

while read -r receivers labels; do
  [[ -z "$receivers" || "$receivers" == \#* ]] && continue
  # shellcheck disable=SC2086  # the label set is several words on purpose
  if ! "$amtool" config routes test --config.file="$alerting/alertmanager.yml" \
       --verify.receivers="$receivers" $labels 2>/dev/null >/dev/null; then
    got="$("$amtool" config routes test --config.file="$alerting/alertmanager.yml" $labels 2>/dev/null || true)"
    echo "labels {$labels}: expected receivers $receivers, got $got" >&2
    status=1
  fi
done <<'ROUTES'
# receivers                 labels
webhook,oncall-email        alertname=TickguardFeedDown severity=critical exchange=binance
webhook,oncall-email        alertname=TickguardTargetDown severity=critical
webhook                     alertname=TickguardFlashCrash severity=critical exchange=simex symbol=BTC/USDT
webhook,surveillance-email  alertname=TickguardWashTrading severity=warning exchange=okx symbol=BTC/USDT
webhook                     alertname=TickguardConfigReloadFailed severity=warning
webhook                     alertname=TickguardWhaleTrade severity=info exchange=binance symbol=BTC/USDT
ROUTES

[[ $status -eq 0 ]] && echo "alertmanager.yml routes every tested label set as expected"
exit "$status"
