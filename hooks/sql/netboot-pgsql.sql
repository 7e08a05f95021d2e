-- The schema of kea-netboot's shared run-time assignments in PostgreSQL
-- (the hook's "assignment-database"). Created by `netboot-admin db-init`,
-- in the same database Kea's own lease or host tables may live in; every
-- kea-dhcp4, kea-dhcp6 and HA peer of the site reads and writes these rows.
-- Version 1.
START TRANSACTION;

CREATE TABLE netboot_schema_version (
    version INT NOT NULL
);
INSERT INTO netboot_schema_version VALUES (1);

-- One row per machine: what it boots next instead of the default.
CREATE TABLE netboot_assignment (
    -- How the machine is named, as netboot-assignment-set takes it.
    kind TEXT NOT NULL CHECK (kind IN ('hw-address', 'duid', 'client-id')),
    -- Lowercase hex bytes separated by colons, e.g. 52:54:00:12:34:56.
    identifier TEXT NOT NULL CHECK (identifier ~ '^[0-9a-f]{2}(:[0-9a-f]{2}){0,127}$'),
    profile TEXT NOT NULL,
    -- Used by one boot, then deleted by the daemon that served it.
    once BOOLEAN NOT NULL,
    -- Seconds since the epoch; NULL: until deleted.
    expires_at BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (kind, identifier)
);

COMMIT;
