#include "exporters/http/landing_page.h"

#include <string_view>

#include "core/text_escape.h"

namespace tickguard::exporters {
namespace {

constexpr std::string_view kHead = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tickguard</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0 1.5em 2em; color: #1d2129; background: #fafbfc; }
  header { display: flex; align-items: baseline; gap: 1.5em; flex-wrap: wrap; }
  h1 { font-size: 1.6em; margin: .6em 0 .2em; }
  h2 { font-size: 1.15em; margin: 1.4em 0 .4em; }
  nav a { margin-right: 1em; }
  table { border-collapse: collapse; width: 100%; background: #fff; }
  th, td { text-align: left; padding: .3em .6em; border-bottom: 1px solid #e3e6ea; white-space: nowrap; }
  td.message { white-space: normal; }
  th { background: #f0f2f5; font-weight: 600; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .bar { display: inline-block; height: .7em; background: #4c8bf5; vertical-align: middle; margin-right: .4em; }
  .bar.hot { background: #e8590c; }
  .up { color: #2b8a3e; } .down { color: #c92a2a; font-weight: 600; }
  tr.critical td.severity { color: #fff; background: #c92a2a; }
  tr.warning td.severity { color: #1d2129; background: #fcc419; }
  tr.fresh { animation: fresh 3s ease-out; }
  @keyframes fresh { from { background: #fff3bf; } to { background: #fff; } }
  #stream-status { color: #868e96; }
  .empty { color: #868e96; font-style: italic; }
</style>
</head>
<body>
<header>
  <h1>tickguard</h1>
  <span>Crypto market anomaly detector, version <span id="version">)html";

constexpr std::string_view kBody = R"html(</span></span>
  <nav><a href="/metrics">Metrics</a><a href="/-/healthy">Health</a><a href="/-/ready">Readiness</a><a href="/api/v1/anomalies">Anomaly API</a></nav>
</header>

<h2>Symbols</h2>
<table id="symbols">
  <thead><tr><th>Exchange</th><th>Symbol</th><th>Price</th><th>Spread (bp)</th><th>Ensemble score</th><th>Top detector</th><th>Feed</th></tr></thead>
  <tbody><tr class="empty"><td colspan="7">Waiting for data&hellip;</td></tr></tbody>
</table>

<h2>Recent anomalies <small id="stream-status">connecting&hellip;</small></h2>
<table id="anomalies">
  <thead><tr><th>Time (UTC)</th><th>Exchange</th><th>Symbol</th><th>Detector</th><th>Severity</th><th>Score</th><th>What happened</th></tr></thead>
  <tbody></tbody>
</table>
<p id="no-anomalies" class="empty">No anomalies recorded yet.</p>

<script>
"use strict";
const MAX_ROWS = 50;
const seen = new Set();

function cell(row, text, cls) {
  const td = row.insertCell();
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

function fmt(x, digits) {
  return x === null || x === undefined ? "\u2013" : Number(x).toLocaleString("en-US", {maximumFractionDigits: digits});
}

function scoreCell(row, score) {
  const td = row.insertCell();
  td.className = "num";
  const bar = document.createElement("span");
  bar.className = score >= 0.5 ? "bar hot" : "bar";
  bar.style.width = Math.round(Math.min(1, Math.max(0, score)) * 60) + "px";
  td.appendChild(bar);
  td.appendChild(document.createTextNode(score.toFixed(3)));
}

async function refreshSymbols() {
  try {
    const response = await fetch("/api/v1/symbols");
    const body = await response.json();
    const tbody = document.querySelector("#symbols tbody");
    tbody.replaceChildren();
    for (const s of body.data.symbols) {
      const row = tbody.insertRow();
      row.dataset.exchange = s.exchange;
      row.dataset.symbol = s.symbol;
      cell(row, s.exchange);
      cell(row, s.symbol);
      cell(row, fmt(s.price, 6), "num");
      cell(row, s.spread === null ? "\u2013" : (s.spread * 1e4).toFixed(2), "num");
      scoreCell(row, s.ensemble_score);
      const top = s.detectors.reduce((best, d) => (best === null || d.score > best.score ? d : best), null);
      cell(row, top ? top.detector + " " + top.score.toFixed(2) : "\u2013");
      cell(row, s.feed_up ? "up" : "down", s.feed_up ? "up" : "down");
    }
  } catch (e) {
    document.getElementById("stream-status").textContent = "symbols unavailable: " + e;
  }
}

function addAnomaly(a, fresh) {
  if (seen.has(a.id)) return;
  seen.add(a.id);
  document.getElementById("no-anomalies").hidden = true;
  const tbody = document.querySelector("#anomalies tbody");
  const row = tbody.insertRow(0);
  row.className = a.severity + (fresh ? " fresh" : "");
  row.dataset.id = a.id;
  cell(row, a.time.replace("T", " ").replace("Z", ""));
  cell(row, a.exchange);
  cell(row, a.symbol);
  cell(row, a.detector);
  cell(row, a.severity, "severity");
  cell(row, a.score.toFixed(3), "num");
  cell(row, a.message, "message");
  while (tbody.rows.length > MAX_ROWS) tbody.deleteRow(tbody.rows.length - 1);
}

async function start() {
  let last = 0;
  try {
    const response = await fetch("/api/v1/anomalies?limit=" + MAX_ROWS);
    const body = await response.json();
    for (const a of body.data.anomalies.slice().reverse()) {
      addAnomaly(a, false);
      last = Math.max(last, a.id);
    }
  } catch (e) {
    document.getElementById("stream-status").textContent = "journal unavailable: " + e;
  }
  const status = document.getElementById("stream-status");
  const source = new EventSource("/api/v1/stream?after_id=" + last);
  source.onopen = () => { status.textContent = "live"; };
  source.onerror = () => { status.textContent = "reconnecting\u2026"; };
  source.addEventListener("anomaly", (event) => addAnomaly(JSON.parse(event.data), true));
  refreshSymbols();
  setInterval(refreshSymbols, 2000);
}

start();
</script>
</body>
</html>
)html";

}  // namespace

std::string landing_page(const std::string& version) {
  std::string page(kHead);
  page += escape_html(version);
  page += kBody;
  return page;
}

}  // namespace tickguard::exporters
