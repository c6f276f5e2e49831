"""Forged events on the broker: the mesh's RabbitMQ vhost, attacked with its own users' credentials
through an AMQP client of the suite's own (pika).

Each service is a RabbitMQ user of its own (README, "Broker users"; `npm run broker:provision`): its
permissions let it publish only the routing keys it owns, bind only those it consumes and read only
its own queues, never through the default exchange; what it publishes carries its `user-id`, which
RabbitMQ checks against the connection's user; and a consumer parks, unhandled, an event whose
publisher is not the owner of its routing key (src/platform/bus/broker-identity.ts, amqp-bus.ts).

An attacker holding another service's credentials (notifier's, emotion's) tries to pass the victim's
interview for scored (a ScoreCalculated as the scoring service would send it, proto3 JSON with the
envelope AmqpBus.publish sets), to complete it, to route straight into the interview service's queue
by the default exchange or the retry exchange, to claim scoring's user-id, to read scoring's queue
and to bind its own queue to interview.scored: each refused by the broker, the channel closed with
403 ACCESS_REFUSED (406 PRECONDITION_FAILED for a user-id not the connection's own). The broker's
administrator, whom the broker lets publish anything, sends interview.scored without a user-id:
every consumer of it parks it in its dead-letter queue, with the reason, before its handler. A
control shows that scoring's own user publishes a routing key it owns and the interview service
handles it, so that the refusals are not a broker refusing everything. The tables are compared
around the attacks (Watch): nothing written, after a pause in which a forgery that got through would
have been handled, and its consequences (the scoring service's report, the notifier's e-mail)
written.

    MESH_AMQP_ADMIN_URL=amqp://admin:...@127.0.0.1:5672/<vhost> \\
    MESH_AMQP_URLS='{"interview": "amqp://<prefix>interview:...@127.0.0.1:5672/<vhost>", ...}'

MESH_AMQP_ADMIN_URL is the mesh's vhost as the broker's administrator; MESH_AMQP_URLS each service's
own URL there (`<SERVICE>_AMQP_URL`, as the mesh runs with them), by name.
"""

import json
import re
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import cast
from urllib.parse import unquote, urlsplit

import events_pb2
import integrity_pb2
import pika
from google.protobuf import json_format
from google.protobuf.message import Message
from pika.adapters.blocking_connection import BlockingChannel
from pika.exceptions import ChannelClosedByBroker, NackError, UnroutableError

from tables import Tables, Watch

# The mesh's exchanges and events (src/platform/bus/topology.ts, event-catalog.ts).
EXCHANGE = "interview.events"
RETRY_EXCHANGE = "interview.events.retry"
DEFAULT_EXCHANGE = ""
SCORED = "interview.scored"
COMPLETED = "interview.completed"
SCORING_FAILED = "interview.scoring.failed"
FLAGGED = "interview.integrity.flagged"
# The emotion service's queue of frames, which the integrity service's user has no business reading.
EMOTION_FRAMES_QUEUE = "emotion.analysis"
INTEGRITY = "integrity"
SCHEMA_VERSION = "v1"
# The queues bound to interview.scored, each with the schema of its consumer's inbox (the inbox is named after the queue).
SCORED_CONSUMERS = {"interview.scored": "interview", "notification.email": "notifier"}
# The interview service's queue of interview.scoring.failed (its inbox's name).
SCORING_FAILED_QUEUE = "interview.scoring-failed"
# The scoring service's queue of interview.completed.
SCORING_PROCESS_QUEUE = "scoring.process"
# AmqpBus's dead-letter header (src/platform/bus/event-bus.ts DEAD_LETTER_HEADERS).
DEAD_REASON_HEADER = "x-dead-reason"

# The owner of interview.scored and interview.scoring.failed, whom the forgeries pass for.
OWNER = "scoring"
ATTACKER = "notifier"
OTHER_ATTACKER = "emotion"
# How long a forgery the broker let through may take to be handled and to have its consequences written
# (a scoring service's report, then through its outbox, relayed every 250 ms, the notifier's e-mail).
SETTLE_S = 2.0
# How long a consumer may take to park a forgery, or to handle the control.
DELIVERY_WAIT_S = 10.0
# Dead letters read at most, per queue and look.
DEAD_LETTERS_READ = 100

Record = Callable[[str, str, str, str, bool], None]
"""The suite's `record(attack, rpc, expected, got, passed)`."""


@dataclass(frozen=True)
class BrokerSettings:
    admin_url: str
    urls: Mapping[str, str]

    @staticmethod
    def parse(admin_url: str, urls_json: str) -> "BrokerSettings":
        """From MESH_AMQP_ADMIN_URL and MESH_AMQP_URLS (see the module's docstring)."""
        value = json.loads(urls_json)
        if not isinstance(value, dict) or not all(isinstance(url, str) for url in cast("dict[object, object]", value).values()):
            raise SystemExit('MESH_AMQP_URLS is not {"service": "amqp://..."}')
        return BrokerSettings(admin_url=admin_url, urls={str(name): str(url) for name, url in cast("dict[object, str]", value).items()})

    def user(self, service: str) -> str:
        """The broker user of `service`: the one its URL names."""
        return unquote(urlsplit(self.urls[service]).username or "")


@dataclass(frozen=True)
class Target:
    """The victim's interview, which the forgeries name."""

    interview_id: str
    user_id: str


@dataclass(frozen=True)
class Outcome:
    """What the broker did with one operation: done (code 0, `text` saying what), or not: the channel closed with a reply code
    and text, or (code -1) a publish returned or nacked."""

    code: int
    text: str

    @property
    def done(self) -> bool:
        return self.code == 0


@dataclass(frozen=True)
class Parked:
    """A message read (not taken) from a dead-letter queue."""

    message_id: str
    user_id: str
    reason: str


def proto_json(message: Message) -> bytes:
    """The event's payload as the mesh encodes it: proto3 JSON with the proto's field names (event-catalog.ts encodeEvent)."""
    return json_format.MessageToJson(message, preserving_proto_field_name=True, indent=None).encode()


def envelope(event_type: str, correlation_id: str, user_id: str | None) -> pika.BasicProperties:
    """The properties AmqpBus.publish sets for a JSON event (every kind but interview.frame.captured, which travels as binary
    protobuf): persistent, application/json, a fresh message id, the type, the schema version and the time."""
    now_ms = int(time.time() * 1000)
    return pika.BasicProperties(
        content_type="application/json",
        delivery_mode=2,
        message_id=str(uuid.uuid4()),
        correlation_id=correlation_id,
        type=event_type,
        timestamp=now_ms // 1000,
        user_id=user_id,
        headers={"schema_version": SCHEMA_VERSION, "timestamp_ms": now_ms},
    )


def header_text(value: object) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


class Broker:
    """Connections to the mesh's vhost, one per operation, as a service's user or the administrator."""

    def __init__(self, settings: BrokerSettings) -> None:
        self.settings = settings

    def url(self, who: str) -> str:
        return self.settings.admin_url if who == "administrator" else self.settings.urls[who]

    @contextmanager
    def channel(self, who: str) -> Iterator[BlockingChannel]:
        connection = pika.BlockingConnection(pika.URLParameters(self.url(who)))
        try:
            yield connection.channel()
        finally:
            if connection.is_open:
                connection.close()

    def attempt(self, who: str, operation: Callable[[BlockingChannel], object], done: str) -> Outcome:
        """`operation` on a channel of `who`'s: `done`, or refused (the broker closed the channel: its reply code and text)."""
        with self.channel(who) as channel:
            try:
                operation(channel)
            except ChannelClosedByBroker as refusal:
                return Outcome(refusal.reply_code, refusal.reply_text)
            return Outcome(0, done)

    def publish(self, who: str, exchange: str, routing_key: str, body: bytes, properties: pika.BasicProperties) -> Outcome:
        """A publish with confirms and `mandatory`: done once the broker confirmed it routed to a queue."""

        def publish(channel: BlockingChannel) -> None:
            channel.confirm_delivery()
            channel.basic_publish(exchange, routing_key, body, properties, mandatory=True)

        try:
            return self.attempt(who, publish, "published: confirmed by the broker, routed to a queue")
        except UnroutableError:
            return Outcome(-1, "returned unroutable (confirmed, but no queue bound)")
        except NackError:
            return Outcome(-1, "nacked by the broker")

    def dead_letters(self, queue: str) -> list[Parked]:
        """The messages parked in `<queue>.dead`, read as the administrator and left there (never acknowledged)."""
        parked: list[Parked] = []
        with self.channel("administrator") as channel:
            for _ in range(DEAD_LETTERS_READ):
                _, properties, _ = channel.basic_get(f"{queue}.dead")
                if properties is None:
                    break
                headers = properties.headers or {}
                parked.append(Parked(properties.message_id or "", properties.user_id or "", header_text(headers.get(DEAD_REASON_HEADER, ""))))
        # Closing the channel returns every message read to its queue.
        return parked


class BrokerAttacks:
    def __init__(self, settings: BrokerSettings, record: Record, tables: Tables) -> None:
        self.settings = settings
        self.broker = Broker(settings)
        self.record = record
        self.tables = tables
        missing = {OWNER, ATTACKER, OTHER_ATTACKER, INTEGRITY} - set(settings.urls)
        if missing:
            raise RuntimeError(f"MESH_AMQP_URLS has no URL for {', '.join(sorted(missing))}")

    def describe(self, outcome: Outcome) -> str:
        """`403 ACCESS_REFUSED - access to topic 'interview.scored' in exchange 'interview.events' refused for notifier's user`."""
        if outcome.code <= 0:
            return outcome.text
        text = re.sub(r" in vhost '[^']*'", "", outcome.text)
        administrator = unquote(urlsplit(self.settings.admin_url).username or "")
        text = text.replace(f"user was '{administrator}'", "user was the administrator")
        for service in self.settings.urls:
            text = text.replace(f"user '{self.settings.user(service)}'", f"{service}'s user").replace(f"'{self.settings.user(service)}'", f"{service}'s user")
        return f"{outcome.code} {text}"

    def expect_refused(self, attack: str, rpc: str, outcome: Outcome, code: int, about: str) -> None:
        """The channel closed with `code`, for the reason `about` (the resource or the user-id refused): not any refusal."""
        name = {403: "ACCESS_REFUSED", 406: "PRECONDITION_FAILED"}[code]
        passed = outcome.code == code and outcome.text.startswith(name) and about in outcome.text
        self.record(attack, rpc, f"{code} {name} (channel closed)", self.describe(outcome), passed)

    def scored(self, target: Target, user_id: str | None) -> tuple[bytes, pika.BasicProperties]:
        """A ScoreCalculated for the victim's interview that looks finished, as the scoring service publishes it."""
        event = events_pb2.ScoreCalculated(
            session_id=target.interview_id,
            technical_score=96.5,
            communication_score=94.0,
            emotion_score=91.0,
            overall_score=94.4,
            user_id=target.user_id,
            feedback="Outstanding across the board: a clear hire.",
        )
        event.calculated_at.GetCurrentTime()
        return proto_json(event), envelope("interview.events.v1.ScoreCalculated", target.interview_id, user_id)

    def completed(self, target: Target, user_id: str) -> tuple[bytes, pika.BasicProperties]:
        """An InterviewCompleted for the victim's interview, no frames to wait for: what makes the scoring service score it."""
        event = events_pb2.InterviewCompleted(
            session_id=target.interview_id,
            user_id=target.user_id,
            total_duration=600,
            answer_count=1,
            total_questions=1,
            frames_sent=0,
            answers=[
                events_pb2.CompletedAnswer(
                    question_id="q1",
                    question="How would you design a service mesh?",
                    transcript="With mutual TLS and a user per service.",
                    category="technical",
                    duration_seconds=30,
                    confidence=0.9,
                )
            ],
        )
        event.started_at.GetCurrentTime()
        event.completed_at.GetCurrentTime()
        return proto_json(event), envelope("interview.events.v1.InterviewCompleted", target.interview_id, user_id)

    def flagged(self, target: Target, user_id: str) -> tuple[bytes, pika.BasicProperties]:
        """An IntegrityFlagged for the victim's interview (a phone in view, the risk at 0.9), as the integrity service publishes it."""
        event = events_pb2.IntegrityFlagged(session_id=target.interview_id, risk=0.9, verdict=integrity_pb2.VERDICT_FLAGGED)
        event.event.kind = integrity_pb2.EVENT_KIND_PHONE_IN_VIEW
        event.event.weight = 0.9
        event.event.risk_after = 0.9
        event.event.detail = "cell phone 0.99"
        event.flagged_at.GetCurrentTime()
        return proto_json(event), envelope("interview.events.v1.IntegrityFlagged", target.interview_id, user_id)

    def run(self, watch: Watch, target: Target) -> None:
        s, b = self.settings, self.broker
        attacker, other, scoring = s.user(ATTACKER), s.user(OTHER_ATTACKER), s.user(OWNER)
        publish = f"basic.publish {EXCHANGE}"
        topic_scored = f"topic '{SCORED}' in exchange '{EXCHANGE}'"
        with watch.around():
            body, properties = self.scored(target, attacker)
            self.expect_refused(
                f"forged {SCORED} published with {ATTACKER}'s user", publish, b.publish(ATTACKER, EXCHANGE, SCORED, body, properties), 403, topic_scored
            )
            # The user-id is not even looked at: the topic permission refuses the key first.
            body, properties = self.scored(target, scoring)
            self.expect_refused(
                f"{SCORED} with {OWNER}'s user-id, sent by {ATTACKER}'s user",
                publish,
                b.publish(ATTACKER, EXCHANGE, SCORED, body, properties),
                403,
                topic_scored,
            )
            # The administrator may publish any key, but not as another user.
            body, properties = self.scored(target, scoring)
            self.expect_refused(
                f"{SCORED} with {OWNER}'s user-id, sent by the broker's administrator",
                publish,
                b.publish("administrator", EXCHANGE, SCORED, body, properties),
                406,
                f"user_id property set to '{scoring}'",
            )
            body, properties = self.completed(target, other)
            self.expect_refused(
                f"{COMPLETED} with {OTHER_ATTACKER}'s user",
                publish,
                b.publish(OTHER_ATTACKER, EXCHANGE, COMPLETED, body, properties),
                403,
                f"topic '{COMPLETED}' in exchange '{EXCHANGE}'",
            )
            body, properties = self.scored(target, attacker)
            self.expect_refused(
                f"publishing to the default exchange straight into {SCORED} ({ATTACKER}'s user)",
                "basic.publish (default exchange)",
                b.publish(ATTACKER, DEFAULT_EXCHANGE, SCORED, body, properties),
                403,
                "exchange 'amq.default'",
            )
            # The interview service's queue is bound to the retry exchange by its name: the way its own retries come back.
            body, properties = self.scored(target, attacker)
            headers = dict(properties.headers or {})
            properties.headers = {**headers, "x-original-routing-key": SCORED, "x-original-user-id": scoring, "x-attempt": 2}
            self.expect_refused(
                f"{SCORED} through the retry exchange with a retry's headers naming {OWNER} ({ATTACKER}'s user)",
                f"basic.publish {RETRY_EXCHANGE}",
                b.publish(ATTACKER, RETRY_EXCHANGE, SCORED, body, properties),
                403,
                f"topic '{SCORED}' in exchange '{RETRY_EXCHANGE}'",
            )
            self.expect_refused(
                f"{OTHER_ATTACKER}'s user consuming {SCORING_PROCESS_QUEUE}",
                "basic.consume",
                b.attempt(OTHER_ATTACKER, lambda channel: channel.basic_consume(SCORING_PROCESS_QUEUE, lambda *_: None), "consuming (basic.consume-ok)"),
                403,
                f"queue '{SCORING_PROCESS_QUEUE}'",
            )
            # The integrity service's event and its user: a flag forged by another service, and integrity reading another's frames.
            body, properties = self.flagged(target, other)
            self.expect_refused(
                f"forged {FLAGGED} published with {OTHER_ATTACKER}'s user",
                publish,
                b.publish(OTHER_ATTACKER, EXCHANGE, FLAGGED, body, properties),
                403,
                f"topic '{FLAGGED}' in exchange '{EXCHANGE}'",
            )
            body, properties = self.scored(target, s.user(INTEGRITY))
            self.expect_refused(
                f"{SCORED} published with {INTEGRITY}'s user", publish, b.publish(INTEGRITY, EXCHANGE, SCORED, body, properties), 403, topic_scored
            )
            self.expect_refused(
                f"{INTEGRITY}'s user consuming {EMOTION_FRAMES_QUEUE}",
                "basic.consume",
                b.attempt(INTEGRITY, lambda channel: channel.basic_consume(EMOTION_FRAMES_QUEUE, lambda *_: None), "consuming (basic.consume-ok)"),
                403,
                f"queue '{EMOTION_FRAMES_QUEUE}'",
            )
            self.refused_eavesdropping()
            self.parked_forgery(target)
            # Time for a forgery the broker let through to be handled, and what it causes written, before the tables are read again.
            time.sleep(SETTLE_S)
        self.control()

    def refused_eavesdropping(self) -> None:
        """Emotion binds its own queue to interview.scored, to read every score: refused (and undone, should it pass)."""
        queue = "emotion.analysis"

        def bind(channel: BlockingChannel) -> None:
            channel.queue_bind(queue, EXCHANGE, SCORED)
            channel.queue_unbind(queue, EXCHANGE, SCORED)

        self.expect_refused(
            f"{OTHER_ATTACKER}'s user binding its own queue to {SCORED} (eavesdropping)",
            f"queue.bind {EXCHANGE}",
            self.broker.attempt(OTHER_ATTACKER, bind, "bound (then unbound)"),
            403,
            f"topic '{SCORED}' in exchange '{EXCHANGE}'",
        )

    def parked_forgery(self, target: Target) -> None:
        """The administrator's interview.scored without a user-id, which the broker takes: each consumer parks it, unhandled."""
        attack, rpc = f"{SCORED} without user-id, published by the broker's administrator", f"basic.publish {EXCHANGE}"
        owner = self.settings.user(OWNER)
        queues = ", ".join(f"{queue}.dead" for queue in SCORED_CONSUMERS)
        expected = f"confirmed; parked in {queues}, x-dead-reason naming {OWNER}'s user; handled by neither"
        body, properties = self.scored(target, None)
        message_id = properties.message_id or ""
        published = self.broker.publish("administrator", EXCHANGE, SCORED, body, properties)
        if not published.done:
            self.record(attack, rpc, expected, f"publish: {self.describe(published)}", False)
            return
        found: dict[str, Parked] = {}
        started = time.monotonic()
        while len(found) < len(SCORED_CONSUMERS) and time.monotonic() - started < DELIVERY_WAIT_S:
            for queue in SCORED_CONSUMERS:
                mine = [parked for parked in self.broker.dead_letters(queue) if parked.message_id == message_id]
                if mine:
                    found[queue] = mine[0]
            time.sleep(0.1)
        waited = time.monotonic() - started
        handled = [queue for queue, schema in SCORED_CONSUMERS.items() if self.tables.in_inbox(schema, queue, message_id)]
        parts = ["confirmed"] + [self.describe_parked(queue, found.get(queue)) for queue in SCORED_CONSUMERS]
        parts.append(f"handled by {', '.join(handled)}" if handled else f"handled by neither (no inbox row) after {waited:.2f} s")
        passed = all(queue in found and owner in found[queue].reason for queue in SCORED_CONSUMERS) and not handled
        self.record(attack, rpc, expected, "; ".join(parts), passed)

    def describe_parked(self, queue: str, parked: Parked | None) -> str:
        if parked is None:
            return f"NOT in {queue}.dead"
        by = next((service for service in self.settings.urls if self.settings.user(service) == parked.user_id), parked.user_id or "no user")
        if self.settings.user(OWNER) in parked.reason:
            return f"in {queue}.dead, parked by {by}'s user, the reason naming {OWNER}'s user as the owner"
        return f"in {queue}.dead, parked by {by}'s user, the reason: {parked.reason[:120]!r}"

    def control(self) -> None:
        """Scoring's own user publishes a key it owns, interview.scoring.failed, for an interview that does not exist: the broker
        confirms it and the interview service handles it as genuine (its inbox's row); an unknown interview it leaves alone
        (InterviewStore.markFailed changes only a completed one), so that row is all it writes."""
        attack, rpc = (
            f"control: {OWNER}'s user publishes {SCORING_FAILED} (its own key) for an interview that does not exist",
            f"basic.publish {EXCHANGE}",
        )
        expected = "confirmed; handled by the interview service as genuine (its inbox's row)"
        unknown = str(uuid.uuid4())
        event = events_pb2.ScoringFailed(session_id=unknown, user_id=str(uuid.uuid4()), reason="security suite control: no such interview")
        event.failed_at.GetCurrentTime()
        properties = envelope("interview.events.v1.ScoringFailed", unknown, self.settings.user(OWNER))
        message_id = properties.message_id or ""
        published = self.broker.publish(OWNER, EXCHANGE, SCORING_FAILED, proto_json(event), properties)
        if not published.done:
            self.record(attack, rpc, expected, f"publish: {self.describe(published)}", False)
            return
        started = time.monotonic()
        while not (handled := self.tables.in_inbox("interview", SCORING_FAILED_QUEUE, message_id)) and time.monotonic() - started < DELIVERY_WAIT_S:
            time.sleep(0.05)
        waited = time.monotonic() - started
        got = f"{self.describe(published)}; " + (
            f"handled by the interview service after {waited:.2f} s (its inbox)" if handled else f"NOT handled after {DELIVERY_WAIT_S:.0f} s"
        )
        self.record(attack, rpc, expected, got, handled)
