# repl.sh - helpers for replication tests (sourced after tests/lib.sh)
#
# A topology is a set of named nodes, each one slapd with its own
# directory $T/NAME, its own free loopback port and its own log
# ($T/NAME/slapd.log).  A test writes each node's slapd.conf from the
# pieces below, starts the nodes, and checks them with the wait-until
# helpers: replication is asynchronous, so every check of a replica is
# "poll until it holds or a deadline passes", bounded in time and count.
#
#   node_new NAME                  $T/NAME and a free port for NAME
#   node_port NAME / node_uri NAME its port / ldap://127.0.0.1:PORT
#   node_dir NAME                  $T/NAME
#   node_start NAME [ARGS]         slapd -f $T/NAME/slapd.conf (or ARGS such
#                                  as -F dir); waits until it answers
#   node_stop NAME                 SIGTERM by PID, then -9 after 10 s
#   node_kill NAME                 kill -9 (a power cut)
#   node_alive NAME                its slapd process still runs
#   node_pid NAME                  its PID (empty when stopped)
#   on_node NAME CMD...            CMD with URI and PORT of NAME (lib.sh's
#                                  lsearch, nentries, gone, wire... then
#                                  talk to that node)
#   node_stop_all                  every node (the EXIT trap calls it)
#
# slapd.conf pieces, printed on stdout (a test concatenates them):
#   repl_head [MODULE...]          schemas, pidfile-less globals, modules
#                                  (back_ils, dynttl, accesslog, syncprov
#                                  and back_mdb as needed: names or paths)
#   repl_serverid ID               serverID (1..4095); a multi-provider node
#   repl_syncprov [DIRECTIVE...]   overlay syncprov with its options
#   repl_accesslog LOGBASE [DIR..] overlay accesslog logging writes into
#                                  the database LOGBASE
#   repl_logdb LOGBASE DIR ROOTDN  a back-mdb accesslog database with
#                                  syncprov as delta-syncrepl wants it
#                                  (syncprov-nopresent, syncprov-reloadhint)
#   repl_syncrepl RID PROVIDER BASE BINDDN PW [KEY=VALUE...]
#                                  syncrepl from node PROVIDER (a node name
#                                  or an URI), refreshAndPersist, retry every
#                                  second, bindmethod simple
#   repl_deltasync RID PROVIDER BASE BINDDN PW LOGBASE [KEY=VALUE...]
#                                  the same as delta-syncrepl: logbase,
#                                  logfilter of successful writes,
#                                  syncdata=accesslog
#   repl_multiprovider             multiprovider on (after the syncrepls)
#
# Waiting:
#   wait_until NAME SECS DESCRIPTION CMD...
#       runs CMD on node NAME (on_node) every 0.2 s until it succeeds or
#       SECS pass; prints ok, or not ok with CMD's last output; returns
#       CMD's last status
#   wait_count NAME N SECS DESCRIPTION SEARCH-ARGS...
#       until nentries SEARCH-ARGS on NAME is N
#   wait_same A B SECS DESCRIPTION SEARCH-ARGS...
#       until the same search on nodes A and B returns the same entries
#       (LDIF, sorted by tests/ldifcmp.py's rules: compared line-sorted)
#   syncsearch NAME BASE COOKIE [LDAPSEARCH-ARGS...]
#       one refreshOnly sync search of BASE on NAME with COOKIE, as a
#       consumer holding that cookie would send it (an empty COOKIE sends
#       none)

NODES=
trap 'node_stop_all; stop_slapd; rm -rf "$T"' EXIT

node_new() {
	mkdir -p "$T/$1" || return 1
	free_port > "$T/$1/port" || return 1
	case " $NODES " in *" $1 "*) ;; *) NODES="$NODES $1" ;; esac
}
node_dir() { echo "$T/$1"; }
node_port() { cat "$T/$1/port"; }
node_uri() { echo "ldap://127.0.0.1:$(node_port "$1")"; }
node_pid() { cat "$T/$1/pid" 2>/dev/null; }
node_alive() {
	p=$(node_pid "$1")
	[ -n "$p" ] && kill -0 "$p" 2>/dev/null
}

# the node's URI, or PROVIDER itself when it is one already
node_or_uri() {
	case $1 in ldap://* | ldapi://*) echo "$1" ;; *) node_uri "$1" ;; esac
}

node_start() {
	n=$1; shift
	[ $# -gt 0 ] || set -- -f "$T/$n/slapd.conf"
	u=$(node_uri "$n")
	"$SLAPD" -d "${SLAPD_DEBUG:-0}" -h "$u/" "$@" >> "$T/$n/slapd.log" 2>&1 &
	echo $! > "$T/$n/pid"
	i=0
	while [ $i -lt 150 ]; do
		ldapsearch -x -H "$u" -b "" -s base >/dev/null 2>&1 && return 0
		node_alive "$n" || break
		sleep 0.1; i=$((i + 1))
	done
	nok "node $n started"; sed 's/^/#   /' "$T/$n/slapd.log" | tail -20
	rm -f "$T/$n/pid"
	return 1
}

node_stop() {
	p=$(node_pid "$1")
	[ -n "$p" ] || return 0
	kill "$p" 2>/dev/null
	i=0
	while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	kill -9 "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	rm -f "$T/$1/pid"
}

node_kill() {
	p=$(node_pid "$1")
	[ -n "$p" ] || return 0
	kill -9 "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	rm -f "$T/$1/pid"
}

node_stop_all() {
	for n in $NODES; do node_stop "$n"; done
}

on_node() {
	n=$1; shift
	( PORT=$(node_port "$n"); URI=ldap://127.0.0.1:$PORT; "$@" )
}

# a module by name from slapd's directory, or ours from the build
repl_module() {
	case $1 in
	back_ils | dynttl) echo "moduleload $BUILD/$1.la" ;;
	*) echo "moduleload $1" ;;
	esac
}

repl_head() {
	cat <<CONF
include $SCHEMADIR/core.schema
include $SCHEMADIR/cosine.schema
include $SCHEMADIR/inetorgperson.schema
include $TOP/schema/ils.schema
allow bind_v2 bind_anon_dn update_anon
sizelimit unlimited
CONF
	for m in "$@"; do repl_module "$m"; done
}

repl_serverid() { echo "serverID $1"; }
repl_multiprovider() { echo "multiprovider on"; }

repl_syncprov() {
	echo "overlay syncprov"
	for d in "$@"; do echo "$d"; done
}

repl_accesslog() {
	l=$1; shift
	cat <<CONF
overlay accesslog
logdb "$l"
logops writes
logsuccess TRUE
CONF
	for d in "$@"; do echo "$d"; done
}

repl_logdb() {
	mkdir -p "$2" || return 1
	cat <<CONF
database mdb
suffix "$1"
directory $2
rootdn "$3"
maxsize 104857600
index objectClass,entryCSN,reqEnd,reqResult,reqStart eq
overlay syncprov
syncprov-nopresent TRUE
syncprov-reloadhint TRUE
CONF
}

# the syncrepl directive; the rest of the arguments are more KEY=VALUE
repl_syncrepl() {
	rid=$1 prov=$(node_or_uri "$2") base=$3 bdn=$4 pw=$5; shift 5
	printf 'syncrepl rid=%03d provider=%s searchbase="%s"\n' "$rid" "$prov" "$base"
	printf '\ttype=refreshAndPersist retry="1 +" timeout=3 network-timeout=3\n'
	printf '\tbindmethod=simple binddn="%s" credentials="%s"\n' "$bdn" "$pw"
	for kv in "$@"; do printf '\t%s\n' "$kv"; done
}

repl_deltasync() {
	rid=$1 prov=$2 base=$3 bdn=$4 pw=$5 lb=$6; shift 6
	repl_syncrepl "$rid" "$prov" "$base" "$bdn" "$pw" "logbase=\"$lb\"" \
		'logfilter="(&(objectClass=auditWriteObject)(reqResult=0))"' \
		syncdata=accesslog "$@"
}

wait_until() {
	n=$1 secs=$2 d=$3; shift 3
	end=$(( $(date +%s) + secs ))
	while :; do
		on_node "$n" "$@" > "$T/wait.out" 2>&1 && { ok "$d"; return 0; }
		st=$?
		[ "$(date +%s)" -lt "$end" ] || break
		sleep 0.2
	done
	nok "$d (not within ${secs}s on $n; last status $st, last output:)"
	sed 's/^/#   /' "$T/wait.out" | head -20
	return "$st"
}

# is_count N SEARCH-ARGS...: nentries (lib.sh) is N
is_count() {
	want=$1; shift
	got=$(nentries "$@")
	echo "$got entries, want $want"
	[ "$got" = "$want" ]
}

wait_count() {
	n=$1 want=$2 secs=$3 d=$4; shift 4
	wait_until "$n" "$secs" "$d" is_count "$want" "$@"
}

# the entries of a search, attribute lines sorted within and across
# entries, so that two servers' answers compare whatever their order
sorted_ldif() {
	ldapsearch -x -LLL -o ldif-wrap=no -H "$URI" "$@" | sed '/^$/d' | LC_ALL=C sort
}

# same_as OTHER SEARCH-ARGS...: this node answers the search as OTHER does
same_as() {
	o=$1; shift
	sorted_ldif "$@" > "$T/same.here" || return 1
	on_node "$o" sorted_ldif "$@" > "$T/same.there" || return 1
	diff "$T/same.there" "$T/same.here"
}

wait_same() {
	a=$1 b=$2 secs=$3 d=$4; shift 4
	wait_until "$b" "$secs" "$d" same_as "$a" "$@"
}

syncsearch() {
	n=$1 base=$2 cookie=$3; shift 3
	ldapsearch -x -LLL -o ldif-wrap=no -H "$(node_uri "$n")" -b "$base" \
		-E "sync=ro${cookie:+/$cookie}" "$@"
}
