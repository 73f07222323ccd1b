#!/usr/bin/env python3
"""Checks compose.yaml the way `docker compose config` would for what SignPeer relies on (no
container engine runs on the build machines): it parses, every service builds from
deploy/docker/Dockerfile with its SERVICE, only the gateway publishes a port (as a range, so
`--scale gateway=N` cannot collide), the internal network is internal, every secret file is made
by deploy/docker/secrets.sh, and every service has a health check on its operations path."""
import sys
import yaml

compose = yaml.safe_load(open(sys.argv[1]))
services = compose["services"]
problems = []
expect = {"gateway": "signpeer-gateway", "keybindings": "signpeer-keybindings", "renewal": "signpeer-renewal"}
for name, product in expect.items():
    service = services.get(name) or {}
    build = service.get("build", {})
    if build.get("dockerfile") != "deploy/docker/Dockerfile" or build.get("args", {}).get("SERVICE") != product:
        problems.append(f"{name}: must build deploy/docker/Dockerfile with SERVICE={product}")
    test = " ".join(service.get("healthcheck", {}).get("test", []))
    if "/readyz" not in test:
        problems.append(f"{name}: needs a /readyz health check")
    if "internal_token" not in service.get("secrets", []):
        problems.append(f"{name}: needs the internal_token secret")
for name, service in services.items():
    if service.get("ports") and name != "gateway":
        problems.append(f"{name}: only the gateway may publish ports")
ports = services["gateway"].get("ports", [])
if not ports or "-" not in str(ports[0]).split(":")[0]:
    problems.append("gateway: publish a host port range so replicas do not collide")
if not compose["networks"]["internal"].get("internal"):
    problems.append("the internal network must be internal")
made = {"internal-token", "server.pem", "server.key", "ca.pem", "admin.pem"}
for name, secret in compose["secrets"].items():
    if secret["file"].split("/")[-1] not in made or not secret["file"].startswith("deploy/docker/secrets/"):
        problems.append(f"secret {name}: deploy/docker/secrets.sh does not make {secret['file']}")
if "postgres" not in services:
    problems.append("PostgreSQL service missing")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print("compose.yaml OK")
