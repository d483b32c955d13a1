-- The hazard ledger (隐患台账). Times are Unix milliseconds (UTC) in both
-- dialects, so that comparisons and durations are plain integer arithmetic
-- and the same SQL runs on SQLite, which has no time type. This file and
-- its postgres twin differ only in identity columns and the triggers.

CREATE TABLE hazard_records (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    origin              TEXT    NOT NULL
        CHECK (origin IN ('alarm', 'inspection', 'self_report')),
    grade               TEXT    NOT NULL CHECK (grade IN ('general', 'major')),
    title               TEXT    NOT NULL,
    description         TEXT    NOT NULL DEFAULT '',
    enterprise          TEXT    NOT NULL,
    district            TEXT    NOT NULL,
    industry            TEXT    NOT NULL DEFAULT '',
    hazard_source       TEXT    NOT NULL DEFAULT '',
    hazard_source_grade INTEGER NOT NULL DEFAULT 0
        CHECK (hazard_source_grade BETWEEN 0 AND 4),
    point_id            TEXT    NOT NULL DEFAULT '',
    alarm_condition     TEXT    NOT NULL DEFAULT '',
    alarm_level         INTEGER NOT NULL DEFAULT 0,
    responsible_level   TEXT    NOT NULL
        CHECK (responsible_level IN ('district', 'city')),
    responsible_unit    TEXT    NOT NULL,
    deadline            BIGINT  NOT NULL,
    status              TEXT    NOT NULL CHECK (status IN ('open', 'rectifying',
        'awaiting_verification', 'closed', 'cancelled')),
    occurrences         INTEGER NOT NULL DEFAULT 1 CHECK (occurrences >= 1),
    first_occurrence    BIGINT  NOT NULL,
    last_occurrence     BIGINT  NOT NULL,
    overdue_stage       TEXT    NOT NULL DEFAULT 'none'
        CHECK (overdue_stage IN ('none', 'reminded', 'supervised')),
    plan_owner          TEXT    NOT NULL DEFAULT '',
    plan_measures       TEXT    NOT NULL DEFAULT '',
    plan_funds          BIGINT  NOT NULL DEFAULT 0,
    plan_deadline       BIGINT,
    plan_contingency    TEXT    NOT NULL DEFAULT '',
    created_by          TEXT    NOT NULL,
    created_at          BIGINT  NOT NULL,
    updated_at          BIGINT  NOT NULL,
    closed_at           BIGINT,
    version             INTEGER NOT NULL DEFAULT 1
);

-- One unresolved record per alarm point and condition; OnAlarm's upsert
-- names this index's columns and predicate in its ON CONFLICT clause.
CREATE UNIQUE INDEX hazard_records_one_open ON hazard_records
    (point_id, alarm_condition)
    WHERE origin = 'alarm'
      AND status IN ('open', 'rectifying', 'awaiting_verification');

-- Listing is newest first by id (keyset pagination), so each filter
-- column leads an index that ends in id.
CREATE INDEX hazard_records_district   ON hazard_records (district, id);
CREATE INDEX hazard_records_enterprise ON hazard_records (enterprise, id);
CREATE INDEX hazard_records_industry   ON hazard_records (industry, id);
CREATE INDEX hazard_records_unit       ON hazard_records (responsible_unit, id);
CREATE INDEX hazard_records_status     ON hazard_records (status, id);
CREATE INDEX hazard_records_created    ON hazard_records (created_at);
-- The escalation scan and the overdue filter look only at unresolved
-- records, a small part of a ledger that is mostly closed.
CREATE INDEX hazard_records_due ON hazard_records (deadline)
    WHERE status IN ('open', 'rectifying');

CREATE TABLE hazard_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id   BIGINT  NOT NULL REFERENCES hazard_records (id),
    at          BIGINT  NOT NULL,
    actor       TEXT    NOT NULL,
    role        TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    from_status TEXT    NOT NULL,
    to_status   TEXT    NOT NULL,
    comment     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX hazard_history_record ON hazard_history (record_id, id);

-- The history is an audit trail: the code only appends, and these
-- triggers refuse anyone else's UPDATE or DELETE as well.
CREATE TRIGGER hazard_history_no_update BEFORE UPDATE ON hazard_history
BEGIN
    SELECT RAISE(ABORT, 'hazard_history is append-only');
END;
CREATE TRIGGER hazard_history_no_delete BEFORE DELETE ON hazard_history
BEGIN
    SELECT RAISE(ABORT, 'hazard_history is append-only');
END;

-- Alarm episodes already counted, so that an episode delivered twice
-- (at-least-once delivery, two center instances) counts once.
CREATE TABLE hazard_alarm_episodes (
    point_id        TEXT   NOT NULL,
    alarm_condition TEXT   NOT NULL,
    episode         BIGINT NOT NULL,
    record_id       BIGINT REFERENCES hazard_records (id),
    at              BIGINT NOT NULL,
    PRIMARY KEY (point_id, alarm_condition, episode)
);
