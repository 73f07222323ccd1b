#!/usr/bin/env python3
"""Checks deploy/kubernetes/signpeer.yaml for what SignPeer relies on (no cluster runs here):
every document parses and has apiVersion/kind/metadata; the three services run the images of
deploy/docker/Dockerfile with /readyz and /healthz probes; the renewal service stays at one
replica; only the gateway is exposed (a TCP LoadBalancer on 8443); internal services are fenced
by a NetworkPolicy."""
import sys
import yaml

docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
problems = [f"document {i}: missing apiVersion/kind/metadata" for i, d in enumerate(docs)
            if not all(k in d for k in ("apiVersion", "kind", "metadata"))]
deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
services = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Service"}
for name in ("gateway", "keybindings", "renewal"):
    deployment = deployments.get(name)
    if not deployment:
        problems.append(f"{name}: no Deployment")
        continue
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    if not container["image"].startswith(f"signpeer-{name}:"):
        problems.append(f"{name}: image must be signpeer-{name}")
    if container.get("readinessProbe", {}).get("httpGet", {}).get("path") != "/readyz":
        problems.append(f"{name}: readiness probe must be /readyz")
    if container.get("livenessProbe", {}).get("httpGet", {}).get("path") != "/healthz":
        problems.append(f"{name}: liveness probe must be /healthz")
    if name not in services:
        problems.append(f"{name}: no Service")
if deployments.get("renewal", {}).get("spec", {}).get("replicas") != 1:
    problems.append("renewal: activated tokens live in one process; keep replicas: 1")
for name, service in services.items():
    exposed = service["spec"].get("type") in ("LoadBalancer", "NodePort")
    if exposed != (name == "gateway"):
        problems.append(f"{name}: only the gateway may be exposed outside the cluster")
if [p["port"] for p in services.get("gateway", {}).get("spec", {}).get("ports", [])] != [8443]:
    problems.append("gateway: expose only the peer port 8443 (operations stay inside)")
if not any(d["kind"] == "NetworkPolicy" for d in docs):
    problems.append("no NetworkPolicy fencing the internal services")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print("kubernetes manifests OK")
