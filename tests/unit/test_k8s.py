"""The Kubernetes manifests (deploy/k8s), checked offline: no cluster and no kubectl are needed.

The production overlay is rendered by ``tests.kustomize`` (the Kustomize subset the tree uses);
every built-in object is validated against the Kubernetes JSON schema of ``KUBERNETES_VERSION``
(kubernetes-validate, strict: a misspelt field fails), and the custom resources (Strimzi,
MongoDB Community Operator) are checked here for the fields their operators require. Then what an
IT department would check before applying it: replicas, probes, resources, disruption budgets,
autoscaling, pod security, secrets, exposure and the topics.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from lotsen.contracts import topics
from lotsen.settings import DEMO_SECRETS
from services.stats.handlers import STATS_TOPICS
from tests.kustomize import Manifest, UnsupportedKustomization, build
from tests.unit.test_deploy import CADDYFILE, SERVICES, env_names

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
PRODUCTION = K8S / "overlays" / "production"
SECRETS_EXAMPLE = PRODUCTION / "secrets.example.yaml"
KUBERNETES_VERSION = "1.33"
CUSTOM_GROUPS = ("kafka.strimzi.io/", "mongodbcommunity.mongodb.com/")

# The consumer groups of each service and the topics they read (each service's app.py). intake's
# erasure consumer is left out: it scales with intake's HTTP load, not its lag.
CONSUMERS: dict[str, dict[str, tuple[str, ...]]] = {
    "routing": {"lotsen-routing": (topics.CONTACTS_RECEIVED,)},
    "casestore": {
        "lotsen-casestore": (topics.CONTACTS_ROUTED,),
        "lotsen-casestore-outcomes": (topics.OUTBOUND_RESULTS,),
    },
    "notify": {
        "lotsen-notify": (
            topics.CASES_EVENTS,
            topics.OUTBOUND_REQUESTS,
            topics.NOTICES_EVENTS,
            topics.REPORTS_EVENTS,
        )
    },
    "stats": {"lotsen-stats": STATS_TOPICS},
}
SECRET_VARIABLES = {
    "LOTSEN_JWT_SECRET", "LOTSEN_CONNECTOR_KEYS", "LOTSEN_SERVICE_KEY", "MONGODB_URL",
    "INTAKE_FACEBOOK_APP_SECRET", "INTAKE_FACEBOOK_VERIFY_TOKEN",
    "NOTIFY_SMTP_USERNAME", "NOTIFY_SMTP_PASSWORD", "NOTIFY_FACEBOOK_PAGE_TOKENS",
}  # fmt: skip


@pytest.fixture(scope="module")
def rendered() -> list[Manifest]:
    return build(PRODUCTION)


def objects(rendered: list[Manifest], kind: str) -> dict[str, Manifest]:
    return {obj["metadata"]["name"]: obj for obj in rendered if obj["kind"] == kind}


def container(deployment: Manifest) -> dict[str, Any]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, f"{deployment['metadata']['name']} has {len(containers)} containers"
    first: dict[str, Any] = containers[0]
    return first


def schema_errors(obj: Manifest) -> list[str]:
    try:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        return [f"{obj['kind']}/{obj['metadata']['name']}: {'.'.join(map(str, error.path))}: {error.message}"]
    return []


@pytest.mark.parametrize("tree", ["base", "overlays/production"])
def test_every_built_in_object_is_valid_for_the_stated_kubernetes_version(tree: str) -> None:
    rendered = build(K8S / tree)
    custom = [obj for obj in rendered if obj["apiVersion"].startswith(CUSTOM_GROUPS)]
    errors = [error for obj in rendered if obj not in custom for error in schema_errors(obj)]
    assert not errors, "\n".join(errors)
    assert {obj["kind"] for obj in custom} == {"Kafka", "KafkaNodePool", "KafkaTopic", "MongoDBCommunity"}


def test_the_schema_check_catches_a_misspelt_field(rendered: list[Manifest]) -> None:
    deployment = copy.deepcopy(objects(rendered, "Deployment")["routing"])
    probes = container(deployment)
    probes["readinesProbe"] = probes.pop("readinessProbe")
    assert schema_errors(deployment), "a misspelt field passed the schema check"


@pytest.mark.parametrize(("name", "port"), [(name, port) for name, (_, port) in SERVICES.items()])
def test_each_service_runs_its_module_with_probes_on_its_port(
    rendered: list[Manifest], name: str, port: int
) -> None:
    main = container(objects(rendered, "Deployment")[name])
    assert main["command"][-2:] == ["-m", f"services.{name}"]
    assert {"name": "http", "containerPort": port} in main["ports"]
    assert main["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert main["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert objects(rendered, "Service")[name]["spec"]["ports"] == [
        {"name": "http", "port": port, "targetPort": "http"}
    ]


def test_every_deployment_has_replicas_resources_a_budget_and_an_autoscaler(rendered: list[Manifest]) -> None:
    deployments = objects(rendered, "Deployment")
    assert set(deployments) == {*SERVICES, "gateway"}
    budgets, autoscalers = (
        objects(rendered, "PodDisruptionBudget"),
        objects(rendered, "HorizontalPodAutoscaler"),
    )
    for name, deployment in deployments.items():
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert deployment["spec"]["replicas"] >= 2, f"{name} runs fewer than 2 replicas"
        resources = container(deployment)["resources"]
        assert {"cpu", "memory"} <= set(resources["requests"]), f"{name} requests no cpu or memory"
        assert "memory" in resources["limits"], f"{name} has no memory limit"
        probes = container(deployment)
        assert "readinessProbe" in probes and "livenessProbe" in probes, f"{name} has no probes"
        budget = budgets[name]["spec"]
        assert budget["selector"]["matchLabels"].items() <= pod_labels.items()
        assert budget.get("minAvailable", 0) >= 1 or "maxUnavailable" in budget
        autoscaler = autoscalers[name]["spec"]
        assert autoscaler["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        assert 2 <= autoscaler["minReplicas"] < autoscaler["maxReplicas"]
        assert any(m["type"] == "Resource" and m["resource"]["name"] == "cpu" for m in autoscaler["metrics"])


@pytest.mark.parametrize("name", CONSUMERS)
def test_consumers_scale_on_their_lag_up_to_their_partitions(rendered: list[Manifest], name: str) -> None:
    autoscaler = objects(rendered, "HorizontalPodAutoscaler")[name]["spec"]
    lag = [m["external"] for m in autoscaler["metrics"] if m["type"] == "External"]
    assert len(lag) == 1 and lag[0]["metric"]["name"] == "lotsen_consumer_lag", (
        f"{name} does not scale on lag"
    )
    (expression,) = lag[0]["metric"]["selector"]["matchExpressions"]
    assert (expression["key"], expression["operator"]) == ("group", "In")
    assert set(expression["values"]) == set(CONSUMERS[name]), f"{name}'s lag metric names the wrong groups"
    partitions = {
        t["spec"]["topicName"]: t["spec"]["partitions"] for t in objects(rendered, "KafkaTopic").values()
    }
    fewest = min(partitions[topic] for read in CONSUMERS[name].values() for topic in read)
    assert autoscaler["maxReplicas"] <= fewest, f"{name} may scale past the {fewest} partitions it shares"


def test_every_pod_runs_as_non_root_read_only_without_escalation(rendered: list[Manifest]) -> None:
    for name, deployment in objects(rendered, "Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] > 0
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert pod["automountServiceAccountToken"] is False, f"{name} mounts an API token it never uses"
        security = container(deployment)["securityContext"]
        assert security["allowPrivilegeEscalation"] is False, name
        assert security["readOnlyRootFilesystem"] is True, name
        assert security["capabilities"] == {"drop": ["ALL"]}, name


def test_settings_are_variables_the_services_read(rendered: list[Manifest]) -> None:
    settings = objects(rendered, "ConfigMap")["lotsen-settings"]["data"]
    read = set().union(*(env_names(settings_cls) for settings_cls, _ in SERVICES.values()))
    assert set(settings) <= read, f"no service reads {sorted(set(settings) - read)}"
    assert settings["LOTSEN_ENV"] == "production"
    for name in SERVICES:
        variables = [e["name"] for e in container(objects(rendered, "Deployment")[name])["env"]]
        unknown = set(variables) - env_names(SERVICES[name][0])
        assert not unknown, f"{name} does not read {sorted(unknown)}"
        assert "LOTSEN_JWT_SECRET" in variables and "MONGODB_URL" in variables, name


def test_secrets_come_only_from_secret_objects_and_ship_as_placeholders(rendered: list[Manifest]) -> None:
    assert not objects(rendered, "Secret"), "the kustomization ships a Secret: create them instead"
    settings = objects(rendered, "ConfigMap")["lotsen-settings"]["data"]
    assert not SECRET_VARIABLES & set(settings), "a secret is in the ConfigMap"
    example = {
        doc["metadata"]["name"]: doc["stringData"] for doc in yaml.safe_load_all(SECRETS_EXAMPLE.read_text())
    }
    for name, values in example.items():
        for key, value in values.items():
            assert "CHANGE-ME" in value, f"{name}.{key} is not a marked placeholder"
            assert not any(demo in value for demo in DEMO_SECRETS), f"{name}.{key} is a demo secret"
    assert len(example["lotsen-secrets"]["LOTSEN_JWT_SECRET"]) < 32, "the JWT placeholder would be accepted"
    mongodb = objects(rendered, "MongoDBCommunity")["lotsen-mongodb"]["spec"]["users"][0]
    provided = {(name, key) for name, values in example.items() for key in values}
    provided.add((mongodb["connectionStringSecretName"], "connectionString.standard"))
    for deployment in objects(rendered, "Deployment").values():
        for variable in container(deployment).get("env", []):
            assert variable["name"] in SECRET_VARIABLES, f"{variable['name']} belongs in the ConfigMap"
            ref = variable["valueFrom"]["secretKeyRef"]
            assert (ref["name"], ref["key"]) in provided, f"nothing provides the secret {ref}"


def test_only_the_gateway_and_intakes_smtp_are_reachable_from_outside(rendered: list[Manifest]) -> None:
    services = objects(rendered, "Service")
    exposed = {
        n: s["spec"]["ports"]
        for n, s in services.items()
        if s["spec"].get("type", "ClusterIP") != "ClusterIP"
    }
    assert list(exposed) == ["intake-smtp"] and [p["targetPort"] for p in exposed["intake-smtp"]] == ["smtp"]
    assert services["intake-smtp"]["spec"]["loadBalancerSourceRanges"], "SMTP is open to the whole internet"
    backends = {
        path["backend"]["service"]["name"]
        for ingress in objects(rendered, "Ingress").values()
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert backends == {"gateway"}
    policies = objects(rendered, "NetworkPolicy")
    assert policies["default-deny-ingress"]["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    from_outside = set()
    for name, policy in policies.items():
        for rule in policy["spec"].get("ingress", []):
            for peer in rule["from"]:
                origin = (
                    "internet" if "ipBlock" in peer else "namespace" if "namespaceSelector" in peer else None
                )
                if origin:
                    from_outside |= {(name, origin, port["port"]) for port in rule["ports"]}
    assert from_outside == {
        ("gateway-from-ingress-controller", "namespace", "http"),
        ("intake-smtp-from-outside", "internet", "smtp"),
        ("services-from-prometheus", "namespace", "http"),
    }
    assert policies["intake-smtp-from-outside"]["spec"]["podSelector"] == {
        "matchLabels": {"app.kubernetes.io/name": "intake"}
    }


def test_every_topic_has_a_kafka_topic_with_its_dead_letter_topic(rendered: list[Manifest]) -> None:
    kafka_topics = objects(rendered, "KafkaTopic")
    assert {t["spec"]["topicName"] for t in kafka_topics.values()} == set(topics.ALL_TOPICS)
    brokers = objects(rendered, "KafkaNodePool")["brokers"]["spec"]
    ttl_days = float(
        objects(rendered, "ConfigMap")["lotsen-settings"]["data"]["LOTSEN_PROCESSED_EVENTS_TTL_DAYS"]
    )
    for topic in kafka_topics.values():
        spec, name = topic["spec"], topic["metadata"]["name"]
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == "lotsen", name
        assert isinstance(spec["partitions"], int) and spec["partitions"] >= 1, name
        assert 2 <= spec["config"]["min.insync.replicas"] < spec["replicas"] <= brokers["replicas"], name
        if name in topics.SOURCE_TOPICS:
            assert spec["config"]["retention.ms"] < ttl_days * 86_400_000, (
                f"{name} outlives the event-id memory"
            )


def test_kafka_and_mongodb_are_the_clusters_the_services_are_pointed_at(rendered: list[Manifest]) -> None:
    kafka = objects(rendered, "Kafka")["lotsen"]["spec"]
    assert kafka["entityOperator"]["topicOperator"] == {}, "no topic operator creates the KafkaTopics"
    assert kafka["kafka"]["config"]["auto.create.topics.enable"] is False
    (listener,) = [item for item in kafka["kafka"]["listeners"] if item["type"] == "internal"]
    settings = objects(rendered, "ConfigMap")["lotsen-settings"]["data"]
    assert settings["KAFKA_BOOTSTRAP_SERVERS"] == f"lotsen-kafka-bootstrap:{listener['port']}"
    pool = objects(rendered, "KafkaNodePool")["brokers"]
    assert pool["metadata"]["labels"]["strimzi.io/cluster"] == "lotsen"
    assert set(pool["spec"]["roles"]) == {"controller", "broker"} and pool["spec"]["replicas"] >= 3
    mongodb = objects(rendered, "MongoDBCommunity")["lotsen-mongodb"]["spec"]
    assert mongodb["type"] == "ReplicaSet" and mongodb["members"] >= 3
    assert re.fullmatch(r"\d+\.\d+\.\d+", mongodb["version"])
    assert mongodb["security"]["authentication"]["modes"] == ["SCRAM"]
    for user in mongodb["users"]:
        assert {"name", "db", "passwordSecretRef", "roles", "scramCredentialsSecretName"} <= set(user)


def caddy_routes(text: str) -> dict[str, tuple[str, str]]:
    """``@matcher path ...`` lines with the ``reverse_proxy`` that handles them."""
    paths = dict(re.findall(r"@(\w+) path ([^\n]+)", text))
    upstreams = dict(re.findall(r"handle @(\w+) \{\s*reverse_proxy (\S+)", text))
    return {name: (paths[name], upstreams[name]) for name in upstreams}


def test_the_gateway_routes_as_the_compose_gateway_does(rendered: list[Manifest]) -> None:
    caddyfile = objects(rendered, "ConfigMap")["lotsen-gateway-caddyfile"]["data"]["Caddyfile"]
    assert caddy_routes(caddyfile) == caddy_routes(CADDYFILE.read_text(encoding="utf-8"))
    assert set(caddy_routes(caddyfile)) == set(SERVICES)
    gateway = container(objects(rendered, "Deployment")["gateway"])
    for port in gateway["ports"]:
        assert f":{port['containerPort']} {{" in caddyfile, f"Caddy does not listen on {port}"
    assert "trusted_proxies static private_ranges" in caddyfile, "the citizen's address would be lost"


def test_the_renderer_refuses_kustomize_features_it_does_not_render(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text(
        "resources: [../base]\nconfigMapGenerator:\n  - name: extra\n    literals: [A=1]\n", encoding="utf-8"
    )
    with pytest.raises(UnsupportedKustomization, match="configMapGenerator"):
        build(tmp_path)


def selected_pods(rendered: list[Manifest], selector: dict[str, Any]) -> list[Manifest]:
    """The Deployments whose pods a label selector (matchLabels, matchExpressions with In) selects."""
    selected = []
    for deployment in objects(rendered, "Deployment").values():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        if all(labels.get(key) == value for key, value in selector.get("matchLabels", {}).items()) and all(
            labels.get(e["key"]) in e["values"] for e in selector.get("matchExpressions", [])
        ):
            selected.append(deployment)
    return selected


def test_every_named_port_is_a_port_of_the_pods_selected(rendered: list[Manifest]) -> None:
    uses = [
        (f"Service/{name}", {"matchLabels": service["spec"]["selector"]}, port["targetPort"])
        for name, service in objects(rendered, "Service").items()
        for port in service["spec"]["ports"]
    ] + [
        (f"NetworkPolicy/{name}", policy["spec"]["podSelector"], port["port"])
        for name, policy in objects(rendered, "NetworkPolicy").items()
        for rule in policy["spec"].get("ingress", [])
        for port in rule.get("ports", [])
        if isinstance(port["port"], str)
    ]
    for user, selector, port in uses:
        pods = selected_pods(rendered, selector)
        assert pods, f"{user} selects no pods"
        for deployment in pods:
            names = {
                p["name"] for c in deployment["spec"]["template"]["spec"]["containers"] for p in c["ports"]
            }
            assert port in names, f"{user} uses port {port!r}, which {deployment['metadata']['name']} lacks"
