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
# A whole multi-provider node (slapd-ils(5), REPLICATION):
#   repl_ils_node NAME SID PEER... writes $T/NAME/slapd.conf: ils-config's
#                                  server (with the ILS_TTL_* the caller
#                                  exports), serverID SID, syncprov loaded,
#                                  rootpw secret, one syncrepl of o=Intranet
#                                  per PEER node (rid SID*10+1, +2, ...),
#                                  multiprovider on, overlay syncprov before
#                                  overlay dynttl; dynttl stays the last
#                                  section, so lines appended configure it
#   REPL_ROOT                      its rootdn's ldapsearch arguments
#   held NAME DN                   0 when node NAME stores DN (lapsed or
#                                  not: manageDSAit), 1 when its search
#                                  succeeds without it, 2 when the search
#                                  fails; absent NAME DN: held says 1
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
#       (their LDIF lines compared sorted, whatever the order)
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
	r_p=$(node_pid "$1")
	[ -n "$r_p" ] && kill -0 "$r_p" 2>/dev/null
}

# the node's URI, or PROVIDER itself when it is one already
node_or_uri() {
	case $1 in ldap://* | ldapi://*) echo "$1" ;; *) node_uri "$1" ;; esac
}

node_start() {
	r_n=$1; shift
	[ $# -gt 0 ] || set -- -f "$T/$r_n/slapd.conf"
	r_u=$(node_uri "$r_n")
	"$SLAPD" -d "${SLAPD_DEBUG:-0}" -h "$r_u/" "$@" >> "$T/$r_n/slapd.log" 2>&1 &
	echo $! > "$T/$r_n/pid"
	r_i=0
	while [ $r_i -lt 150 ]; do
		ldapsearch -x -H "$r_u" -b "" -s base >/dev/null 2>&1 && return 0
		node_alive "$r_n" || break
		sleep 0.1; r_i=$((r_i + 1))
	done
	nok "node $r_n started"; sed 's/^/#   /' "$T/$r_n/slapd.log" | tail -20
	rm -f "$T/$r_n/pid"
	return 1
}

node_stop() {
	r_p=$(node_pid "$1")
	[ -n "$r_p" ] || return 0
	kill "$r_p" 2>/dev/null
	r_i=0
	while kill -0 "$r_p" 2>/dev/null && [ $r_i -lt 100 ]; do sleep 0.1; r_i=$((r_i + 1)); done
	kill -9 "$r_p" 2>/dev/null
	wait "$r_p" 2>/dev/null
	rm -f "$T/$1/pid"
}

node_kill() {
	r_p=$(node_pid "$1")
	[ -n "$r_p" ] || return 0
	kill -9 "$r_p" 2>/dev/null
	wait "$r_p" 2>/dev/null
	rm -f "$T/$1/pid"
}

node_stop_all() {
	for r_n in $NODES; do node_stop "$r_n"; done
}

on_node() {
	r_n=$1; shift
	( PORT=$(node_port "$r_n"); URI=ldap://127.0.0.1:$PORT; "$@" )
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
	for r_m in "$@"; do repl_module "$r_m"; done
}

repl_serverid() { echo "serverID $1"; }
repl_multiprovider() { echo "multiprovider on"; }

repl_syncprov() {
	echo "overlay syncprov"
	for r_d in "$@"; do echo "$r_d"; done
}

repl_accesslog() {
	r_l=$1; shift
	cat <<CONF
overlay accesslog
logdb "$r_l"
logops writes
logsuccess TRUE
CONF
	for r_d in "$@"; do echo "$r_d"; done
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
	r_rid=$1 r_prov=$(node_or_uri "$2") r_base=$3 r_bdn=$4 r_pw=$5; shift 5
	printf 'syncrepl rid=%03d provider=%s searchbase="%s"\n' "$r_rid" "$r_prov" "$r_base"
	printf '\ttype=refreshAndPersist retry="1 +" timeout=3 network-timeout=3\n'
	printf '\tbindmethod=simple binddn="%s" credentials="%s"\n' "$r_bdn" "$r_pw"
	for r_kv in "$@"; do printf '\t%s\n' "$r_kv"; done
}

repl_deltasync() {
	r_rid=$1 r_prov=$2 r_base=$3 r_bdn=$4 r_pw=$5 r_lb=$6; shift 6
	repl_syncrepl "$r_rid" "$r_prov" "$r_base" "$r_bdn" "$r_pw" "logbase=\"$r_lb\"" \
		'logfilter="(&(objectClass=auditWriteObject)(reqResult=0))"' \
		syncdata=accesslog "$@"
}

repl_ils_node() {
	r_n=$1 r_sid=$2; shift 2
	"$TOP/scripts/ils-config" "$(node_dir "$r_n")" "$BUILD" >/dev/null || return 1
	r_i=0 r_sr=
	for r_peer in "$@"; do
		r_i=$((r_i + 1))
		r_sr="$r_sr$(repl_syncrepl $((r_sid * 10 + r_i)) "$r_peer" o=Intranet \
			cn=admin,o=Intranet secret)
"
	done
	python3 - "$(node_dir "$r_n")/slapd.conf" "$(repl_serverid "$r_sid")" \
		"$r_sr$(repl_multiprovider)" <<'EOF'
import re, sys
p, sid, syncrepl = sys.argv[1:]
s = open(p).read()
s = s.replace("moduleload", sid + "\nmoduleload syncprov\nmoduleload", 1)
s = re.sub(r'(?m)^(rootdn .*)$', lambda m: m.group(1) + "\nrootpw secret\n" + syncrepl, s, count=1)
s = re.sub(r'(?m)^overlay\s+dynttl', "overlay syncprov\noverlay dynttl", s, count=1)
open(p, "w").write(s)
EOF
}

REPL_ROOT="-D cn=admin,o=Intranet -w secret"
held() {
	ldapsearch -x -LLL -H "$(node_uri "$1")" $REPL_ROOT -e manageDSAit -b "$2" -s base 1.1 \
		> "$T/held.out" 2>&1
	case $? in
	0) grep -q '^dn:' "$T/held.out" && return 0; return 1 ;;
	32) return 1 ;;
	*) cat "$T/held.out"; return 2 ;;
	esac
}
absent() { held "$@"; test $? = 1; }

wait_until() {
	r_n=$1 r_secs=$2 r_d=$3; shift 3
	r_end=$(( $(date +%s) + r_secs ))
	while :; do
		on_node "$r_n" "$@" > "$T/wait.out" 2>&1 && { ok "$r_d"; return 0; }
		r_st=$?
		[ "$(date +%s)" -lt "$r_end" ] || break
		sleep 0.2
	done
	nok "$r_d (not within ${r_secs}s on $r_n; last status $r_st, last output:)"
	sed 's/^/#   /' "$T/wait.out" | head -20
	return "$r_st"
}

# is_count N SEARCH-ARGS...: nentries (lib.sh) is N
is_count() {
	r_want=$1; shift
	r_got=$(nentries "$@")
	echo "$r_got entries, want $r_want"
	[ "$r_got" = "$r_want" ]
}

wait_count() {
	r_n=$1 r_want=$2 r_secs=$3 r_d=$4; shift 4
	wait_until "$r_n" "$r_secs" "$r_d" is_count "$r_want" "$@"
}

# the entries of a search, attribute lines sorted within and across
# entries, so that two servers' answers compare whatever their order
sorted_ldif() {
	ldapsearch -x -LLL -o ldif-wrap=no -H "$URI" "$@" > "$T/sorted.$$" || return 1
	sed '/^$/d' "$T/sorted.$$" | LC_ALL=C sort
}

# same_as OTHER SEARCH-ARGS...: this node answers the search as OTHER does
same_as() {
	r_o=$1; shift
	sorted_ldif "$@" > "$T/same.here" || return 1
	on_node "$r_o" sorted_ldif "$@" > "$T/same.there" || return 1
	diff "$T/same.there" "$T/same.here"
}

wait_same() {
	r_a=$1 r_b=$2 r_secs=$3 r_d=$4; shift 4
	wait_until "$r_b" "$r_secs" "$r_d" same_as "$r_a" "$@"
}

syncsearch() {
	r_n=$1 r_base=$2 r_cookie=$3; shift 3
	ldapsearch -x -LLL -o ldif-wrap=no -H "$(node_uri "$r_n")" -b "$r_base" \
		-E "sync=ro${r_cookie:+/$r_cookie}" "$@"
}
