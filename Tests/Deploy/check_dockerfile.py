#!/usr/bin/env python3
"""Checks deploy/docker/Dockerfile and .dockerignore against Package.swift, without a container
engine (the real build and run is deploy/docker/test.sh):
- the base images are build arguments with fully qualified defaults, and the stages use them;
- one `swift build -c release` builds every product (no per-product builds: buildah would repeat
  them), and exactly the package's executable products are copied out of it;
- the whole source tree is copied (new modules build without editing the Dockerfile), and
  .dockerignore keeps build output, local state, git history and the secrets out of the context;
- the runtime stage installs no -dev package, declares ARG SERVICE only after its shared apt
  layer, ships stripped binaries, and runs as a numeric non-root user.
Usage: check_dockerfile.py REPOSITORY_ROOT"""
import os
import re
import sys

root = sys.argv[1]
text = open(os.path.join(root, "deploy/docker/Dockerfile")).read()
lines = [line for line in re.sub(r"\\\n", " ", text).splitlines() if line.strip() and not line.lstrip().startswith("#")]
package = open(os.path.join(root, "Package.swift")).read()
ignore = [line.strip() for line in open(os.path.join(root, ".dockerignore")) if line.strip() and not line.startswith("#")]
problems = []

args = dict(re.findall(r"^ARG (BUILDER_IMAGE|RUNTIME_IMAGE)=(\S+)", "\n".join(lines), re.M))
for name in ("BUILDER_IMAGE", "RUNTIME_IMAGE"):
    image = args.get(name, "")
    if not re.fullmatch(r"[a-z0-9.-]+\.[a-z]+(:\d+)?/[a-z0-9._/-]+:[\w.-]+", image):
        problems.append(f"ARG {name} needs a fully qualified default image (registry/name:tag), got {image!r}")
froms = [line.split()[1] for line in lines if line.startswith("FROM ")]
if froms != ["${BUILDER_IMAGE}", "${RUNTIME_IMAGE}"]:
    problems.append(f"stages must be FROM ${{BUILDER_IMAGE}} then FROM ${{RUNTIME_IMAGE}}, got {froms}")

runtime_start = max(i for i, line in enumerate(lines) if line.startswith("FROM "))
build, runtime = lines[:runtime_start], lines[runtime_start:]
builds = re.findall(r"swift build ([^&;]*)", " ".join(build))
compiles = [b for b in builds if "--show-bin-path" not in b]
if len(compiles) != 1 or "-c release" not in compiles[0] or "--product" in compiles[0]:
    problems.append(f"one `swift build -c release` for every product, got {compiles}")
executables = sorted(re.findall(r"\.executable\(\s*name:\s*\"([^\"]+)\"", package))
copied = re.search(r"for product in ([^;]+);", " ".join(build))
copied = sorted(copied.group(1).split()) if copied else []
if not executables or copied != executables:
    problems.append(f"the build stage must copy out exactly the executable products {executables}, got {copied}")
if not any(re.fullmatch(r"COPY \. \.(/)?", line.strip()) for line in build):
    problems.append("the build stage must COPY the whole source tree (COPY . .), not named folders")
for pattern in (".build", ".local", ".git"):
    if pattern not in ignore:
        problems.append(f".dockerignore must exclude {pattern}")
if not any(p in ignore for p in ("deploy", "deploy/docker/secrets")):
    problems.append(".dockerignore must exclude deploy/docker/secrets")
if not any(p.strip("/") == "test-artifacts" for p in ignore):
    problems.append(".dockerignore must exclude test-artifacts")

runs = [i for i, line in enumerate(runtime) if line.startswith("RUN ")]
service_arg = next((i for i, line in enumerate(runtime) if line.startswith("ARG SERVICE")), None)
if service_arg is None or not runs or service_arg < runs[0]:
    problems.append("the runtime stage must declare ARG SERVICE after its first (shared) RUN layer")
if re.search(r"\S+-dev\b", " ".join(line for line in runtime if line.startswith("RUN "))):
    problems.append("the runtime stage must not install -dev packages")
if "strip" not in " ".join(build):
    problems.append("the shipped binaries must be stripped")
user = [line.split()[1] for line in runtime if line.startswith("USER ")]
if not user or not re.fullmatch(r"[1-9]\d*(:\d+)?", user[-1]):
    problems.append(f"the runtime stage must run as a numeric non-root USER, got {user}")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print("Dockerfile OK")
