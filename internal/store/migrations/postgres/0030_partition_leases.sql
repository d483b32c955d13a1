-- Leases of the partitions that center instances share (package
-- internal/cluster). Times are Unix milliseconds of the database's clock
-- (now()), never an instance's. An expired or released lease
-- (expires_at 0) is free; epoch grows with every acquisition, so a
-- holder that lost a lease cannot renew it or commit under it. This file
-- and its sqlite twin are the same: SQLite serves one instance and never
-- uses these tables.
CREATE TABLE partition_leases (
    partition  INTEGER PRIMARY KEY CHECK (partition >= 0),
    owner      TEXT    NOT NULL,
    expires_at BIGINT  NOT NULL,
    epoch      BIGINT  NOT NULL CHECK (epoch >= 1)
);

-- Live instances: each writes its heartbeat every round; one not heard
-- from for a lease time is counted out when shares are computed.
CREATE TABLE center_instances (
    instance_id  TEXT   PRIMARY KEY,
    heartbeat_at BIGINT NOT NULL
);
