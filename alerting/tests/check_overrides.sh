#!/usr/bin/env bash
# Every `for:` and every range or offset in the rendered rules comes from _config: with each
# duration field of _config overridden to 7s, no other duration may remain in an expression or a
# `for`. This is what lets the end-to-end tests run the alerts at a 1 s scrape interval.
set -euo pipefail

alerting="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jsonnet="${JSONNET:-jsonnet}"

rendered="$("$jsonnet" -J "$alerting" -S -e '
  local mixin = import "mixin.libsonnet";
  local isDuration(v) = std.isString(v) && std.length(v) > 1
    && std.member("smhdwy", v[std.length(v) - 1])
    && std.length([c for c in std.stringChars(v[:std.length(v) - 1])
                   if !std.member("0123456789", c)]) == 0;
  local short = mixin + { _config+:: {
    [field]: "7s"
    for field in std.objectFields(mixin._config)
    if isDuration(mixin._config[field])
  } };
  local yaml = import "yaml.libsonnet";
  yaml.manifest(short.prometheusAlerts) + "\n" + yaml.manifest(short.prometheusRules)')"

# Durations in PromQL ranges ([5m]), after offset, and as the value of for:.
leftovers="$(grep -oE '\[[0-9]+[smhdwy]\]|offset [0-9]+[smhdwy]|for: "[^"]*"' <<<"$rendered" \
  | grep -Ev '^(\[7s\]|offset 7s|for: "7s")$' | sort -u || true)"
if [[ -n "$leftovers" ]]; then
  echo "durations not taken from _config:" >&2
  echo "$leftovers" >&2
  exit 1
fi
echo "every for: and window follows _config ($(grep -cE '7s' <<<"$rendered") lines use the override)"
