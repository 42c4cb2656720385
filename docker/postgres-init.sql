-- Run once by the postgres image on an empty data directory (mounted into /docker-entrypoint-initdb.d/).
-- Each Deploy Stage service owns a database of its own; Flyway creates the tables when the service starts.
CREATE DATABASE gate;
CREATE DATABASE planner;
CREATE DATABASE executor;
CREATE DATABASE monitor;
CREATE DATABASE notifier;
CREATE DATABASE registry;
