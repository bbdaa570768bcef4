"""Renders a Kustomize tree without kubectl, for the subset ``deploy/k8s`` uses.

Supported fields of a ``kustomization.yaml``: ``resources`` (files and directories with their own
kustomization), ``namespace``, ``labels`` (added to ``metadata.labels`` only, as with
``includeSelectors: false``), ``images`` (``name`` → ``newName``/``newTag``) and ``patches`` given
as files, matched by the patch's kind and name or applied to every object a ``target`` selects
(``kind``, ``name``, ``labelSelector`` of ``key=value`` pairs). Any other field raises
:class:`UnsupportedKustomization`, so the tree cannot come to rely on something this renderer would
quietly ignore.

Patches merge as Kustomize does for the objects here: mappings merge key by key; in built-in kinds
the lists that Kubernetes merges by a key (containers, env, volumes, …) merge item by item, every
other list is replaced; custom resources are merged as JSON merge patches (lists replaced).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

SUPPORTED_FIELDS = {"apiVersion", "kind", "namespace", "labels", "resources", "images", "patches"}
SUPPORTED_PATCH_FIELDS = {"path", "target"}
SUPPORTED_TARGET_FIELDS = {"kind", "name", "labelSelector"}
SUPPORTED_LABEL_FIELDS = {"pairs", "includeSelectors"}
CLUSTER_SCOPED = {"Namespace"}
# Strategic merge: the lists of built-in kinds that merge by a key (the rest are replaced).
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
}
BUILT_IN_GROUPS = ("v1", "apps/", "policy/", "autoscaling/", "networking.k8s.io/", "batch/")

Manifest = dict[str, Any]


class UnsupportedKustomization(ValueError):
    pass


def build(directory: Path) -> list[Manifest]:
    """The objects ``kubectl kustomize directory`` would print, for the supported subset."""
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text(encoding="utf-8"))
    _refuse_unsupported(directory, kustomization)
    objects: list[Manifest] = []
    for entry in kustomization.get("resources", []):
        path = directory / entry
        if path.is_dir():
            objects += build(path)
        else:
            objects += [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
    for patch in kustomization.get("patches", []):
        _apply_patch(objects, directory, patch)
    for image in kustomization.get("images", []):
        for container in _containers(objects):
            if _repository(container["image"]) == image["name"]:
                tag = image.get("newTag") or _tag(container["image"])
                container["image"] = image.get("newName", image["name"]) + (f":{tag}" if tag else "")
    for label in kustomization.get("labels", []):
        for obj in objects:
            obj["metadata"].setdefault("labels", {}).update(label["pairs"])
    if "namespace" in kustomization:
        for obj in objects:
            if obj["kind"] not in CLUSTER_SCOPED:
                obj["metadata"]["namespace"] = kustomization["namespace"]
    return objects


def _refuse_unsupported(directory: Path, kustomization: dict[str, Any]) -> None:
    problems = [f"field {key!r}" for key in set(kustomization) - SUPPORTED_FIELDS]
    for patch in kustomization.get("patches", []):
        problems += [f"patch field {key!r}" for key in set(patch) - SUPPORTED_PATCH_FIELDS]
        problems += [
            f"target field {key!r}" for key in set(patch.get("target", {})) - SUPPORTED_TARGET_FIELDS
        ]
    for label in kustomization.get("labels", []):
        problems += [f"labels field {key!r}" for key in set(label) - SUPPORTED_LABEL_FIELDS]
        if label.get("includeSelectors", False):
            problems.append("labels with includeSelectors: true")
    if problems:
        raise UnsupportedKustomization(f"{directory}/kustomization.yaml uses {', '.join(sorted(problems))}")


def _apply_patch(objects: list[Manifest], directory: Path, entry: dict[str, Any]) -> None:
    patch = yaml.safe_load((directory / entry["path"]).read_text(encoding="utf-8"))
    target = entry.get("target") or {"kind": patch["kind"], "name": patch["metadata"]["name"]}
    matched = [obj for obj in objects if _selected(obj, target)]
    if not matched:
        raise UnsupportedKustomization(f"patch {entry['path']} matches no object ({target})")
    body = {key: value for key, value in patch.items() if key not in ("apiVersion", "kind", "metadata")}
    metadata = {key: value for key, value in patch.get("metadata", {}).items() if key != "name"}
    for obj in matched:
        strategic = obj["apiVersion"].startswith(BUILT_IN_GROUPS)
        _merge(obj, copy.deepcopy(body), strategic)
        _merge(obj["metadata"], copy.deepcopy(metadata), strategic)


def _selected(obj: Manifest, target: dict[str, Any]) -> bool:
    if "kind" in target and obj["kind"] != target["kind"]:
        return False
    if "name" in target and obj["metadata"]["name"] != target["name"]:
        return False
    labels = obj["metadata"].get("labels", {})
    for pair in filter(None, target.get("labelSelector", "").split(",")):
        key, _, value = pair.partition("=")
        if labels.get(key.strip()) != value.strip():
            return False
    return True


def _merge(base: dict[str, Any], patch: dict[str, Any], strategic: bool) -> None:
    for key, value in patch.items():
        if value is None:
            base.pop(key, None)
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value, strategic)
        elif (
            strategic and isinstance(value, list) and MERGE_KEYS.get(key) and isinstance(base.get(key), list)
        ):
            merge_key = MERGE_KEYS[key]
            by_key = {item[merge_key]: item for item in base[key]}
            for item in value:
                if item[merge_key] in by_key:
                    _merge(by_key[item[merge_key]], item, strategic)
                else:
                    base[key].append(item)
        else:
            base[key] = value


def _containers(objects: list[Manifest]) -> list[dict[str, Any]]:
    pods = [
        obj["spec"]["template"]["spec"]
        for obj in objects
        if obj["kind"] in ("Deployment", "StatefulSet", "Job")
    ]
    return [container for pod in pods for container in pod.get("initContainers", []) + pod["containers"]]


def _repository(image: str) -> str:
    name = image.split("@")[0]
    return name.rsplit(":", 1)[0] if ":" in name.rsplit("/", 1)[-1] else name


def _tag(image: str) -> str | None:
    name = image.split("@")[0]
    return name.rsplit(":", 1)[1] if ":" in name.rsplit("/", 1)[-1] else None
