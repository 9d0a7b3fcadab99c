"""Write a large, realistic Flux repository for benchmarks: one cluster, N apps, each app a
Flux Kustomization over a shared base with an overlay (namePrefix, strategic-merge patch,
configMapGenerator, images) and postBuild substitution. 500 apps give 3,000 objects.

    python bench/gen_large_repo.py DEST [--apps 500]
"""

from __future__ import annotations

import argparse
from pathlib import Path

BASE = {
    "kustomization.yaml": """apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
  - service.yaml
  - serviceaccount.yaml
  - pdb.yaml
""",
    "deployment.yaml": """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      serviceAccountName: web
      containers:
        - name: web
          image: ghcr.io/example/web:1.0.0
          ports:
            - containerPort: 8080
          envFrom:
            - configMapRef:
                name: web-config
          resources:
            requests:
              cpu: 10m
              memory: 32Mi
""",
    "service.yaml": """apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: 8080
""",
    "serviceaccount.yaml": """apiVersion: v1
kind: ServiceAccount
metadata:
  name: web
""",
    "pdb.yaml": """apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app: web
""",
}

OVERLAY = """apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namePrefix: {name}-
resources:
  - ../../base/web
patches:
  - path: patch.yaml
configMapGenerator:
  - name: web-config
    literals:
      - APP={name}
      - CLUSTER=${{CLUSTER}}
images:
  - name: ghcr.io/example/web
    newTag: "1.{n}.0"
"""

PATCH = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${{REPLICAS:=2}}
  template:
    metadata:
      annotations:
        example.com/app: {name}
"""

KS = """---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: {name}
  namespace: flux-system
spec:
  interval: 10m
  path: ./apps/{name}
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  targetNamespace: {name}
  postBuild:
    substitute:
      CLUSTER: bench
"""


def generate(dest: Path, apps: int = 500) -> Path:
    (dest / "clusters/bench/flux-system").mkdir(parents=True, exist_ok=True)
    (dest / "clusters/bench/flux-system/gotk-sync.yaml").write_text("# placeholder\n")
    (dest / "clusters/bench/flux-system/kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        "resources:\n  - gotk-sync.yaml\n"
    )
    base = dest / "base/web"
    base.mkdir(parents=True, exist_ok=True)
    for name, text in BASE.items():
        (base / name).write_text(text)
    ks = []
    for n in range(apps):
        name = f"app-{n:03d}"
        app = dest / "apps" / name
        app.mkdir(parents=True, exist_ok=True)
        (app / "kustomization.yaml").write_text(OVERLAY.format(name=name, n=n))
        (app / "patch.yaml").write_text(PATCH.format(name=name))
        ks.append(KS.format(name=name))
    (dest / "clusters/bench/apps.yaml").write_text("".join(ks))
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--apps", type=int, default=500)
    args = parser.parse_args()
    generate(args.dest, args.apps)
    print(f"wrote {args.apps} apps to {args.dest}")


if __name__ == "__main__":
    main()
