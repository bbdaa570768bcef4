"""The production deployment description (deploy/), checked by parsing: no Docker engine is needed.

The environment given to each service in ``deploy/compose.yaml`` is compared with what that
service's settings class actually reads, derived from its pydantic fields, so a misspelt
variable (which pydantic-settings would silently ignore) fails here.
"""

from __future__ import annotations

import ipaddress
import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import AliasChoices

from lotsen.settings import DEMO_SECRETS, ServiceSettings
from services.casestore.settings import CasestoreSettings
from services.intake.settings import IntakeSettings
from services.notify.settings import NotifySettings
from services.routing.settings import RoutingSettings
from services.stats.settings import StatsSettings

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
ENV_EXAMPLE = DEPLOY / ".env.example"
DOCKERFILE = DEPLOY / "Dockerfile"
CADDYFILE = DEPLOY / "gateway" / "Caddyfile"

# DESIGN §4: the port of every service.
SERVICES: dict[str, tuple[type[ServiceSettings], int]] = {
    "intake": (IntakeSettings, 8001),
    "routing": (RoutingSettings, 8002),
    "casestore": (CasestoreSettings, 8003),
    "notify": (NotifySettings, 8004),
    "stats": (StatsSettings, 8005),
}

VARIABLE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "compose.yaml must be a mapping"
    return data


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    return parse_env_file(ENV_EXAMPLE.read_text(encoding="utf-8"))


def parse_env_file(text: str) -> dict[str, str]:
    """KEY=VALUE lines as Compose reads them (single quotes literal, double quotes stripped)."""
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f".env.example line {number} is not KEY=VALUE: {raw!r}"
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def env_names(settings_cls: type[ServiceSettings]) -> set[str]:
    """Every environment variable ``settings_cls`` reads, derived from its fields.

    A field with a validation alias is read under that alias; any other field under the env
    prefix plus the field name. Names are upper-cased when the settings are case-insensitive.
    """
    config = settings_cls.model_config
    prefix = config.get("env_prefix", "")
    sensitive = config.get("case_sensitive", False)
    names: set[str] = set()
    for name, field in settings_cls.model_fields.items():
        alias = field.validation_alias if field.validation_alias is not None else field.alias
        if isinstance(alias, str):
            names.add(alias)
        elif isinstance(alias, AliasChoices):
            names.update(choice for choice in alias.choices if isinstance(choice, str))
        else:
            names.add(f"{prefix}{name}")
    return names if sensitive else {n.upper() for n in names}


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = [item.partition("=") for item in env]
        return {key: value for key, _, value in pairs}
    return {str(key): "" if value is None else str(value) for key, value in env.items()}


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's ``${VAR}``, ``${VAR:-default}`` and ``${VAR:?error}`` against ``variables``."""

    def replace(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        present = name in variables and (variables[name] != "" or op in (None, "-", "?"))
        if present:
            return variables[name]
        if op in (":?", "?"):
            raise AssertionError(f"${{{name}}} is required by compose.yaml but missing: {arg}")
        return arg or ""

    return VARIABLE.sub(replace, value.replace("$$", "\0")).replace("\0", "$")


def command_args(service: dict[str, Any]) -> list[str]:
    command = service.get("command")
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command or []]


def test_compose_has_the_infrastructure_and_every_service(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in ("kafka", "mongo", "topics", *SERVICES):
        assert name in services, f"compose.yaml has no service {name!r}"
    assert services["kafka"]["image"].startswith("apache/kafka")
    assert services["mongo"]["image"].startswith("mongo:8")
    assert "--replSet" in command_args(services["mongo"])
    assert "rs.initiate" in json.dumps(services["mongo"]["healthcheck"])


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_runs_its_module(compose: dict[str, Any], name: str) -> None:
    args = command_args(compose["services"][name])
    assert args[-2:] == ["-m", f"services.{name}"], f"{name} runs {args}"
    assert args[0].startswith("python")


def test_every_lotsen_container_uses_the_one_image(compose: dict[str, Any]) -> None:
    services = compose["services"]
    images = {services[name]["image"] for name in (*SERVICES, "topics")}
    assert len(images) == 1, f"the services use different images: {images}"
    build = services["intake"]["build"]
    assert (COMPOSE.parent / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE.resolve()


def port_bindings(service: dict[str, Any]) -> list[tuple[str, int, int]]:
    """(host address, host port, container port) of each ``ports`` entry; ``0.0.0.0`` when the entry
    names no address (Docker then listens on every interface of the host)."""
    result = []
    for entry in service.get("ports", []):
        if isinstance(entry, dict):
            result.append(
                (str(entry.get("host_ip") or "0.0.0.0"), int(entry["published"]), int(entry["target"]))
            )
            continue
        parts = str(entry).split("/")[0].split(":")
        assert len(parts) >= 2, f"port {entry!r} is not published on the host"
        address = ":".join(parts[:-2]) or "0.0.0.0"
        result.append((address, int(parts[-2]), int(parts[-1])))
    return result


# What the host publishes to the world: the gateway (HTTP, HTTPS, HTTP/3) and intake's SMTP listener.
PUBLIC = {("gateway", 80), ("gateway", 443), ("intake", 2525)}


@pytest.mark.parametrize(("name", "port"), [(n, p) for n, (_, p) in SERVICES.items()])
def test_each_service_is_reached_only_through_the_gateway(
    compose: dict[str, Any], name: str, port: int
) -> None:
    settings_cls = SERVICES[name][0]
    assert settings_cls.model_fields["port"].default == port, f"{settings_cls.__name__}.port != DESIGN §4"
    published = [
        (address, host)
        for address, host, target in port_bindings(compose["services"][name])
        if target == port
    ]
    assert all(address == "127.0.0.1" for address, _ in published), f"{name} publishes its API on {published}"
    assert f"{name}:{port}" in CADDYFILE.read_text(encoding="utf-8"), f"the gateway does not proxy to {name}"


def test_only_the_gateway_and_smtp_are_published_beyond_the_host(compose: dict[str, Any]) -> None:
    public = {
        (name, target)
        for name, service in compose["services"].items()
        for address, _, target in port_bindings(service)
        if address not in ("127.0.0.1", "::1")
    }
    assert public == PUBLIC, f"published on every interface: {sorted(public)}, expected {sorted(PUBLIC)}"
    intake_smtp = IntakeSettings.model_fields["smtp_port"].default
    assert ("0.0.0.0", intake_smtp, intake_smtp) in port_bindings(compose["services"]["intake"])
    gateway = compose["services"]["gateway"]
    mounts = [str(volume).split(":")[:2] for volume in gateway["volumes"]]
    assert ["./gateway/Caddyfile", "/etc/caddy/Caddyfile"] in mounts
    assert (COMPOSE.parent / "gateway" / "Caddyfile").resolve() == CADDYFILE.resolve()


@pytest.mark.parametrize("variables", ["defaults", ".env.example"])
def test_forwarded_addresses_are_believed_from_the_gateway_alone(
    compose: dict[str, Any], env_example: dict[str, str], variables: str
) -> None:
    """Behind the gateway every request comes from it: without its X-Forwarded-For the web forms'
    and the status page's rate limits would count all citizens as one; with any other proxy trusted,
    a citizen could choose their own address."""
    given = {} if variables == "defaults" else env_example
    services = compose["services"]
    gateway_address = interpolate(services["gateway"]["networks"]["default"]["ipv4_address"], given)
    subnet = interpolate(compose["networks"]["default"]["ipam"]["config"][0]["subnet"], given)
    assert ipaddress.ip_address(gateway_address) in ipaddress.ip_network(subnet)
    readers = [name for name, (cls, _) in SERVICES.items() if "trusted_proxies" in cls.model_fields]
    assert {"intake", "casestore"} <= set(readers)
    for name in readers:
        variable = f"{name.upper()}_TRUSTED_PROXIES"
        value = environment(services[name]).get(variable)
        assert value is not None, f"{name} trusts no proxy: set {variable} to the gateway"
        assert json.loads(interpolate(value, given)) == [gateway_address], f"{name}: {value}"


@pytest.mark.parametrize("name", SERVICES)
def test_every_environment_variable_is_a_setting(compose: dict[str, Any], name: str) -> None:
    settings_cls = SERVICES[name][0]
    known = env_names(settings_cls)
    given = environment(compose["services"][name])
    assert given, f"{name} gets no environment"
    unknown = sorted(set(given) - known)
    assert not unknown, f"{name}: {unknown} are not read by {settings_cls.__name__} (known: {sorted(known)})"


def test_env_names_follow_prefix_and_aliases() -> None:
    names = env_names(NotifySettings)
    assert {"NOTIFY_PORT", "NOTIFY_HOST", "KAFKA_BOOTSTRAP_SERVERS", "LOTSEN_JWT_SECRET"} <= names
    assert "NOTIFY_KAFKA_BOOTSTRAP_SERVERS" not in names
    assert "NOTIFY_ENV" not in names


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_is_wired_for_production(compose: dict[str, Any], name: str) -> None:
    service = compose["services"][name]
    env = environment(service)
    assert env["LOTSEN_ENV"] == "production"
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert env["MONGODB_URL"].startswith("mongodb://"), "a real MongoDB, not the in-memory stand-in"
    assert "mongo:27017" in env["MONGODB_URL"] and "replicaSet=rs0" in env["MONGODB_URL"]
    assert env["KAFKA_ENABLE_IDEMPOTENCE"].lower() == "true"
    for secret in ("LOTSEN_JWT_SECRET", "LOTSEN_CONNECTOR_KEYS", "LOTSEN_SERVICE_KEY"):
        assert re.fullmatch(rf"\$\{{{secret}:\?.+\}}", env[secret]), f"{name}: {secret} must be required"
    depends = service["depends_on"]
    assert depends["kafka"]["condition"] == "service_healthy"
    assert depends["mongo"]["condition"] == "service_healthy"
    assert depends["topics"]["condition"] == "service_completed_successfully"
    port = SERVICES[name][1]
    assert f"127.0.0.1:{port}/healthz" in json.dumps(service["healthcheck"]["test"])


@pytest.mark.parametrize("name", SERVICES)
def test_settings_accept_the_example_environment(
    compose: dict[str, Any], env_example: dict[str, str], monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """The compose environment, interpolated with .env.example, makes valid production settings."""
    settings_cls, port = SERVICES[name]
    for variable in env_names(settings_cls):
        monkeypatch.delenv(variable, raising=False)
    for key, value in environment(compose["services"][name]).items():
        monkeypatch.setenv(key, interpolate(value, env_example))
    monkeypatch.setenv(f"{name.upper()}_HOST", "0.0.0.0")  # set by the Dockerfile
    settings = settings_cls()
    assert settings.env == "production" and not settings.dev_mode
    assert settings.port == port
    assert settings.kafka_enable_idempotence is True
    assert settings.connector_keys and all(isinstance(key, str) for key in settings.connector_keys)
    if "trusted_proxies" in settings_cls.model_fields:
        assert settings.trusted_proxies == [env_example["LOTSEN_GATEWAY_ADDRESS"]]


def test_env_example_defines_every_variable_compose_uses(env_example: dict[str, str]) -> None:
    used = {match["name"] for match in VARIABLE.finditer(COMPOSE.read_text(encoding="utf-8"))}
    missing = sorted(used - set(env_example))
    assert not missing, f".env.example lacks {missing}"


def test_connector_keys_example_is_a_json_array(env_example: dict[str, str]) -> None:
    keys = json.loads(env_example["LOTSEN_CONNECTOR_KEYS"])
    assert isinstance(keys, list) and keys and all(isinstance(key, str) for key in keys)


@pytest.mark.parametrize("path", [COMPOSE, ENV_EXAMPLE], ids=lambda p: p.name)
def test_no_demo_secret_is_shipped(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    leaked = sorted(secret for secret in DEMO_SECRETS if secret in text)
    assert not leaked, f"{path.name} contains demo secrets {leaked}"


def test_dockerfile_binds_every_service_on_all_interfaces() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim\b", text, re.MULTILINE)
    users = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    assert users and users[-1].split(":")[0] not in ("root", "0"), "the image must not run as root"
    for name, (settings_cls, _) in SERVICES.items():
        variable = f"{name.upper()}_HOST"
        assert variable in env_names(settings_cls)
        assert re.search(rf"\b{variable}=0\.0\.0\.0\b", text), f"the Dockerfile does not set {variable}"
    assert re.search(r"\bINTAKE_SMTP_HOST=0\.0\.0\.0\b", text), "intake's SMTP listener must accept the MTA"
