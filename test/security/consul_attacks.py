"""Attacks on the mesh's registrations in Consul, through the agent's HTTP API (urllib, no client library).

The agent runs with ACLs on, default deny, as a deployment's does (README, "Consul ACLs"): each
service has a token that may register (and deregister) its own name only and read the catalog, the
`consul:///` resolver a read-only one, and no token may do nothing. The mesh registered itself there
with those tokens. An attacker holding one service's token (or none) tries to put an instance of
its own under `emotion`'s name, where callers resolving `consul:///emotion` would find it; to take
over the ID of emotion's real instance under its own name; to register straight into the catalog;
and to deregister emotion. Each must be refused (403) and write nothing: emotion's entries, in the
agent and in the catalog, are the same afterwards, and no entry under the rogue's ID appears. A
control shows that emotion's own token does register emotion (a throwaway ID, with a TTL check that
stays critical, so nothing resolving passing instances ever picks it), so that the refusals are not
an agent refusing everything; then the catalog of every mesh service is compared with what it held
before the attacks.

    MESH_CONSUL_ADDR=127.0.0.1:8500 \\
    MESH_CONSUL_TOKENS='{"services": {"emotion": "<SecretID>", ...}, "resolver": "<SecretID>"}'

MESH_CONSUL_ADDR is the agent's HTTP API (`host:port` or an http URL, as CONSUL_HTTP_ADDR);
MESH_CONSUL_TOKENS the tokens `npm run consul:provision` made, in the shape of its MeshConsulTokens
(every service's SecretID by name, and the resolver's). Reads use the resolver's token.
"""

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import cast

REQUEST_TIMEOUT_S = 10.0
# How long a registration the agent accepted may take to reach the catalog (anti-entropy: at once, in practice).
CATALOG_SYNC_WAIT_S = 10.0
VICTIM = "emotion"
# The attackers' tokens: a service the policy lets register only "notifier", another only "scoring".
ATTACKER = "notifier"
OTHER_SERVICE = "scoring"
# Where a rogue instance would send emotion's callers: the attacker's address (port 9, discard, nothing answers).
ROGUE_ADDRESS = "127.0.0.1"
ROGUE_PORT = 9

# Consul's refusal: `Permission denied: token with AccessorID '…' lacks permission 'service:write' on "emotion"`.
PERMISSION_DENIED = re.compile(r"lacks permission '(?P<permission>[^']+)' on \"(?P<on>[^\"]*)\"")

Record = Callable[[str, str, str, str, bool], None]
"""The suite's `record(attack, rpc, expected, got, passed)`."""

# An entry as compared before and after: every field of it, with Consul's ModifyIndex (a write to it changes that).
Entry = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ConsulSettings:
    addr: str
    services: Mapping[str, str]
    resolver: str

    @staticmethod
    def parse(addr: str, tokens_json: str) -> "ConsulSettings":
        """From MESH_CONSUL_ADDR and MESH_CONSUL_TOKENS (see the module's docstring)."""
        value = json.loads(tokens_json)
        if not isinstance(value, dict) or not isinstance(value.get("services"), dict) or not isinstance(value.get("resolver"), str):
            raise SystemExit('MESH_CONSUL_TOKENS is not {"services": {name: token}, "resolver": token}')
        services = {str(name): str(token) for name, token in cast("dict[object, object]", value["services"]).items()}
        return ConsulSettings(addr=addr if "://" in addr else f"http://{addr}", services=services, resolver=str(value["resolver"]))


@dataclass(frozen=True)
class Reply:
    status: int
    body: str

    def json(self) -> object:
        return json.loads(self.body) if self.body else None

    def describe(self) -> str:
        """`403 (lacks service:write on "emotion")` from Consul's `Permission denied: ... lacks permission 'service:write' on "emotion"`."""
        text = self.body.strip()
        denied = PERMISSION_DENIED.search(text)
        if denied:
            return f'{self.status} (lacks {denied["permission"]} on "{denied["on"]}")'
        return f"{self.status} ({text[:120]})" if text else str(self.status)


class ConsulApi:
    """The agent's HTTP API: each request with the token given (None: the anonymous token)."""

    def __init__(self, settings: ConsulSettings) -> None:
        self.settings = settings

    def request(self, method: str, path: str, token: str | None, body: object = None) -> Reply:
        data = None if body is None else json.dumps(body).encode()
        headers = {} if token is None else {"X-Consul-Token": token}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(f"{self.settings.addr}/v1{path}", data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_S) as response:
                return Reply(int(response.status), response.read().decode())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode(errors="replace"))

    def read(self, path: str) -> object:
        """A GET with the resolver's read-only token; raises when Consul does not answer 200."""
        reply = self.request("GET", path, self.settings.resolver)
        if reply.status != 200:
            raise RuntimeError(f"GET /v1{path}: {reply.describe()}")
        return reply.json()

    def catalog(self, service: str) -> list[Entry]:
        """The catalog's entries of `service`, each every field it has (ModifyIndex among them), sorted."""
        entries = cast("list[dict[str, object]]", self.read(f"/catalog/service/{urllib.parse.quote(service)}"))
        return sorted(flatten(entry) for entry in entries)

    def agent_services(self) -> dict[str, Entry]:
        """The agent's own registrations (its local state, written at once by a registration), by ID."""
        services = cast("dict[str, dict[str, object]]", self.read("/agent/services"))
        return {service_id: flatten(service) for service_id, service in services.items()}

    def passing(self, service: str) -> list[str]:
        """IDs of the passing instances of `service`."""
        entries = cast("list[dict[str, dict[str, object]]]", self.read(f"/health/service/{urllib.parse.quote(service)}?passing=true"))
        return sorted(str(entry["Service"]["ID"]) for entry in entries)


def flatten(entry: Mapping[str, object]) -> Entry:
    """Every field of a Consul object, values as canonical JSON: comparable and hashable."""
    return tuple(sorted((key, json.dumps(value, sort_keys=True)) for key, value in entry.items()))


def field(entry: Entry, name: str) -> str:
    """One field of a flattened entry, as the string it was (JSON decoded), "" when absent."""
    for key, value in entry:
        if key == name:
            decoded = json.loads(value)
            return decoded if isinstance(decoded, str) else str(decoded)
    return ""


@dataclass(frozen=True)
class Victim:
    """Emotion as the mesh registered it: its catalog entries and the agent's registrations of it."""

    catalog: list[Entry]
    agent: dict[str, Entry]

    def describe(self) -> str:
        ids = ", ".join(field(entry, "ServiceID") for entry in self.catalog)
        return f"{len(self.catalog)} catalog entry ({ids})" if len(self.catalog) == 1 else f"{len(self.catalog)} catalog entries ({ids})"


class ConsulAttacks:
    def __init__(self, settings: ConsulSettings, record: Record) -> None:
        self.settings = settings
        self.api = ConsulApi(settings)
        self.record = record
        missing = {VICTIM, ATTACKER, OTHER_SERVICE} - set(settings.services)
        if missing:
            raise RuntimeError(f"MESH_CONSUL_TOKENS has no token for {', '.join(sorted(missing))}")

    def victim(self) -> Victim:
        agent = {service_id: entry for service_id, entry in self.api.agent_services().items() if field(entry, "Service") == VICTIM}
        return Victim(self.api.catalog(VICTIM), agent)

    def everything(self) -> dict[str, list[Entry]]:
        """The catalog's entries of every service of the mesh, and the agent's registrations (under "(agent)")."""
        state = {service: self.api.catalog(service) for service in sorted(self.settings.services)}
        state["(agent)"] = sorted(self.api.agent_services().values())
        return state

    def run(self) -> None:
        before = self.everything()
        victim = self.victim()
        if not victim.catalog or len(victim.agent) != len(victim.catalog):
            raise RuntimeError(f"{VICTIM} is not registered as the attacks need it: {victim.describe()}, {len(victim.agent)} in the agent")
        instance = field(victim.catalog[0], "ServiceID")
        node = field(victim.catalog[0], "Node")
        own, attacker, other = self.settings.services[VICTIM], self.settings.services[ATTACKER], self.settings.services[OTHER_SERVICE]

        def rogue(name: str = VICTIM, service_id: str | None = None) -> dict[str, object]:
            # No check: an instance without checks counts as passing, what a resolver would hand out at once.
            return {"ID": service_id or f"{VICTIM}-rogue-{uuid.uuid4().hex[:8]}", "Name": name, "Address": ROGUE_ADDRESS, "Port": ROGUE_PORT}

        register = "PUT /v1/agent/service/register"
        self.refused_write(f"rogue registration as {VICTIM} with {ATTACKER}'s token", register, token=attacker, body=rogue())
        self.refused_write(f"rogue registration as {VICTIM} with no token (anonymous)", register, token=None, body=rogue())
        self.refused_write("rogue registration with the resolver's read-only token", register, token=self.settings.resolver, body=rogue())
        self.refused_write(
            f"{ATTACKER}'s token taking over {VICTIM}'s instance ID (registering it as {ATTACKER})",
            register,
            token=attacker,
            body=rogue(ATTACKER, instance),
        )
        # The catalog's shape: the node (the agent's, where emotion is), and the service under "Service".
        entry = rogue()
        name = entry.pop("Name")
        catalog_entry: dict[str, object] = {"Node": node, "Address": ROGUE_ADDRESS, "Service": {**entry, "Service": name}}
        self.refused_write(
            f"rogue catalog registration as {VICTIM} with {ATTACKER}'s token",
            "PUT /v1/catalog/register",
            token=attacker,
            body=catalog_entry,
            path="/catalog/register",
        )
        self.refused_deregistration(instance, other)
        self.control(own)
        self.unchanged(before)

    def refused_write(self, attack: str, rpc: str, *, token: str | None, body: Mapping[str, object], path: str = "/agent/service/register") -> None:
        """A registration that must be refused (403) and leave emotion, in the agent and the catalog, as it was, the rogue ID nowhere."""
        victim = self.victim()
        expected = f"403; {VICTIM}'s entries unchanged, the rogue ID nowhere"
        service = body.get("Service", body)
        rogue_id = str(cast("dict[str, object]", service)["ID"])
        reply = self.api.request("PUT", path, token, body)
        after = self.victim()
        agent = self.api.agent_services()
        in_catalog = any(field(entry, "ServiceID") == rogue_id for entry in after.catalog)
        leaks = [where for where, found in (("agent", rogue_id in agent), ("catalog", in_catalog)) if found]
        # The rogue ID of the takeover is emotion's own: there, "nowhere" means not under another name.
        if rogue_id in victim.agent:
            leaks = [] if agent.get(rogue_id) == victim.agent[rogue_id] else ["agent (the instance rewritten)"]
        same = after == victim
        got = f"{reply.describe()}; {VICTIM}: {after.describe()}, " + ("unchanged" if same else "CHANGED")
        if leaks:
            got += f"; the rogue ID in the {' and the '.join(leaks)}"
        self.record(attack, rpc, expected, got, reply.status == 403 and same and not leaks)

    def refused_deregistration(self, instance: str, token: str) -> None:
        attack, rpc = f"deregistering {VICTIM} with another service's token", "PUT /v1/agent/service/deregister/:id"
        expected = f"403; {VICTIM}'s instance still registered and passing"
        victim = self.victim()
        reply = self.api.request("PUT", f"/agent/service/deregister/{urllib.parse.quote(instance)}", token)
        after = self.victim()
        passing = self.api.passing(VICTIM)
        got = f"{reply.describe()} ({OTHER_SERVICE}'s token); {VICTIM}: {after.describe()}, " + ("unchanged" if after == victim else "CHANGED")
        got += f", passing: {', '.join(passing) or 'none'}"
        self.record(attack, rpc, expected, got, reply.status == 403 and after == victim and instance in passing)

    def control(self, own: str) -> None:
        """Emotion's own token registers an instance of emotion (allowed), which reaches the catalog; deregistered, it leaves it."""
        attack, rpc = f"control: {VICTIM}'s own token registers {VICTIM}", "PUT /v1/agent/service/register, deregister"
        expected = "200, in the agent and the catalog; deregistered: 200, gone"
        control_id = f"{VICTIM}-security-control-{uuid.uuid4().hex[:8]}"
        # A TTL check that stays critical: never a passing instance, which a resolver could hand out.
        check = {"Name": "security suite control", "TTL": "10m", "Status": "critical", "DeregisterCriticalServiceAfter": "1m"}
        body = {"ID": control_id, "Name": VICTIM, "Address": ROGUE_ADDRESS, "Port": ROGUE_PORT, "Check": check}
        registered = self.api.request("PUT", "/agent/service/register", own, body)
        in_agent = control_id in self.api.agent_services()
        synced_s = self.wait_for_catalog(control_id, present=True)
        deregistered = self.api.request("PUT", f"/agent/service/deregister/{urllib.parse.quote(control_id)}", own)
        still_in_agent = control_id in self.api.agent_services()
        gone_s = self.wait_for_catalog(control_id, present=False)
        got = f"{registered.describe()}, " + ("in the agent" if in_agent else "NOT in the agent")
        got += f", in the catalog after {synced_s:.2f} s" if synced_s is not None else f", NOT in the catalog after {CATALOG_SYNC_WAIT_S:.0f} s"
        got += f"; deregistered: {deregistered.describe()}, " + ("STILL in the agent" if still_in_agent else "gone from the agent")
        got += f", from the catalog after {gone_s:.2f} s" if gone_s is not None else f", STILL in the catalog after {CATALOG_SYNC_WAIT_S:.0f} s"
        passed = registered.status == 200 and in_agent and synced_s is not None and deregistered.status == 200 and not still_in_agent and gone_s is not None
        self.record(attack, rpc, expected, got, passed)

    def wait_for_catalog(self, service_id: str, present: bool) -> float | None:
        """Seconds until the catalog lists `service_id` under emotion (or no longer does), None when it did not within the wait."""
        started = time.monotonic()
        while True:
            listed = any(field(entry, "ServiceID") == service_id for entry in self.api.catalog(VICTIM))
            waited = time.monotonic() - started
            if listed == present:
                return waited
            if waited > CATALOG_SYNC_WAIT_S:
                return None
            time.sleep(0.05)

    def unchanged(self, before: dict[str, list[Entry]]) -> None:
        """After the refused calls and the control (which reached the catalog, so a rogue registration would have too): as before."""
        after = self.everything()
        changed = [name for name in before if before[name] != after.get(name)]
        entries = sum(len(before[name]) for name in before if name != "(agent)")
        got = (
            f"changed: {', '.join(changed)}"
            if changed
            else f"unchanged ({entries} entries of {len(before) - 1} services, {len(before['(agent)'])} in the agent)"
        )
        self.record(
            "Consul catalog unchanged by refused calls: every mesh service",
            "(Consul catalog)",
            "every entry of every mesh service as before, fields and ModifyIndex",
            got,
            not changed,
        )
