#!/usr/bin/env python3
"""Checks deploy/kubernetes/signpeer.yaml (no cluster runs here): every document validates
against the Kubernetes API schemas (kubernetes-validate from PyPI, strict: unknown fields are
errors) of the oldest and the newest Kubernetes version it supports; then what SignPeer relies
on: the three services run the images of deploy/docker/Dockerfile with /readyz and /healthz
probes, read-only root filesystems and secrets no other user may read; the renewal service
stays at one replica and writes only to its token volume; only the gateway is exposed (a TCP
LoadBalancer on 8443); internal services are fenced by a NetworkPolicy."""
import sys
import yaml
import kubernetes_validate

KUBERNETES_VERSIONS = ("1.30.0", kubernetes_validate.latest_version())

docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
problems = []
for i, d in enumerate(docs):
    for version in KUBERNETES_VERSIONS:
        try:
            kubernetes_validate.validate(d, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            problems.append(f"document {i} ({d.get('kind')}/{d.get('metadata', {}).get('name')}), "
                            f"Kubernetes {version}: {error.path and '.'.join(map(str, error.path))}: {error.message}")
        except (kubernetes_validate.SchemaNotFoundError, kubernetes_validate.InvalidSchemaError) as error:
            problems.append(f"document {i}, Kubernetes {version}: {error}")
if problems:
    print("\n".join(problems))
    sys.exit(1)
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
    if not container.get("securityContext", {}).get("readOnlyRootFilesystem"):
        problems.append(f"{name}: the root filesystem must be read-only")
    for volume in deployment["spec"]["template"]["spec"].get("volumes", []):
        mode = volume.get("secret", {}).get("defaultMode", 0o644) if "secret" in volume else 0
        if mode & 0o007:
            problems.append(f"{name}: secret volume {volume['name']} is readable by every user (mode {mode:o})")
renewal_mounts = [m["mountPath"] for m in deployments.get("renewal", {}).get("spec", {}).get("template", {})
                  .get("spec", {}).get("containers", [{}])[0].get("volumeMounts", [])]
for path in ("/var/lib/softhsm/tokens", "/var/lib/signpeer"):
    if path not in renewal_mounts:
        problems.append(f"renewal: {path} must be a volume (tokens outlive the pod; the root filesystem is read-only)")
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
