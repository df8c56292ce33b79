-- Run once by the postgres image on an empty data directory
-- (/docker-entrypoint-initdb.d). One server, two tenants:
--   cascade                         Cascade's own tables (`cascade db migrate`)
--   temporal, temporal_visibility   Temporal's persistence and visibility stores
--                                   (schemas created by temporalio/auto-setup)
-- Local development credentials only.

CREATE ROLE cascade LOGIN PASSWORD 'cascade';
CREATE DATABASE cascade OWNER cascade;

CREATE ROLE temporal LOGIN PASSWORD 'temporal';
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;
