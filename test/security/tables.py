"""Nothing half-written: snapshots of the tables a refused call could write, compared around the
refused calls (the suite's own successful calls change them legitimately, so they stay outside).

What is compared: the row count of every table of the interview service's schema, but for
`rate_limits` (counting a refused call is the limit's job), `inbox` and `deleted_users` (written by
the service's consumers as events arrive, never by a call), the auth service's `users` and
`refresh_tokens`, and for each watched interview its status, completion, frames_received and the
rows of its answers and frames; and, for the attacks on the internal services, the tables their
RPCs write (the emotion service's `blink_tracks`); for the forged events on the broker, every table of
the services that consume them (tables_of) and the interview service's inbox and `deleted_users`.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import psycopg
from psycopg import sql

# Tables a refused call changes by design (its counter), or that only the consumers write.
UNWATCHED_INTERVIEW_TABLES = frozenset({"rate_limits", "inbox", "deleted_users"})
AUTH_TABLES = ("users", "refresh_tokens")

Snapshot = dict[str, object]


class Tables:
    def __init__(self, database_url: str) -> None:
        self._connection = psycopg.connect(database_url, autocommit=True)
        self.interview_ids: list[str] = []

    def watch_interview(self, interview_id: str) -> None:
        self.interview_ids.append(interview_id)

    def _count(self, schema: str, table: str) -> int:
        query = sql.SQL("select count(*) from {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        row = self._connection.execute(query).fetchone()
        return int(row[0]) if row else 0

    def interview_tables(self) -> list[str]:
        rows = self._connection.execute(
            "select table_name from information_schema.tables where table_schema = 'interview' and table_type = 'BASE TABLE' order by table_name"
        ).fetchall()
        return [str(name) for (name,) in rows if name not in UNWATCHED_INTERVIEW_TABLES]

    def interview_state(self, interview_id: str) -> str:
        """`status`, completed or not, frames_received, answers and frames rows of one interview."""
        row = self._connection.execute(
            """
            select s.status, s.completed_at is not null, s.frames_received,
                   (select count(*) from interview.answers a where a.session_id = s.id),
                   (select count(*) from interview.frames f where f.session_id = s.id)
            from interview.interview_sessions s where s.id = %s
            """,
            (interview_id,),
        ).fetchone()
        if row is None:
            return "missing"
        status, completed, frames_received, answers, frames = row
        return f"status={status} completed={completed} frames_received={frames_received} answers={answers} frame rows={frames}"

    def tables_of(self, schema: str) -> list[tuple[str, str]]:
        """Every table of `schema`, as (schema, table): what Watch's `extra_tables` takes."""
        rows = self._connection.execute(
            "select table_name from information_schema.tables where table_schema = %s and table_type = 'BASE TABLE' order by table_name", (schema,)
        ).fetchall()
        return [(schema, str(name)) for (name,) in rows]

    def in_inbox(self, schema: str, consumer: str, message_id: str) -> bool:
        """Whether `consumer` (a queue's name, its inbox's) handled the message `message_id`: its row in `schema`.inbox."""
        query = sql.SQL("select count(*) from {}.inbox where consumer = %s and message_id = %s").format(sql.Identifier(schema))
        row = self._connection.execute(query, (consumer, message_id)).fetchone()
        return bool(row and row[0])

    def frames_of(self, interview_id: str) -> tuple[int, int]:
        """frames_received and the number of frame rows of one interview."""
        row = self._connection.execute(
            "select s.frames_received, (select count(*) from interview.frames f where f.session_id = s.id) from interview.interview_sessions s where s.id = %s",
            (interview_id,),
        ).fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)

    def blink_track_exists(self, session_id: str) -> bool:
        """Whether the emotion service tracks the blinks of `session_id` (a row of emotion.blink_tracks)."""
        row = self._connection.execute("select count(*) from emotion.blink_tracks where session_id = %s", (session_id,)).fetchone()
        return bool(row and row[0])

    def snapshot(self, extra_tables: Sequence[tuple[str, str]] = ()) -> Snapshot:
        """The counts and states above, and the row counts of `extra_tables` (schema, table)."""
        counts: Snapshot = {f"interview.{table}": self._count("interview", table) for table in self.interview_tables()}
        counts.update({f"{schema}.{table}": self._count(schema, table) for schema, table in extra_tables})
        counts.update({f"auth.{table}": self._count("auth", table) for table in AUTH_TABLES})
        counts.update({f"interview {interview_id}": self.interview_state(interview_id) for interview_id in self.interview_ids})
        return counts

    def close(self) -> None:
        self._connection.close()


def differences(before: Snapshot, after: Snapshot) -> list[str]:
    return [f"{key}: {before.get(key)} -> {after.get(key)}" for key in sorted(before.keys() | after.keys()) if before.get(key) != after.get(key)]


class Watch:
    """The tables around each bracket of refused calls of one group; any difference is reported."""

    def __init__(self, tables: Tables, group: str, extra_tables: Sequence[tuple[str, str]] = ()) -> None:
        self.tables = tables
        self.group = group
        self.extra_tables = extra_tables
        self.changes: list[str] = []
        self.brackets = 0
        self.watched = 0

    @contextmanager
    def around(self) -> Iterator[None]:
        before = self.tables.snapshot(self.extra_tables)
        try:
            yield
        finally:
            after = self.tables.snapshot(self.extra_tables)
            self.changes.extend(differences(before, after))
            self.brackets += 1
            self.watched = len(after)
