#!/usr/bin/env python3
"""Checks compose.yaml for what SignPeer relies on, without a container engine (the real run is
deploy/docker/test.sh): every service builds from deploy/docker/Dockerfile with its SERVICE and
fully qualified default base images, restarts on failure and has a read-only root filesystem;
the PostgreSQL image is fully qualified (podman cannot pull short names); only the gateway
publishes a port, by default a host port range (so `--scale gateway=N` cannot collide) that
SIGNPEER_GATEWAY_PORTS can replace; the internal network is internal; every service has a
/readyz health check and the internal credential; no private key but the gateway's TLS key is
mounted anywhere (the demo CA's key stays on the host); secrets come from deploy/docker/secrets/."""
import re
import sys
import yaml

compose = yaml.safe_load(open(sys.argv[1]))
services = compose["services"]
problems = []


def default_of(value):
    """The value compose uses when the variable is unset: `${VAR:-default}` -> default."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value))


def fully_qualified(image):
    registry = image.split("/")[0]
    return "/" in image and ("." in registry or ":" in registry or registry == "localhost")


expect = {"gateway": "signpeer-gateway", "keybindings": "signpeer-keybindings", "renewal": "signpeer-renewal"}
for name, product in expect.items():
    service = services.get(name) or {}
    build = service.get("build", {})
    args = build.get("args", {})
    if build.get("dockerfile") != "deploy/docker/Dockerfile" or args.get("SERVICE") != product:
        problems.append(f"{name}: must build deploy/docker/Dockerfile with SERVICE={product}")
    for arg in ("BUILDER_IMAGE", "RUNTIME_IMAGE"):
        if not fully_qualified(default_of(args.get(arg, ""))):
            problems.append(f"{name}: build argument {arg} needs a fully qualified default image")
    if service.get("restart") != "on-failure":
        problems.append(f"{name}: needs restart: on-failure (a failed start must not leave the stack down)")
    if service.get("read_only") is not True:
        problems.append(f"{name}: the root filesystem must be read-only")
    test = " ".join(service.get("healthcheck", {}).get("test", []))
    if "/readyz" not in test:
        problems.append(f"{name}: needs a /readyz health check")
    if "internal_token" not in service.get("secrets", []):
        problems.append(f"{name}: needs the internal_token secret")
if not fully_qualified(default_of(services.get("postgres", {}).get("image", ""))):
    problems.append("postgres: the image must be fully qualified (registry/name:tag)")
for name, service in services.items():
    if service.get("ports") and name != "gateway":
        problems.append(f"{name}: only the gateway may publish ports")
ports = services.get("gateway", {}).get("ports", [])
host = default_of(str(ports[0]).rsplit(":", 1)[0]) if ports else ""
if not re.fullmatch(r"(\d+)-(\d+)", host) or int(host.split("-")[1]) - int(host.split("-")[0]) < 2:
    problems.append(f"gateway: publish a host port range of at least 3 ports by default (got {ports})")
if ports and "${SIGNPEER_GATEWAY_PORTS:-" not in str(ports[0]):
    problems.append("gateway: SIGNPEER_GATEWAY_PORTS must be able to replace the range (podman cannot publish one)")
if not compose["networks"]["internal"].get("internal"):
    problems.append("the internal network must be internal")
for name, secret in compose["secrets"].items():
    if not secret["file"].startswith("deploy/docker/secrets/"):
        problems.append(f"secret {name}: {secret['file']} is not made by deploy/docker/secrets.sh")
    if secret["file"].endswith(".key") and secret["file"] != "deploy/docker/secrets/server.key":
        problems.append(f"secret {name}: no private key but the gateway's TLS key is mounted ({secret['file']})")
for name, service in services.items():
    for volume in service.get("volumes", []):
        if ".key" in str(volume) or str(volume).split(":")[0].rstrip("/") in ("./deploy/docker/secrets", "deploy/docker/secrets"):
            problems.append(f"{name}: mounts {volume} (only the secrets it needs, never the whole folder or a key)")
if "postgres" not in services:
    problems.append("PostgreSQL service missing")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print("compose.yaml OK")
