-- The alarm service's tables (package internal/monitor). Times are Unix
-- milliseconds (UTC), NULL where the alarm has no such time. This file and
-- its sqlite twin differ only in identity, boolean and float types and
-- the trigger.

-- One row per alarm: its current ISA-18.2 state, upserted in the same
-- transaction as the journal rows that led to it, and read back at start
-- so that an active alarm survives a restart in the same episode.
-- point is the point id, or "gateway:<id>" for a gateway offline alarm.
CREATE TABLE alarm_state (
    enterprise      TEXT    NOT NULL,
    point           TEXT    NOT NULL,
    alarm_condition TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('normal', 'unacked',
        'acked', 'rtn_unacked', 'shelved', 'out_of_service')),
    active          BOOLEAN NOT NULL,
    episode         BIGINT  NOT NULL CHECK (episode >= 0),
    level           INTEGER NOT NULL CHECK (level BETWEEN 0 AND 2),
    value           DOUBLE PRECISION NOT NULL,
    active_since    BIGINT,
    unacked_since   BIGINT,
    escalated       BOOLEAN NOT NULL,
    acked_by        TEXT    NOT NULL DEFAULT '',
    acked_at        BIGINT,
    suppressed_by   TEXT    NOT NULL DEFAULT '',
    suppressed_at   BIGINT,
    reason          TEXT    NOT NULL DEFAULT '',
    shelved_until   BIGINT,
    updated_at      BIGINT  NOT NULL,
    PRIMARY KEY (enterprise, point, alarm_condition)
);

-- Every change of every alarm, the record an auditor asks for.
CREATE TABLE alarm_journal (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise      TEXT    NOT NULL,
    point           TEXT    NOT NULL,
    alarm_condition TEXT    NOT NULL,
    episode         BIGINT  NOT NULL,
    kind            TEXT    NOT NULL,
    from_state      TEXT    NOT NULL,
    to_state        TEXT    NOT NULL,
    level           INTEGER NOT NULL,
    value           DOUBLE PRECISION NOT NULL,
    limit_value     DOUBLE PRECISION,
    late            BOOLEAN NOT NULL,
    actor           TEXT    NOT NULL DEFAULT '',
    comment         TEXT    NOT NULL DEFAULT '',
    until_at        BIGINT,
    at              BIGINT  NOT NULL,
    recorded_at     BIGINT  NOT NULL
);
-- The journal is read newest first (by id) for one alarm, one point or
-- one enterprise, or for a time range.
CREATE INDEX alarm_journal_alarm
    ON alarm_journal (enterprise, point, alarm_condition, id);
CREATE INDEX alarm_journal_at ON alarm_journal (at);

-- The journal is an audit trail: the code only appends, and this
-- trigger refuses anyone else's UPDATE or DELETE as well.
CREATE FUNCTION alarm_journal_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'alarm_journal is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER alarm_journal_append_only
    BEFORE UPDATE OR DELETE ON alarm_journal
    FOR EACH ROW EXECUTE FUNCTION alarm_journal_append_only();
