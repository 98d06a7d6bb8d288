# servers.sh - the three servers of the benchmark (sourced by bench/compare)
#
#   A  the product: back-ils + slapo-dynttl, as scripts/ils-config writes it
#   B  the generic OpenLDAP way: back-mdb + slapo-dds, tuned
#   C  the ceiling: back-null, a database that does no work
#   R  A as a node of a multi-provider pair (bench/compare --replicated)
#
# All three listen on 127.0.0.1 only and are stopped by their PID.

TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${ILS_BUILD:-$TOP/_build}
SLAPD=${SLAPD:-/usr/sbin/slapd}
SCHEMADIR=${SCHEMADIR:-/etc/ldap/schema}
# slapd's worker threads, the same for all three (Debian's default is 16)
BENCH_THREADS=${BENCH_THREADS:-16}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# conf_A DIR: the product configuration; TTLs down to 1 s for the expiry run
# The population's TTL is 2 hours on A and B alike: a benchmark that takes
# longer than the product's 30 minutes must not see its users expire
# (keep-alives still set 10 minutes, as NetMeeting asks).
BENCH_TTL=${BENCH_TTL:-2h}
conf_A() {
	ILS_TTL_MIN=1 ILS_TTL_DEFAULT=$BENCH_TTL "$TOP/scripts/ils-config" "$1" "$BUILD" >/dev/null
	cat >> "$1/slapd.conf" <<EOF
# bench: no logging, same worker threads as B and C
loglevel 0
threads $BENCH_THREADS
EOF
	# every simulated user connects from 127.0.0.1: no per-address caps
	sed -i 's|^directory .*|&\nils-max-per-address 0\nils-max-per-minute 0|' "$1/slapd.conf"
	# BENCH_A_CONF: more lines for A's database ("ils-dbnosync off", say)
	[ -z "${BENCH_A_CONF:-}" ] || printf '%s\n' "$BENCH_A_CONF" >> "$1/slapd.conf"
}

# conf_R DIR SID PEER_PORT: A as one node of a multi-provider pair
# (slapd-ils(5), REPLICATION; the configuration tests/t-multiprovider.sh
# runs): serverID SID, syncprov before dynttl (the TTL overlay runs first,
# syncprov sends entries as stored), a rootpw the peer binds with, one
# syncrepl of o=Intranet from the node on PEER_PORT and multiprovider on
conf_R() {
	conf_A "$1" || return 1
	sed -i -e "0,/^moduleload/s||serverID $2\nmoduleload syncprov\nmoduleload|" \
		-e '0,/^overlay[[:space:]]*dynttl/s||overlay syncprov\n&|' \
		-e "0,/^rootdn .*/s||&\nrootpw secret\n\
syncrepl rid=00$2 provider=ldap://127.0.0.1:$3 searchbase=\"o=Intranet\"\n\
\ttype=refreshAndPersist retry=\"1 +\" timeout=3 network-timeout=3\n\
\tbindmethod=simple binddn=\"cn=admin,o=Intranet\" credentials=\"secret\"\n\
multiprovider on|" "$1/slapd.conf"
}

# global_conf DIR MODULE...: the global part B and C share with A
global_conf() {
	d=$1; shift
	mkdir -p "$d"
	{
		echo "include   $SCHEMADIR/core.schema"
		echo "include   $SCHEMADIR/cosine.schema"
		echo "include   $TOP/schema/ils.schema"
		echo "pidfile   $d/slapd.pid"
		echo "argsfile  $d/slapd.args"
		for m in "$@"; do echo "moduleload $m"; done
		echo "allow     bind_v2 bind_anon_dn update_anon"
		echo "sizelimit unlimited"
		echo "loglevel  0"
		echo "threads   $BENCH_THREADS"
	} > "$d/slapd.conf"
}

# conf_B DIR: back-mdb with the dds overlay, the ILS schema and the best
# settings we found for this load
conf_B() {
	global_conf "$1" back_mdb dds
	mkdir -p "$1/mdb"
	cat >> "$1/slapd.conf" <<EOF

database  mdb
suffix    "o=Intranet"
rootdn    "cn=admin,o=Intranet"
rootpw    secret
directory $1/mdb
maxsize   17179869184
dbnosync
# back-mdb has no entry cache to size: LMDB is memory-mapped
index     objectClass eq
index     cn eq
index     entryExpireTimestamp eq
# refresh needs manage on entryTtl (RFC 2589 via slapo-dds)
access to attrs=entryTtl by * manage
access to * by * write

overlay   dds
dds-max-ttl 1d
# without dds-min-ttl, 2.5.13 resets dds-max-ttl to one day
dds-min-ttl 1
dds-default-ttl $BENCH_TTL
# the shortest interval slapd honours (it warns below 60 s)
dds-interval 1s
EOF
}

# the containers B's entries live in
init_B() {
	ldapadd -x -H "ldap://127.0.0.1:$2" -D cn=admin,o=Intranet -w secret >/dev/null <<EOF
dn: o=Intranet
objectClass: organization
o: Intranet

dn: ou=Dynamic,o=Intranet
objectClass: organizationalUnit
ou: Dynamic

dn: ou=Expiring,o=Intranet
objectClass: organizationalUnit
ou: Expiring
EOF
}

# conf_C DIR: back-null under the same names as A
conf_C() {
	global_conf "$1" back_null
	cat >> "$1/slapd.conf" <<EOF

database  null
suffix    "o=Intranet"
suffix    "objectClass=rtPerson"
access to * by * write
EOF
}

# start_server NAME DIR PORT: sets PID_<NAME>; waits until it answers
start_server() {
	"$SLAPD" -d 0 -h "ldap://127.0.0.1:$3/" -f "$2/slapd.conf" > "$2/slapd.log" 2>&1 &
	eval "PID_$1=$!"
	i=0
	while [ $i -lt 200 ]; do
		ldapsearch -x -H "ldap://127.0.0.1:$3" -b "" -s base >/dev/null 2>&1 && return 0
		kill -0 "$(eval echo \$PID_$1)" 2>/dev/null || break
		sleep 0.1; i=$((i + 1))
	done
	echo "bench: slapd $1 did not start:" >&2
	tail -20 "$2/slapd.log" >&2
	return 1
}

# stop_pid PID: TERM, wait up to 60 s (a large LMDB flushes), then KILL
stop_pid() {
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null || return 0
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# need_gnuplot: install Debian's gnuplot-nox when it is missing
need_gnuplot() {
	command -v gnuplot >/dev/null 2>&1 && return 0
	[ "$(id -u)" = 0 ] || return 1
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnuplot-nox >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnuplot-nox >/dev/null 2>&1; }
	command -v gnuplot >/dev/null 2>&1
}
