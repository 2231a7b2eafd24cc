#!/usr/bin/env python3
"""Checks rendered kustomize output of packaging/kubernetes (one YAML stream per kustomization).

usage: check_render.py REPO_ROOT RENDER.yaml[:REPLICAS] ...

REPLICAS, when given, is the shard count that kustomization must deploy. Every render is checked for
the shard wiring (TICKGUARD_SHARDS equal to replicas, the shard taken from the pod ordinal), probes,
security context, Services, ServiceMonitor, the PrometheusRule against alerting/'s rendered rules,
and the dashboards ConfigMap against dashboards/*.json. Prints every failure, exits 1 on any.
"""
import glob
import json
import os
import re
import sys

try:
    import yaml
except ImportError:
    sys.exit("check_render.py: the Python yaml module is missing: apt install python3-yaml")

# kubectl apply (client side) keeps the whole object in an annotation limited to 256 KiB.
LAST_APPLIED_LIMIT = 262144
JOB_NAME = "tickguard"  # the Service the ServiceMonitor selects, hence the Prometheus job


class Checker:
    def __init__(self, name):
        self.name = name
        self.failures = []

    def expect(self, condition, message):
        if not condition:
            self.failures.append(f"{self.name}: {message}")
        return condition


def load_objects(path):
    with open(path, encoding="utf-8") as f:
        return [o for o in yaml.safe_load_all(f) if o]


def find(objects, kind, name=None):
    return [o for o in objects if o.get("kind") == kind and (name is None or o["metadata"]["name"] == name)]


def one(c, objects, kind, name=None):
    found = find(objects, kind, name)
    c.expect(len(found) == 1, f"expected one {kind}{' ' + name if name else ''}, found {len(found)}")
    return found[0] if found else None


def selects(selector, labels):
    return all(labels.get(k) == v for k, v in (selector or {}).items())


def env_of(container):
    return {e["name"]: e for e in container.get("env", [])}


def check_statefulset(c, objects, replicas_expected):
    sts = one(c, objects, "StatefulSet", "tickguard")
    if sts is None:
        return None
    spec = sts["spec"]
    replicas = spec.get("replicas")
    if replicas_expected is not None:
        c.expect(replicas == replicas_expected, f"StatefulSet replicas {replicas}, expected {replicas_expected}")
    c.expect(spec.get("podManagementPolicy") == "Parallel", "podManagementPolicy is not Parallel")
    pod = spec["template"]["spec"]
    containers = [x for x in pod["containers"] if x["name"] == "tickguard"]
    if not c.expect(len(containers) == 1, "no container named tickguard"):
        return sts
    container = containers[0]
    env = env_of(container)

    shards = env.get("TICKGUARD_SHARDS", {}).get("value")
    c.expect(shards == str(replicas), f"TICKGUARD_SHARDS is {shards!r} but replicas is {replicas}: change both together")
    pod_name = env.get("POD_NAME", {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath")
    c.expect(pod_name == "metadata.name", "POD_NAME does not come from the downward API (metadata.name)")

    command = container.get("command", [])
    script = command[2] if len(command) == 3 and command[:2] == ["sh", "-c"] else ""
    c.expect(script.startswith("exec tickguard run "), f"command is not sh -c 'exec tickguard run ...': {command}")
    for flag in ['--cluster.shard="${POD_NAME##*-}"', '--cluster.shards="$TICKGUARD_SHARDS"',
                 "--config /etc/tickguard/tickguard.toml", "--web.listen-address=:9787",
                 "--storage.path=/var/lib/tickguard", "--log.format=json"]:
        c.expect(flag in script, f"command lacks {flag}")

    ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    c.expect(ports.get("http-metrics") == 9787, f"container port http-metrics is not 9787: {ports}")
    for probe, path in [("startupProbe", "/-/healthy"), ("livenessProbe", "/-/healthy"), ("readinessProbe", "/-/ready")]:
        get = container.get(probe, {}).get("httpGet", {})
        c.expect(get.get("path") == path, f"{probe} is not an HTTP GET of {path}: {container.get(probe)}")
        c.expect(get.get("port") in ("http-metrics", 9787), f"{probe} does not probe port 9787")

    pod_security = pod.get("securityContext", {})
    security = container.get("securityContext", {})
    c.expect(security.get("runAsNonRoot") or pod_security.get("runAsNonRoot"), "runAsNonRoot is not set")
    c.expect(security.get("readOnlyRootFilesystem") is True, "readOnlyRootFilesystem is not true")
    c.expect(security.get("allowPrivilegeEscalation") is False, "allowPrivilegeEscalation is not false")
    c.expect(security.get("capabilities", {}).get("drop") == ["ALL"], "capabilities do not drop ALL")
    seccomp = security.get("seccompProfile") or pod_security.get("seccompProfile") or {}
    c.expect(seccomp.get("type") == "RuntimeDefault", "seccompProfile is not RuntimeDefault")
    c.expect("terminationGracePeriodSeconds" in pod, "terminationGracePeriodSeconds is not set")
    resources = container.get("resources", {})
    c.expect(resources.get("requests", {}).get("memory") and resources.get("limits", {}).get("memory"),
             "memory requests and limits are not set")

    mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
    claims = {t["metadata"]["name"]: t for t in spec.get("volumeClaimTemplates", [])}
    data = claims.get(mounts.get("/var/lib/tickguard"))
    c.expect(data is not None, "/var/lib/tickguard is not a volumeClaimTemplate")
    if data:
        size = data["spec"]["resources"]["requests"]["storage"]
        c.expect(size == "1Gi", f"journal volume is {size}, expected 1Gi")
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    config_volume = volumes.get(mounts.get("/etc/tickguard"), {})
    config_map = config_volume.get("configMap", {}).get("name")
    config = find(objects, "ConfigMap", config_map)
    c.expect(config and "tickguard.toml" in config[0].get("data", {}),
             f"/etc/tickguard is not the ConfigMap with tickguard.toml (volume names {config_map!r})")

    headless = find(objects, "Service", spec.get("serviceName"))
    c.expect(headless and headless[0]["spec"].get("clusterIP") == "None",
             f"serviceName {spec.get('serviceName')!r} is not a headless Service of this render")
    labels = spec["template"]["metadata"]["labels"]
    c.expect(selects(spec["selector"]["matchLabels"], labels), "StatefulSet selector does not match its pods")
    return sts


def check_services(c, objects, sts):
    service = one(c, objects, "Service", JOB_NAME)
    monitor = one(c, objects, "ServiceMonitor", "tickguard")
    if service is None or monitor is None:
        return
    ports = {p["name"]: p["port"] for p in service["spec"].get("ports", [])}
    c.expect(ports.get("http-metrics") == 9787, f"Service tickguard has no port http-metrics 9787: {ports}")
    if sts:
        pod_labels = sts["spec"]["template"]["metadata"]["labels"]
        c.expect(selects(service["spec"]["selector"], pod_labels), "Service tickguard does not select the pods")

    spec = monitor["spec"]
    selector = spec.get("selector", {}).get("matchLabels", {})
    scraped = [s["metadata"]["name"] for s in find(objects, "Service") if selects(selector, s["metadata"].get("labels", {}))]
    c.expect(scraped == [JOB_NAME], f"ServiceMonitor selects Services {scraped}, expected only {JOB_NAME} (its name is the job)")
    endpoints = spec.get("endpoints", [])
    c.expect(len(endpoints) == 1, "ServiceMonitor should have one endpoint")
    for endpoint in endpoints:
        c.expect(endpoint.get("port") == "http-metrics", "ServiceMonitor endpoint port is not http-metrics")
        c.expect(endpoint.get("path") == "/metrics", "ServiceMonitor path is not /metrics")
        c.expect(endpoint.get("interval") == "15s", "ServiceMonitor interval is not 15s")
        relabel = [r for r in endpoint.get("relabelings", [])
                   if r.get("sourceLabels") == ["__meta_kubernetes_pod_name"] and r.get("targetLabel") == "instance"]
        c.expect(relabel, "ServiceMonitor does not set instance to the pod name")


def rule_names(groups, key):
    return sorted(r[key] for g in groups for r in g["rules"] if key in r)


def check_prometheus_rule(c, objects, root):
    rule = one(c, objects, "PrometheusRule", "tickguard")
    if rule is None:
        return
    groups = rule["spec"]["groups"]
    for source, key in [("prometheus_alerts.yml", "alert"), ("prometheus_rules.yml", "record")]:
        with open(os.path.join(root, "alerting", source), encoding="utf-8") as f:
            expected = rule_names(yaml.safe_load(f)["groups"], key)
        got = rule_names(groups, key)
        c.expect(expected and got == expected,
                 f"PrometheusRule {key}s differ from alerting/{source}: "
                 f"missing {sorted(set(expected) - set(got))}, extra {sorted(set(got) - set(expected))}")
    jobs = {m for g in groups for r in g["rules"] for m in re.findall(r'job="([^"]*)"', r["expr"])}
    c.expect(jobs == {JOB_NAME}, f"rules select job {sorted(jobs)}, expected the Service name {JOB_NAME}")
    for g in groups:
        for r in g["rules"]:
            if "alert" in r:
                c.expect(r.get("annotations", {}).get("runbook_url"), f"alert {r['alert']} has no runbook_url")


def check_dashboards(c, objects, root):
    maps = [o for o in find(objects, "ConfigMap") if o["metadata"].get("labels", {}).get("grafana_dashboard") == "1"]
    if not c.expect(len(maps) == 1, f"expected one ConfigMap labelled grafana_dashboard: \"1\", found {len(maps)}"):
        return
    data = maps[0].get("data", {})
    expected = sorted(os.path.basename(p) for p in glob.glob(os.path.join(root, "dashboards", "*.json")))
    c.expect(len(expected) == 3 and sorted(data) == expected, f"dashboard keys {sorted(data)}, expected {expected}")
    for key, text in data.items():
        try:
            json.loads(text)
        except ValueError as e:
            c.failures.append(f"{c.name}: dashboard {key} is not JSON: {e}")
    size = len(json.dumps(maps[0]))
    c.expect(size < LAST_APPLIED_LIMIT, f"dashboards ConfigMap is {size} bytes: too large for kubectl apply's annotation")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    root = sys.argv[1]
    failures = []
    for arg in sys.argv[2:]:
        path, _, replicas = arg.partition(":")
        c = Checker(os.path.basename(path))
        objects = load_objects(path)
        for o in objects:
            c.expect(o["metadata"].get("labels", {}).get("app.kubernetes.io/name") == "tickguard",
                     f"{o['kind']} {o['metadata']['name']} lacks app.kubernetes.io/name: tickguard")
        sts = check_statefulset(c, objects, int(replicas) if replicas else None)
        check_services(c, objects, sts)
        check_prometheus_rule(c, objects, root)
        check_dashboards(c, objects, root)
        kinds = sorted(f"{o['kind']}/{o['metadata']['name']}" for o in objects)
        status = "FAILED" if c.failures else "ok"
        replicas_found = sts["spec"].get("replicas") if sts else None
        print(f"{status}: {path}: {len(objects)} objects, {os.path.getsize(path)} bytes, "
              f"{replicas_found} shards: {', '.join(kinds)}")
        failures += c.failures
    for failure in failures:
        print("FAIL " + failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
