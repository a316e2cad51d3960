# schema build fragment (see Makefile.am)
# JSON Schema per event type (draft 2020-12), installed for SIEM and audit
# tooling; the SQL schema and migrations are installed beside them for
# reference only (sshrecd and sshrec embed them, see recorder/sinks/local.mk).
sshrecjsonschemadir = $(pkgdatadir)/schema/json
dist_sshrecjsonschema_DATA = \
	schema/json/common.schema.json \
	schema/json/session.start.schema.json \
	schema/json/session.end.schema.json \
	schema/json/session.command.schema.json \
	schema/json/session.disk.schema.json \
	schema/json/session.network.schema.json \
	schema/json/session.process_exit.schema.json \
	schema/json/session.data_loss.schema.json \
	schema/json/session.escape.schema.json \
	schema/json/session.denied.schema.json
sshrecsqldir = $(pkgdatadir)/schema
dist_sshrecsql_DATA = schema/sshrec.sql schema/RECORDS.md
# the storage design note is for developers: in the tarball, not installed
EXTRA_DIST += schema/STORAGE.md
sshrecmigrationsdir = $(pkgdatadir)/schema/migrations
dist_sshrecmigrations_DATA = $(SR_DB_MIGRATIONS)
