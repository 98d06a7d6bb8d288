# lib.sh - helpers for the back-ils test scripts (sourced)
#
# Every test starts its own slapd on a free loopback port with the real
# back_ils module and stops it by its PID.  Each check prints one line,
# "ok - ..." or "not ok - ...", which tests/run.sh counts.

TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${ILS_BUILD:-$TOP/_build}
SLAPD=${SLAPD:-/usr/sbin/slapd}
WIRE=$BUILD/tests/ilswire
SCHEMADIR=${SCHEMADIR:-/etc/ldap/schema}
T=$(mktemp -d /tmp/ilstest.XXXXXX)
SPID=
trap 'stop_slapd; rm -rf "$T"' EXIT

ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; }

# check DESCRIPTION COMMAND...: ok when the command succeeds
check() {
	d=$1; shift
	if "$@" > "$T/check.out" 2>&1; then ok "$d"; else nok "$d"; sed 's/^/#   /' "$T/check.out" | head -20; fi
}

# expect_rc CODE DESCRIPTION COMMAND...: ok when the command exits with CODE
# (ldap-utils exit with the LDAP result code)
expect_rc() {
	want=$1 d=$2; shift 2
	"$@" > "$T/check.out" 2>&1
	got=$?
	if [ "$got" = "$want" ]; then ok "$d (result $want)"
	else nok "$d: result $got, expected $want"; sed 's/^/#   /' "$T/check.out" | head -10; fi
}

# wire ARGS...: run the wire-level client; its own ok/not ok lines count,
# and so does its exit status: bad arguments, an unknown scenario, a lost
# connection or a failed check is one more "not ok" line, on stderr so
# that it counts even where the client's output is discarded
wire() {
	"$WIRE" -H 127.0.0.1 -p "$PORT" "$@"
	wrc=$?
	[ "$wrc" = 0 ] || nok "ilswire $*: exit status $wrc" >&2
	return "$wrc"
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start_slapd ARGS...: -f conf or -F dir; waits until it answers
# (SLAPD_MORE_URLS: listeners besides $URI, such as an ldapi:// one)
start_slapd() {
	PORT=${PORT:-$(free_port)}
	URI=ldap://127.0.0.1:$PORT
	"$SLAPD" -d "${SLAPD_DEBUG:-0}" -h "$URI/${SLAPD_MORE_URLS:+ $SLAPD_MORE_URLS}" "$@" \
		>> "$T/slapd.log" 2>&1 &
	SPID=$!
	i=0
	while [ $i -lt 100 ]; do
		ldapsearch -x -H "$URI" -b "" -s base >/dev/null 2>&1 && return 0
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.1; i=$((i + 1))
	done
	nok "slapd started"; sed 's/^/#   /' "$T/slapd.log" | tail -20
	SPID=
	return 1
}

stop_slapd() {
	[ -n "$SPID" ] || return 0
	kill "$SPID" 2>/dev/null
	i=0
	while kill -0 "$SPID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	kill -9 "$SPID" 2>/dev/null
	SPID=
}

# crash_slapd: kill -9, as a power cut would stop the process
crash_slapd() {
	[ -n "$SPID" ] || return 0
	kill -9 "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
	SPID=
}

alive() { [ -n "$SPID" ] && kill -0 "$SPID" 2>/dev/null; }

# ils_conf DATADIR: the default configuration of scripts/ils-config
ils_conf() { "$TOP/scripts/ils-config" "$1" "$BUILD"; }
# uncapped CONF: the per-address caps off (ils-max-per-address and
# ils-max-per-minute 0), for a test whose load comes from one address
uncapped() { sed -i 's|^directory .*|&\nils-max-per-address 0\nils-max-per-minute 0|' "$1"; }

lsearch() { ldapsearch -x -LLL -o ldif-wrap=no -H "$URI" "$@"; }
lmodify() { ldapmodify -x -H "$URI" "$@"; }

# finish: the last line of every test file; tests/run.sh counts a file
# that never got here as a failure
finish() { echo "ok - $(basename "$0") ran to the end"; }

# dn CN: a registration's canonical DN
dn() { echo "cn=$1,ou=Dynamic,o=Intranet"; }
# ttl DN: the entryTtl a client reads (empty when the entry is gone)
ttl() { ldapsearch -x -LLL -H "$URI" -b "$1" -s base entryTtl 2>/dev/null | sed -n 's/^entryTtl: //p'; }
# gone DN: no registration answers to DN: a base search succeeds without
# it (due, so hidden) or answers noSuchObject; a search that fails
# otherwise (no server) proves nothing and is no
gone() {
	ldapsearch -x -LLL -H "$URI" -b "$1" -s base 1.1 > "$T/gone.out" 2>&1
	grc=$?
	[ "$grc" = 32 ] || { [ "$grc" = 0 ] && ! grep -q '^dn:' "$T/gone.out"; }
}
# nentries ARGS...: the entries an ldapsearch with ARGS returns; it fails,
# printing nothing, when the search does
nentries() {
	ldapsearch -x -LLL -o ldif-wrap=no -H "$URI" "$@" 1.1 > "$T/count.out" 2>&1 || return 1
	grep -c '^dn:' "$T/count.out"
}
# between VALUE LOW HIGH: VALUE is a number from LOW to HIGH
between() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v != "" && v >= lo && v <= hi) }'; }

# ils_db_ldif DIR [LINE...]: the olcDatabase={1}ils entry of a cn=config
# LDIF, both suffixes, its directory DIR, then each LINE (olcAccess, ...)
ils_db_ldif() {
	printf 'dn: olcDatabase={1}ils,cn=config\nobjectClass: olcDatabaseConfig\n'
	printf 'objectClass: olcIlsConfig\nolcDatabase: {1}ils\nolcSuffix: o=Intranet\n'
	printf 'olcSuffix: objectClass=rtPerson\nolcDbDirectory: %s\n' "$1"
	shift
	for l in "$@"; do printf '%s\n' "$l"; done
}
# dynttl_ovl_ldif: slapo-dynttl over that database, dynttl-all on
dynttl_ovl_ldif() {
	printf 'dn: olcOverlay={0}dynttl,olcDatabase={1}ils,cn=config\n'
	printf 'objectClass: olcOverlayConfig\nobjectClass: olcDynTTLConfig\n'
	printf 'olcOverlay: {0}dynttl\nolcDynTTLAll: TRUE\n'
}

# config_ldif: a cn=config for slapadd -n0 up to its databases: back-ils
# loaded, the ILS schema, cn=config's rootpw "config"; a test adds its
# olcDatabase={1}ils entry after it
config_ldif() {
	cat <<LDIF
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: $T/slapd.pid
olcAllows: bind_v2 bind_anon_dn update_anon
olcSizeLimit: unlimited

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModuleLoad: $BUILD/back_ils.la

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file://$SCHEMADIR/core.ldif

include: file://$SCHEMADIR/cosine.ldif

include: file://$TOP/schema/ils.ldif

dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcRootPW: config

LDIF
}

# ldif_add DN [ATTR: VALUE ...]: an LDAPv3 Add from the arguments
ldif_add() {
	dn=$1; shift
	{ printf 'dn: %s\n' "$dn"; for l in "$@"; do printf '%s\n' "$l"; done; } |
		ldapadd -x -H "$URI"
}

# expect_err CODE DESCRIPTION COMMAND...: ok when the command reports LDAP
# result CODE as "(CODE)" (ldapexop exits 1 whatever the result)
expect_err() {
	want=$1 d=$2; shift 2
	"$@" > "$T/check.out" 2>&1
	if grep -q "($want)" "$T/check.out"; then ok "$d (result $want)"
	else nok "$d: expected result $want"; sed 's/^/#   /' "$T/check.out" | head -10; fi
}

# mdb_conf_head: the start of a slapd.conf for back-mdb databases with
# slapo-dynttl; a test adds its databases after it
mdb_conf_head() {
	cat <<CONF
include $SCHEMADIR/core.schema
include $SCHEMADIR/cosine.schema
include $SCHEMADIR/inetorgperson.schema
pidfile $T/slapd.pid
moduleload back_mdb
moduleload $BUILD/dynttl.la
CONF
}
