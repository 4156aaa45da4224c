#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Offline validation of deploy/k8s/ (no cluster, no kubectl).

usage: test_k8s.py SOURCE_ROOT [KHABAR_BINARY]

1. Schema: every manifest is checked against a strict schema of the fields we use, per kind
   and apiVersion (unknown keys, wrong types and bad enum values fail: a typo such as
   `readinesProbe` or `periodSecond` is an error, not a silently ignored field).
2. Consistency: selectors match the pod labels; the Service, probes and HPA point at things
   that exist; ports agree with the ConfigMap and the Dockerfile; the termination grace
   outlasts preStop + drain; the security context is non-root, read-only, no capabilities;
   requests <= limits; workers <= CPU limit.
3. Against the real binary (when given): `khabar serve --check-config` accepts the ConfigMap
   as its environment, every ConfigMap key is a setting the server knows, and the server
   started with that environment answers 200 on every probe path of the Deployment.
4. Self-test: a set of deliberate mistakes (typos, a short grace period, a wrong selector, ...)
   must each be caught, so the checker cannot silently pass everything.
Needs PyYAML (Debian: python3-yaml).
"""
import copy
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

try:
    import yaml
except ImportError:
    print("Bail out! PyYAML is missing: apt-get install python3-yaml")
    sys.exit(1)

SRC = sys.argv[1]
KHABAR = sys.argv[2] if len(sys.argv) > 2 else None
K8S = os.path.join(SRC, "deploy", "k8s")

count = 0
failures = 0


def check(ok, what):
    global count, failures
    count += 1
    print(("ok %d - " if ok else "not ok %d - ") % count + what, flush=True)
    if not ok:
        failures += 1
    return ok


# ---------------------------------------------------------------------------------------------
# A small strict schema language: dict = object with exactly these optional keys,
# [x] = list of x, a tuple ("enum", ...) = one of the strings, a str = a named scalar type.

def enum(*values):
    return ("enum",) + values


MAP = "map"            # object of string -> string
ANY = "any"            # not checked further
INTSTR = "intorstr"
QUANTITY = "quantity"

META = {"name": "str", "namespace": "str", "labels": MAP, "annotations": MAP}
SELECTOR = {"matchLabels": MAP,
            "matchExpressions": [{"key": "str", "operator": enum("In", "NotIn", "Exists", "DoesNotExist"),
                                  "values": ["str"]}]}
HTTPGET = {"path": "str", "port": INTSTR, "host": "str", "scheme": enum("HTTP", "HTTPS"),
           "httpHeaders": [{"name": "str", "value": "str"}]}
EXEC = {"command": ["str"]}
PROBE = {"httpGet": HTTPGET, "tcpSocket": {"port": INTSTR, "host": "str"}, "exec": EXEC,
         "grpc": {"port": "int", "service": "str"},
         "initialDelaySeconds": "int", "periodSeconds": "int", "timeoutSeconds": "int",
         "successThreshold": "int", "failureThreshold": "int", "terminationGracePeriodSeconds": "int"}
HANDLER = {"exec": EXEC, "httpGet": HTTPGET, "tcpSocket": {"port": INTSTR, "host": "str"},
           "sleep": {"seconds": "int"}}
SECCOMP = {"type": enum("RuntimeDefault", "Localhost", "Unconfined"), "localhostProfile": "str"}
CONTAINER_SC = {"runAsNonRoot": "bool", "runAsUser": "int", "runAsGroup": "int",
                "readOnlyRootFilesystem": "bool", "allowPrivilegeEscalation": "bool",
                "privileged": "bool", "capabilities": {"drop": ["str"], "add": ["str"]},
                "seccompProfile": SECCOMP, "procMount": "str"}
POD_SC = {"runAsNonRoot": "bool", "runAsUser": "int", "runAsGroup": "int", "fsGroup": "int",
          "supplementalGroups": ["int"], "seccompProfile": SECCOMP,
          "fsGroupChangePolicy": enum("OnRootMismatch", "Always")}
RESOURCES = {"requests": {"cpu": QUANTITY, "memory": QUANTITY, "ephemeral-storage": QUANTITY},
             "limits": {"cpu": QUANTITY, "memory": QUANTITY, "ephemeral-storage": QUANTITY}}
CONTAINER = {
    "name": "str", "image": "str", "imagePullPolicy": enum("Always", "IfNotPresent", "Never"),
    "command": ["str"], "args": ["str"], "workingDir": "str",
    "ports": [{"name": "str", "containerPort": "int", "protocol": enum("TCP", "UDP", "SCTP"),
               "hostPort": "int", "hostIP": "str"}],
    "env": [{"name": "str", "value": "str", "valueFrom": ANY}],
    "envFrom": [{"configMapRef": {"name": "str", "optional": "bool"},
                 "secretRef": {"name": "str", "optional": "bool"}, "prefix": "str"}],
    "resources": RESOURCES, "securityContext": CONTAINER_SC,
    "startupProbe": PROBE, "readinessProbe": PROBE, "livenessProbe": PROBE,
    "lifecycle": {"preStop": HANDLER, "postStart": HANDLER},
    "volumeMounts": [{"name": "str", "mountPath": "str", "readOnly": "bool", "subPath": "str"}],
    "terminationMessagePolicy": enum("File", "FallbackToLogsOnError"),
}
POD_SPEC = {
    "containers": [CONTAINER], "initContainers": [CONTAINER],
    "terminationGracePeriodSeconds": "int", "automountServiceAccountToken": "bool",
    "enableServiceLinks": "bool", "serviceAccountName": "str", "securityContext": POD_SC,
    "topologySpreadConstraints": [{"maxSkew": "int", "topologyKey": "str",
                                   "whenUnsatisfiable": enum("DoNotSchedule", "ScheduleAnyway"),
                                   "labelSelector": SELECTOR, "minDomains": "int"}],
    "affinity": ANY, "nodeSelector": MAP, "tolerations": [ANY], "volumes": [ANY],
    "priorityClassName": "str", "imagePullSecrets": [{"name": "str"}],
}
HPA_RULES = {"stabilizationWindowSeconds": "int", "selectPolicy": enum("Max", "Min", "Disabled"),
             "policies": [{"type": enum("Pods", "Percent"), "value": "int", "periodSeconds": "int"}]}
METRIC_TARGET = {"type": enum("Utilization", "Value", "AverageValue"), "averageUtilization": "int",
                 "averageValue": QUANTITY, "value": QUANTITY}

SCHEMAS = {
    ("v1", "ConfigMap"): {"apiVersion": "str", "kind": "str", "metadata": META, "data": MAP,
                          "binaryData": MAP, "immutable": "bool"},
    ("apps/v1", "Deployment"): {
        "apiVersion": "str", "kind": "str", "metadata": META,
        "spec": {"replicas": "int", "revisionHistoryLimit": "int", "minReadySeconds": "int",
                 "progressDeadlineSeconds": "int", "paused": "bool", "selector": SELECTOR,
                 "strategy": {"type": enum("RollingUpdate", "Recreate"),
                              "rollingUpdate": {"maxSurge": INTSTR, "maxUnavailable": INTSTR}},
                 "template": {"metadata": META, "spec": POD_SPEC}}},
    ("v1", "Service"): {
        "apiVersion": "str", "kind": "str", "metadata": META,
        "spec": {"type": enum("ClusterIP", "NodePort", "LoadBalancer", "ExternalName"),
                 "selector": MAP, "clusterIP": "str", "sessionAffinity": enum("None", "ClientIP"),
                 "internalTrafficPolicy": enum("Cluster", "Local"),
                 "ports": [{"name": "str", "port": "int", "targetPort": INTSTR, "nodePort": "int",
                            "protocol": enum("TCP", "UDP", "SCTP"), "appProtocol": "str"}]}},
    ("autoscaling/v2", "HorizontalPodAutoscaler"): {
        "apiVersion": "str", "kind": "str", "metadata": META,
        "spec": {"scaleTargetRef": {"apiVersion": "str", "kind": "str", "name": "str"},
                 "minReplicas": "int", "maxReplicas": "int",
                 "metrics": [{"type": enum("Resource", "Pods", "Object", "External", "ContainerResource"),
                              "resource": {"name": enum("cpu", "memory"), "target": METRIC_TARGET},
                              "containerResource": {"name": enum("cpu", "memory"), "container": "str",
                                                    "target": METRIC_TARGET}}],
                 "behavior": {"scaleUp": HPA_RULES, "scaleDown": HPA_RULES}}},
    ("policy/v1", "PodDisruptionBudget"): {
        "apiVersion": "str", "kind": "str", "metadata": META,
        "spec": {"minAvailable": INTSTR, "maxUnavailable": INTSTR, "selector": SELECTOR,
                 "unhealthyPodEvictionPolicy": enum("IfHealthyBudget", "AlwaysAllow")}},
    ("kustomize.config.k8s.io/v1beta1", "Kustomization"): {
        "apiVersion": "str", "kind": "str", "metadata": META, "namespace": "str",
        "resources": ["str"], "images": [{"name": "str", "newName": "str", "newTag": "str", "digest": "str"}],
        "commonLabels": MAP, "labels": [ANY]},
}

# Fields the API server requires (a missing one is a rejected manifest).
REQUIRED = {
    "Deployment": ["metadata.name", "spec.selector", "spec.template.metadata.labels",
                   "spec.template.spec.containers"],
    "Service": ["metadata.name", "spec.ports"],
    "ConfigMap": ["metadata.name"],
    "HorizontalPodAutoscaler": ["metadata.name", "spec.scaleTargetRef.kind", "spec.scaleTargetRef.name",
                                "spec.maxReplicas"],
    "PodDisruptionBudget": ["metadata.name", "spec.selector"],
    "Kustomization": ["resources"],
}

QUANTITY_RE = re.compile(r"^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def validate(value, schema, path, errors):
    if schema == ANY:
        return
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            errors.append("%s: expected an object, got %r" % (path, type(value).__name__))
            return
        for k, v in value.items():
            if k not in schema:
                errors.append("%s: unknown field %r" % (path, k))
                continue
            validate(v, schema[k], "%s.%s" % (path, k), errors)
    elif isinstance(schema, list):
        if not isinstance(value, list):
            errors.append("%s: expected a list" % path)
            return
        for i, v in enumerate(value):
            validate(v, schema[0], "%s[%d]" % (path, i), errors)
    elif isinstance(schema, tuple):
        if value not in schema[1:]:
            errors.append("%s: %r is not one of %s" % (path, value, ", ".join(schema[1:])))
    elif schema == "str":
        if not isinstance(value, str):
            errors.append("%s: expected a string, got %r" % (path, value))
    elif schema == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            errors.append("%s: expected an integer, got %r" % (path, value))
    elif schema == "bool":
        if not isinstance(value, bool):
            errors.append("%s: expected true/false, got %r" % (path, value))
    elif schema == MAP:
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                  for k, v in value.items()):
            errors.append("%s: expected a map of strings to strings (quote numbers and booleans)" % path)
    elif schema == INTSTR:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            errors.append("%s: expected an integer or a string, got %r" % (path, value))
    elif schema == QUANTITY:
        if isinstance(value, bool) or not QUANTITY_RE.match(str(value)):
            errors.append("%s: %r is not a resource quantity" % (path, value))
    else:
        raise AssertionError("bad schema %r" % (schema,))


def get(doc, dotted, default=None):
    cur = doc
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return default
        cur = cur[part]
    return cur


def quantity(q):
    """cpu in cores or memory in bytes, as a float."""
    s = str(q)
    m = QUANTITY_RE.match(s) and re.match(r"^([0-9.]+)([a-zA-Z]*)$", s)
    if not m or isinstance(q, bool):
        return None
    num, unit = float(m.group(1)), m.group(2)
    mult = {"": 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
            "Ki": 2 ** 10, "Mi": 2 ** 20, "Gi": 2 ** 30, "Ti": 2 ** 40}[unit]
    return num * mult


def selector_matches(selector, labels):
    ml = (selector or {}).get("matchLabels") or {}
    return bool(ml) and all(labels.get(k) == v for k, v in ml.items())


def millis_to_s(v):
    return int(v) / 1000.0


def dockerfile_facts(src):
    facts = {}
    try:
        text = open(os.path.join(src, "Dockerfile"), encoding="utf-8").read()
    except OSError:
        return facts
    m = re.findall(r"^USER\s+(\d+)(?::(\d+))?\s*$", text, re.M)
    if m:
        facts["uid"], facts["gid"] = int(m[-1][0]), int(m[-1][1] or m[-1][0])
    m = re.findall(r"^EXPOSE\s+(\d+)", text, re.M)
    if m:
        facts["port"] = int(m[-1])
    return facts


def check_all(docs, files, report):
    """Run every check on docs (a list of (file, manifest)); report(ok, what) for each."""
    by_kind = {}
    for fname, d in docs:
        if not isinstance(d, dict):
            report(False, "%s: a manifest must be an object" % fname)
            continue
        key = (d.get("apiVersion"), d.get("kind"))
        schema = SCHEMAS.get(key)
        if not report(schema is not None, "%s: known apiVersion/kind %s %s" % (fname, key[0], key[1])):
            continue
        errors = []
        validate(d, schema, d.get("kind"), errors)
        for req in REQUIRED.get(d["kind"], []):
            if get(d, req) is None:
                errors.append("%s: required field %s is missing" % (d["kind"], req))
        name = get(d, "metadata.name")
        if name is not None and not (isinstance(name, str) and DNS_LABEL.match(name)):
            errors.append("metadata.name %r is not a DNS-1123 label" % (name,))
        report(not errors, "%s: %s schema%s" % (fname, d["kind"], "" if not errors else ": " + "; ".join(errors)))
        by_kind.setdefault(d["kind"], []).append(d)

    for kind in ("Deployment", "Service", "ConfigMap", "HorizontalPodAutoscaler", "PodDisruptionBudget"):
        report(len(by_kind.get(kind, [])) == 1, "exactly one %s" % kind)
    try:
        dep = by_kind["Deployment"][0]
        svc = by_kind["Service"][0]
        cm = by_kind["ConfigMap"][0]
        hpa = by_kind["HorizontalPodAutoscaler"][0]
        pdb = by_kind["PodDisruptionBudget"][0]
    except (KeyError, IndexError):
        return None

    kust = by_kind.get("Kustomization", [])
    if kust:
        listed = set(kust[0].get("resources") or [])
        report(listed == set(files) - {"kustomization.yaml"},
               "kustomization.yaml lists every manifest (%s)" % ", ".join(sorted(listed)))

    pod_labels = get(dep, "spec.template.metadata.labels") or {}
    report(selector_matches(get(dep, "spec.selector"), pod_labels), "Deployment selector matches its pod labels")
    svc_sel = get(svc, "spec.selector") or {}
    report(bool(svc_sel) and all(pod_labels.get(k) == v for k, v in svc_sel.items()),
           "Service selector matches the pod labels")
    report(selector_matches(get(pdb, "spec.selector"), pod_labels), "PodDisruptionBudget selector matches the pod labels")
    for t in get(dep, "spec.template.spec.topologySpreadConstraints") or []:
        report(selector_matches(t.get("labelSelector"), pod_labels), "topologySpreadConstraint selector matches the pods")

    containers = get(dep, "spec.template.spec.containers") or []
    if not report(len(containers) == 1, "one container in the pod"):
        return None
    c = containers[0]
    data = get(cm, "data") or {}
    ports = {p.get("name"): p.get("containerPort") for p in c.get("ports") or []}
    port_numbers = set(ports.values())

    def port_ok(p):
        return p in ports if isinstance(p, str) else p in port_numbers

    report(str(data.get("KHABAR_PORT", "")).isdigit() and int(data["KHABAR_PORT"]) in port_numbers,
           "containerPort %s equals KHABAR_PORT %s" % (sorted(port_numbers), data.get("KHABAR_PORT")))
    report(data.get("KHABAR_BIND") in ("0.0.0.0", "::"), "KHABAR_BIND listens on all pod interfaces")
    for p in get(svc, "spec.ports") or []:
        report(port_ok(p.get("targetPort", p.get("port"))),
               "Service port %s targets a container port (%r)" % (p.get("port"), p.get("targetPort")))
    refs = [e.get("configMapRef", {}).get("name") for e in c.get("envFrom") or []]
    report(get(cm, "metadata.name") in refs, "container envFrom references the ConfigMap %r" % get(cm, "metadata.name"))
    for k, v in data.items():
        report(k.startswith("KHABAR_") and ENV_NAME.match(k) is not None and isinstance(v, str),
               "ConfigMap %s is a KHABAR_* string" % k)

    # probes: the right endpoints on the service port
    expect = {"startupProbe": "/readyz", "readinessProbe": "/readyz", "livenessProbe": "/healthz"}
    for probe, path in expect.items():
        hg = get(c, probe + ".httpGet") or {}
        report(hg.get("path") == path and port_ok(hg.get("port")),
               "%s is GET %s on the service port (got %r on %r)" % (probe, path, hg.get("path"), hg.get("port")))
    period = get(c, "startupProbe.periodSeconds", 10) * get(c, "startupProbe.failureThreshold", 3)
    report(period >= 20, "startupProbe allows %ds for the lexicon load (>= 20)" % period)
    report(get(c, "livenessProbe.failureThreshold", 3) * get(c, "livenessProbe.periodSeconds", 10) >= 20,
           "livenessProbe tolerates >= 20 s of silence before a restart")

    # termination: grace > preStop + drain
    grace = get(dep, "spec.template.spec.terminationGracePeriodSeconds", 30)
    pre = get(c, "lifecycle.preStop") or {}
    sleep_s = None
    if "sleep" in pre:
        sleep_s = get(pre, "sleep.seconds")
    elif "exec" in pre:
        cmd = get(pre, "exec.command") or []
        if len(cmd) == 2 and cmd[0] in ("/bin/sleep", "sleep", "/usr/bin/sleep") and cmd[1].isdigit():
            sleep_s = int(cmd[1])
    report(sleep_s is not None and 3 <= sleep_s <= 30, "preStop sleeps %s s (3..30)" % sleep_s)
    drain_ms = str(data.get("KHABAR_DRAIN_TIMEOUT_MS", "10000"))
    report(drain_ms.isdigit(), "KHABAR_DRAIN_TIMEOUT_MS is a number of milliseconds (%s)" % drain_ms)
    drain = millis_to_s(drain_ms) if drain_ms.isdigit() else 1e9
    report(sleep_s is not None and grace > sleep_s + drain,
           "terminationGracePeriodSeconds %s > preStop %s s + drain %.1f s" % (grace, sleep_s, drain))
    # Kubernetes injects KHABAR_PORT=tcp://... for a Service named khabar unless service links
    # are off; that would override the port setting.
    report(get(dep, "spec.template.spec.enableServiceLinks") is False,
           "enableServiceLinks: false (a Service named khabar would inject KHABAR_PORT=tcp://...)")

    # security
    psc = get(dep, "spec.template.spec.securityContext") or {}
    csc = c.get("securityContext") or {}
    facts = dockerfile_facts(SRC)
    uid = csc.get("runAsUser", psc.get("runAsUser"))
    report(csc.get("runAsNonRoot", psc.get("runAsNonRoot")) is True and uid not in (None, 0),
           "runAsNonRoot with uid %s" % uid)
    if "uid" in facts:
        report(uid == facts["uid"], "runAsUser %s equals the Dockerfile USER %s" % (uid, facts["uid"]))
    if "port" in facts:
        report(facts["port"] in port_numbers, "containerPort equals the Dockerfile EXPOSE %s" % facts["port"])
    report(csc.get("readOnlyRootFilesystem") is True, "readOnlyRootFilesystem: true")
    report(csc.get("allowPrivilegeEscalation") is False, "allowPrivilegeEscalation: false")
    report("ALL" in (get(csc, "capabilities.drop") or []) and not get(csc, "capabilities.add"),
           "capabilities: drop ALL, add none")
    report(csc.get("privileged") is not True, "not privileged")

    # resources
    req = get(c, "resources.requests") or {}
    lim = get(c, "resources.limits") or {}
    for r in ("cpu", "memory"):
        rq, lq = quantity(req.get(r, "x")), quantity(lim.get(r, "x"))
        ok = rq is not None and lq is not None and rq <= lq
        report(ok, "resources: %s request %s <= limit %s" % (r, req.get(r), lim.get(r)))
    if quantity(lim.get("cpu", "x")) is not None and str(data.get("KHABAR_WORKERS", "")).isdigit():
        w = int(data["KHABAR_WORKERS"])
        report(1 <= w <= max(1, int(quantity(lim["cpu"]) + 0.999)),
               "KHABAR_WORKERS %d fits the CPU limit %s" % (w, lim["cpu"]))

    # autoscaling and disruption
    ref = get(hpa, "spec.scaleTargetRef") or {}
    report(ref.get("kind") == "Deployment" and ref.get("name") == get(dep, "metadata.name")
           and ref.get("apiVersion") == "apps/v1", "HPA targets the Deployment")
    mn, mx = get(hpa, "spec.minReplicas", 1), get(hpa, "spec.maxReplicas", 0)
    report(1 <= mn <= mx, "HPA minReplicas %s <= maxReplicas %s" % (mn, mx))
    cpu_metric = [m for m in get(hpa, "spec.metrics") or []
                  if m.get("type") == "Resource" and get(m, "resource.name") == "cpu"]
    report(len(cpu_metric) == 1 and get(cpu_metric[0], "resource.target.type") == "Utilization"
           and 10 <= get(cpu_metric[0], "resource.target.averageUtilization", 0) <= 100,
           "HPA scales on CPU utilization")
    report("cpu" in req, "CPU request set (the HPA's utilization is relative to it)")
    ma = get(pdb, "spec.minAvailable")
    report(isinstance(ma, int) and ma < mn, "PDB minAvailable %s < HPA minReplicas %s (drains can proceed)" % (ma, mn))
    report(get(dep, "spec.replicas", 1) >= mn, "Deployment replicas >= HPA minReplicas")
    return {"deployment": dep, "configmap": cm, "container": c}


def load(k8s_dir):
    files = sorted(f for f in os.listdir(k8s_dir) if f.endswith((".yaml", ".yml")))
    docs = []
    for f in files:
        with open(os.path.join(k8s_dir, f), encoding="utf-8") as fh:
            for d in yaml.safe_load_all(fh):
                if d is not None:
                    docs.append((f, d))
    return files, docs


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def against_binary(facts):
    data = get(facts["configmap"], "data")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KHABAR_")}
    env.update(data)
    env["KHABAR_DATA_DIR"] = os.path.join(SRC, "data")

    p = subprocess.run([KHABAR, "serve", "--check-config"], env=env, capture_output=True, text=True, timeout=30)
    check(p.returncode == 0, "khabar serve --check-config accepts the ConfigMap (%s)"
          % (p.stderr.strip().splitlines() or ["ok"])[-1][:200])
    h = subprocess.run([KHABAR, "serve", "--help"], env=env, capture_output=True, text=True, timeout=30)
    known = set(re.findall(r"KHABAR_[A-Z0-9_]+", h.stdout + h.stderr))
    if check(len(known) > 5, "khabar serve --help names the KHABAR_* variables (%d)" % len(known)):
        unknown = sorted(set(data) - known)
        check(not unknown, "every ConfigMap key is a server setting%s" % (": unknown " + ", ".join(unknown) if unknown else ""))

    # Start the server with the ConfigMap environment (loopback, a free port) and probe it.
    port = free_port()
    env["KHABAR_PORT"] = str(port)
    env["KHABAR_BIND"] = "127.0.0.1"
    env["KHABAR_TRUSTED_PROXIES"] = "127.0.0.1"
    log = tempfile.TemporaryFile()
    srv = subprocess.Popen([KHABAR, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        c = facts["container"]
        paths = [get(c, n + ".httpGet.path") for n in ("startupProbe", "readinessProbe", "livenessProbe")]
        ann = get(facts["deployment"], "spec.template.metadata.annotations") or {}
        if "prometheus.io/path" in ann:
            paths.append(ann["prometheus.io/path"])
        deadline = time.monotonic() + 30
        status = {}
        for path in paths:
            while True:
                try:
                    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=5) as r:
                        status[path] = r.status
                except Exception as e:  # refused while starting, or an HTTP error
                    status[path] = getattr(e, "code", str(e))
                if status[path] == 200 or time.monotonic() > deadline or srv.poll() is not None:
                    break
                time.sleep(0.1)
            check(status[path] == 200, "the server answers the Deployment's %s with 200 (%s)" % (path, status[path]))
        # `khabar probe`, the image's HEALTHCHECK, with the same environment
        p = subprocess.run([KHABAR, "probe"], env=env, capture_output=True, text=True, timeout=30)
        check(p.returncode == 0, "khabar probe (default URL from KHABAR_PORT) -> 0: %s" % p.stdout.strip())
    finally:
        srv.terminate()
        try:
            rc = srv.wait(timeout=30)
        except subprocess.TimeoutExpired:
            srv.kill()
            rc = srv.wait()
        check(rc == 0, "server exits 0 on SIGTERM (%s)" % rc)
        log.seek(0)
        if failures:
            sys.stdout.write("# server log:\n" + "".join("#   " + line + "\n" for line in
                             log.read().decode("utf-8", "replace").splitlines()[-15:]))
        log.close()


def mutations():
    """(description, function(docs)) pairs: each breaks one thing the checks must catch."""
    def find(docs, kind):
        return next(d for _, d in docs if d.get("kind") == kind)

    def container(docs):
        return find(docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]

    def rename(obj, old, new):
        obj[new] = obj.pop(old)

    return [
        ("typo readinesProbe", lambda ds: rename(container(ds), "readinessProbe", "readinesProbe")),
        ("typo periodSecond", lambda ds: rename(container(ds)["livenessProbe"], "periodSeconds", "periodSecond")),
        ("liveness on /readyz", lambda ds: container(ds)["livenessProbe"]["httpGet"].update(path="/readyz")),
        ("readiness on /ready", lambda ds: container(ds)["readinessProbe"]["httpGet"].update(path="/ready")),
        ("probe on a port name that does not exist", lambda ds: container(ds)["livenessProbe"]["httpGet"].update(port="web")),
        ("grace 12 s", lambda ds: find(ds, "Deployment")["spec"]["template"]["spec"].update(terminationGracePeriodSeconds=12)),
        ("Service selector typo", lambda ds: find(ds, "Service")["spec"]["selector"].update({"app.kubernetes.io/name": "khabr"})),
        ("PDB selector typo", lambda ds: find(ds, "PodDisruptionBudget")["spec"]["selector"]["matchLabels"].update({"app.kubernetes.io/name": "kabar"})),
        ("HPA targets a missing Deployment", lambda ds: find(ds, "HorizontalPodAutoscaler")["spec"]["scaleTargetRef"].update(name="khabar-api")),
        ("HPA autoscaling/v1", lambda ds: find(ds, "HorizontalPodAutoscaler").update(apiVersion="autoscaling/v1")),
        ("unquoted ConfigMap number", lambda ds: find(ds, "ConfigMap")["data"].update(KHABAR_WORKERS=2)),
        ("KHABAR_PORT differs from containerPort", lambda ds: find(ds, "ConfigMap")["data"].update(KHABAR_PORT="9090")),
        ("readOnlyRootFilesystem false", lambda ds: container(ds)["securityContext"].update(readOnlyRootFilesystem=False)),
        ("runAsUser 0", lambda ds: container(ds)["securityContext"].update(runAsUser=0)),
        ("capabilities not dropped", lambda ds: container(ds)["securityContext"].pop("capabilities")),
        ("memory request above the limit", lambda ds: container(ds)["resources"]["requests"].update(memory="1Gi")),
        ("bad quantity", lambda ds: container(ds)["resources"]["limits"].update(cpu="2 cores")),
        ("imagePullPolicy typo", lambda ds: container(ds).update(imagePullPolicy="IfNotPresnt")),
        ("envFrom a missing ConfigMap", lambda ds: container(ds)["envFrom"][0]["configMapRef"].update(name="khabar-cfg")),
        ("service links on", lambda ds: find(ds, "Deployment")["spec"]["template"]["spec"].update(enableServiceLinks=True)),
    ]


def main():
    files, docs = load(K8S)
    check(set(files) >= {"deployment.yaml", "service.yaml", "configmap.yaml", "hpa.yaml", "pdb.yaml"},
          "deploy/k8s has deployment, service, configmap, hpa, pdb (%s)" % ", ".join(files))
    facts = check_all(docs, files, check)
    check(facts is not None, "all five kinds present and consistent")

    # self-test: every mutation must make at least one check fail
    for what, mutate in mutations():
        broken = copy.deepcopy(docs)
        mutate(broken)
        fails = []
        check_all(broken, files, lambda ok, msg: (fails.append(msg) if not ok else None) or ok)
        check(bool(fails), "mutation '%s' is caught%s" % (what, (": " + fails[0][:120]) if fails else " -- NOT caught"))

    # kubectl, where installed (not a Debian bookworm package: kubernetes-client there is
    # 1.20 and predates autoscaling/v2), renders the kustomization offline.
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        print("ok %d - # SKIP kubectl not installed: kustomize rendering not checked" % (count + 1))
        globals()["count"] += 1
    else:
        p = subprocess.run([kubectl, "kustomize", K8S], capture_output=True, text=True, timeout=60)
        rendered = [d for d in yaml.safe_load_all(p.stdout)] if p.returncode == 0 else []
        kinds = sorted(d.get("kind", "") for d in rendered if d)
        check(p.returncode == 0 and kinds == sorted(d.get("kind") for f, d in docs if f != "kustomization.yaml"),
              "kubectl kustomize renders the same objects offline (%s)" % (", ".join(kinds) or p.stderr.strip()[:200]))

    if KHABAR and facts is not None:
        against_binary(facts)
    print("1..%d" % count)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
