# t-scaleout.sh - ILS servers behind HAProxy in TCP mode (doc/scale-out.md)
#
# HAProxy hands each connection to a server with a PROXY protocol v2
# header, and slapd's pldap:// listener takes the client's address from
# it: ownership (a registration belongs to the address that made it) and
# the per-address limits see the client, not the proxy.  Without the
# header every client would share HAProxy's address and could delete
# every other client's registration.
#
# Then the recipe of doc/scale-out.md, with the configurations it shows:
# three back-ils multi-provider nodes behind one HAProxy, round robin with
# health checks.  NetMeeting registers, keeps alive, browses and leaves
# through HAProxy; every node serves what any node was told; a node killed
# with -9 is skipped, and catches up when it comes back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/repl.sh"
command -v haproxy >/dev/null || { nok "haproxy is installed (scripts/setup.sh)"; exit 1; }
HPID=
trap 'stop_haproxy; node_stop_all; stop_slapd; rm -rf "$T"' EXIT
DOC=$TOP/doc/scale-out.md
PW=secret
ROOT="-D cn=admin,o=Intranet -w $PW"
# stats and sync: the nodes log their refusals and their replication
# (and a fresh database at loglevel sync once crashed slapd at start)
SLAPD_DEBUG=16640
# the health checks of the test: a dead node is skipped within a second
# (the doc's are "inter 2s fall 2 rise 2")
HA_CHECK="inter 300ms fall 1 rise 1"

# haproxy_cfg SOCKET CHECK BIND... -- SERVER...: doc/scale-out.md's
# haproxy.cfg: TCP mode, round robin over each SERVER (HOST:PORT of a
# pldap:// listener) with PROXY v2 headers and LDAP health checks timed
# by CHECK; a connection refused is tried on another server at once
haproxy_cfg() {
	h_sock=$1 h_check=$2; shift 2
	printf 'global\n\tmaxconn 2000\n\tstats socket %s mode 600 level admin\n' "$h_sock"
	printf 'defaults\n\tmode tcp\n\ttimeout connect 5s\n'
	printf '\ttimeout client 150s\n\ttimeout server 150s\n'
	printf '\tretries 2\n\toption redispatch 1\n'
	printf 'frontend ils\n'
	while [ $# -gt 0 ] && [ "$1" != -- ]; do printf '\tbind %s\n' "$1"; shift; done
	shift
	printf '\tdefault_backend nodes\n'
	printf 'backend nodes\n\tbalance roundrobin\n\toption ldap-check\n'
	printf '\tdefault-server check %s send-proxy-v2\n' "$h_check"
	h_n=0
	for h_s in "$@"; do h_n=$((h_n + 1)); printf '\tserver n%d %s\n' $h_n "$h_s"; done
}

# start_haproxy PORT SERVER...: haproxy_cfg on 127.0.0.1:PORT; waits
# until PORT accepts
start_haproxy() {
	hport=$1; shift
	haproxy_cfg "$T/haproxy.sock" "$HA_CHECK" "127.0.0.1:$hport" -- "$@" > "$T/haproxy.cfg"
	haproxy -f "$T/haproxy.cfg" -db >> "$T/haproxy.log" 2>&1 &
	HPID=$!
	i=0
	while [ $i -lt 100 ]; do
		python3 -c "import socket; socket.create_connection(('127.0.0.1', $hport), 1).close()" \
			2>/dev/null && return 0
		kill -0 "$HPID" 2>/dev/null || break
		sleep 0.1; i=$((i + 1))
	done
	sed 's/^/#   /' "$T/haproxy.log" | tail -10
	return 1
}
stop_haproxy() {
	[ -n "$HPID" ] || return 0
	kill "$HPID" 2>/dev/null; wait "$HPID" 2>/dev/null; HPID=
}
# ha_show SERVER: the status (UP, DOWN) and the redispatched connections
# of backend nodes' SERVER (or BACKEND) on HAProxy's stats socket
ha_show() {
	python3 - "$T/haproxy.sock" "$1" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"show stat\n")
out = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    out += b
for l in out.decode().splitlines():
    f = l.split(",")
    # pxname, svname, ..., wretr (15), wredis (16), status (17)
    if len(f) > 17 and f[0] == "nodes" and f[1] == sys.argv[2]:
        print(f[17], f[16] or 0)
EOF
}
# ha_status SERVER STATUS: HAProxy says SERVER is STATUS
ha_status() { h_st=$(ha_show "$1"); echo "$1: $h_st"; [ "${h_st%% *}" = "$2" ]; }
# via SOURCE ARGS...: ilswire through HAProxy from the client address SOURCE
via() { s=$1; shift; "$WIRE" -b "$s" -H 127.0.0.1 -p "$HAPORT" "$@"; }
# passes SOURCE ARGS...: ilswire through HAProxy, every check passed
passes() { via "$@" > "$T/via.out" 2>&1; r=$?; cat "$T/via.out"; [ $r = 0 ] && grep -q ' 0 failed' "$T/via.out"; }
owner() { lsearch $ROOT -b "$(dn "$1")" -s base ilsOwnerAddress 2>/dev/null | sed -n 's/^ilsOwnerAddress: //p'; }

echo "# one server behind HAProxy: the PROXY header carries the client's address"
CONF=$(ils_conf "$T/n0")
sed -i "s|^rootdn .*|&\nrootpw    $PW|" "$CONF"
# syncrepl finds the entry of a replicated Modify or Delete by
# (entryUUID=...), whose normalised value is 16 bytes: 0x25 among them
# is no ILS '%' wildcard
PCT=25252525-2525-1525-a525-252525252525
printf 'dn: %s\nobjectClass: rtPerson\ncn: pct@x\nentryUUID: %s\n\n' "$(dn pct@x)" $PCT > "$T/pct.ldif"
check "slapadd loads a registration whose entryUUID bytes are all 0x25" \
	slapadd -f "$CONF" -b o=Intranet -l "$T/pct.ldif"
PPORT=$(free_port)
SLAPD_MORE_URLS="pldap://127.0.0.1:$PPORT/" start_slapd -f "$CONF" || exit 1
HAPORT=$(free_port)
check "HAProxy starts in front of it" start_haproxy "$HAPORT" "127.0.0.1:$PPORT"
check "... (entryUUID=$PCT) finds it" test "$(nentries -b o=Intranet "(entryUUID=$PCT)")" = 1
check "NetMeeting on 127.0.0.2 registers through HAProxy" passes 127.0.0.2 register a@x
check "... and the registration belongs to 127.0.0.2, not to HAProxy" test "$(owner a@x)" = 127.0.0.2
check "its keep-alive through HAProxy finds it" passes 127.0.0.2 keepalive a@x
check "a browse through HAProxy from 127.0.0.3 lists it" passes 127.0.0.3 browse a@x
via 127.0.0.3 unregister a@x > "$T/steal.out" 2>&1
check "127.0.0.3 cannot delete it through HAProxy (50)" grep -q 'resultCode 50' "$T/steal.out"
check "... it is still registered" test "$(owner a@x)" = 127.0.0.2
check "127.0.0.2 leaves through HAProxy" passes 127.0.0.2 unregister a@x
check "... and the registration is gone" gone "$(dn a@x)"
stop_haproxy
stop_slapd

# mp_conf DIR SID [RID PEER]...: doc/scale-out.md's slapd.conf of one
# node, in DIR: scripts/ils-config's server with serverID SID, syncprov,
# the rootdn's password for the peers' replication binds, a syncrepl of
# o=Intranet from each PEER (a node name or URI; RID its rid) and
# multiprovider on; overlay syncprov before overlay dynttl, so that the
# TTL overlay runs first and syncprov sends entries as stored
# (slapd-ils(5), REPLICATION).  MODDIR: where the modules are.
mp_conf() {
	c_dir=$1 c_sid=$2; shift 2
	"$TOP/scripts/ils-config" "$c_dir" "${MODDIR:-$BUILD}" > /dev/null || return 1
	c_hash=$(slappasswd -s "$PW") || return 1
	: > "$c_dir/syncrepl"
	while [ $# -ge 2 ]; do
		repl_syncrepl "$1" "$2" o=Intranet cn=admin,o=Intranet "$PW" >> "$c_dir/syncrepl" || return 1
		shift 2
	done
	awk -v sid="$c_sid" -v pw="$c_hash" -v sr="$c_dir/syncrepl" '
		/^moduleload/ && !m { print "serverID " sid; print "moduleload syncprov"; m = 1 }
		/^overlay[ \t]+dynttl/ { print "overlay   syncprov" }
		{ print }
		/^rootdn/ {
			print "rootpw    " pw
			while ((getline l < sr) > 0) print l
			print "multiprovider on"
		}' "$c_dir/slapd.conf" > "$c_dir/slapd.conf.new" &&
		mv "$c_dir/slapd.conf.new" "$c_dir/slapd.conf"
}
# mp_start NAME: node_start with the node's pldap:// listener as well
# (slapd takes one -h)
mp_start() {
	m_u="$(node_uri "$1")/ pldap://127.0.0.1:$(cat "$T/$1/pport")/"
	"$SLAPD" -d "${SLAPD_DEBUG:-0}" -h "$m_u" -f "$T/$1/slapd.conf" >> "$T/$1/slapd.log" 2>&1 &
	echo $! > "$T/$1/pid"
	m_i=0
	while [ $m_i -lt 150 ]; do
		ldapsearch -x -H "$(node_uri "$1")" -b "" -s base >/dev/null 2>&1 && return 0
		node_alive "$1" || break
		sleep 0.1; m_i=$((m_i + 1))
	done
	sed 's/^/#   /' "$T/$1/slapd.log" | tail -20
	rm -f "$T/$1/pid"
	return 1
}
# doc_block NAME: the fenced block after "<!-- t-scaleout: NAME -->" in
# doc/scale-out.md
doc_block() {
	awk -v tag="<!-- t-scaleout: $1 -->" '
		$0 == tag { f = 1; next }
		f && /^```/ { if (b) exit; b = 1; next }
		f && b { print }' "$DOC"
}
# conf_lines: a slapd.conf without comments, blank lines and the salted
# hash of its rootpw, for comparing configurations
conf_lines() { sed -e '/^#/d' -e '/^[ \t]*$/d' -e 's/^\(rootpw[ \t]*{SSHA}\).*/\1/' "$@"; }

echo "# the doc's configurations are the ones this test runs"
mkdir -p "$T/doc" && MODDIR=$T/nomodules mp_conf "$T/doc" 1 \
	2 ldap://10.0.0.12:389 3 ldap://10.0.0.13:389 > /dev/null
conf_lines "$T/doc/slapd.conf" | sed -e "s|$T/doc|/srv/ils|g" -e "s|$TOP/schema|/etc/ldap/schema|g" > "$T/doc.want"
doc_block node1.conf | conf_lines > "$T/doc.got"
check "doc/scale-out.md's slapd.conf of node 1 is mp_conf's" diff "$T/doc.want" "$T/doc.got"
haproxy_cfg /run/haproxy/admin.sock "inter 2s fall 2 rise 2" :389 :1002 -- \
	10.0.0.11:3389 10.0.0.12:3389 10.0.0.13:3389 > "$T/ha.want"
doc_block haproxy.cfg > "$T/ha.got"
check "doc/scale-out.md's haproxy.cfg is haproxy_cfg's" diff "$T/ha.want" "$T/ha.got"

echo "# three multi-provider nodes behind HAProxy"
for n in 1 2 3; do
	node_new n$n && free_port > "$T/n$n/pport" || { nok "node n$n made"; exit 1; }
done
mp_conf "$T/n1" 1 2 n2 3 n3 && mp_conf "$T/n2" 2 1 n1 3 n3 && mp_conf "$T/n3" 3 1 n1 2 n2 ||
	{ nok "nodes configured"; exit 1; }
for n in 1 2 3; do check "node n$n starts with ldap:// and pldap:// listeners" mp_start n$n; done
HAPORT=$(free_port)
check "HAProxy starts in front of them" start_haproxy "$HAPORT" \
	"127.0.0.1:$(cat "$T/n1/pport")" "127.0.0.1:$(cat "$T/n2/pport")" "127.0.0.1:$(cat "$T/n3/pport")"
for n in 1 2 3; do wait_until n1 5 "HAProxy's health check finds n$n up" ha_status n$n UP; done
# everywhere SECS DESCRIPTION CMD...: CMD holds on each node of $UP
UP="n1 n2 n3"
everywhere() {
	e_s=$1 e_d=$2; shift 2
	for e_n in $UP; do wait_until $e_n "$e_s" "$e_d on $e_n" "$@"; done
}
# lists NAME: NetMeeting's browse of the node on_node chose lists NAME
# (ilswire's status: its bind and search pass whether or not it does)
lists() { "$WIRE" -H 127.0.0.1 -p "$PORT" nm-find "$1" 3758139584; }
owned() { test "$(owner "$1")" = "$2"; }

check "NetMeeting on 127.0.0.2 registers through HAProxy" passes 127.0.0.2 register a@x
check "... and another user on 127.0.0.2" passes 127.0.0.2 register c@x
everywhere 5 "NetMeeting's browse lists a@x" lists a@x
everywhere 5 "a@x belongs to 127.0.0.2" owned a@x 127.0.0.2
for i in 1 2 3; do
	check "keep-alive $i of a@x through HAProxy finds it" passes 127.0.0.2 keepalive a@x
	check "browse $i through HAProxy from 127.0.0.3 lists it" passes 127.0.0.3 browse a@x
	via 127.0.0.3 unregister a@x > "$T/steal.out" 2>&1
	check "delete $i from 127.0.0.3 through HAProxy is refused (50)" grep -q 'resultCode 50' "$T/steal.out"
done
everywhere 1 "a@x still belongs to 127.0.0.2" owned a@x 127.0.0.2
# ils-max-per-minute (20) holds on each node for the Adds it is sent:
# round robin gives each node 7 of these 21
# register_upto N: 127.0.0.4 registers r<i>@x from the last i it reached
# up to N through HAProxy; the names that failed go into $bad
i=0
register_upto() {
	bad=
	while [ $i -lt "$1" ]; do
		i=$((i + 1))
		via 127.0.0.4 register r$i@x > "$T/r.out" 2>&1 || bad="$bad r$i"
	done
}
register_upto 21
check "127.0.0.4 registers 21 names in a row through three nodes (20 a minute on each)" test -z "$bad"
everywhere 5 "all 21 are there" is_count 21 -b ou=Dynamic,o=Intranet -s one '(cn=r*@x)'
# ils-max-per-address (50) counts on each node what it stores, the
# registrations its peers replicated to it too
register_upto 50
check "127.0.0.4 registers 29 more through HAProxy (17 on each node in all)" test -z "$bad"
everywhere 5 "all 50 are there" is_count 50 -b ou=Dynamic,o=Intranet -s one '(cn=r*@x)'
for n in 1 2 3; do
	via 127.0.0.4 register r5$n@x > "$T/r.out" 2>&1
	check "a 51st name from 127.0.0.4 through HAProxy is refused (11), try $n" \
		grep -q 'resultCode 11' "$T/r.out"
done
for n in 1 2 3; do
	check "n$n refused it: ils-max-per-address" grep -q 'ils-max-per-address: refused from 127.0.0.4' "$T/n$n/slapd.log"
done

echo "# node n2 dies"
N2PID=$(node_pid n2)
node_kill n2
UP="n1 n3"
check "n2 is gone (kill -9)" sh -c "! kill -0 $N2PID 2>/dev/null"
# before the health check notices, HAProxy's try at n2 is refused and
# redispatched to another node
check "NetMeeting registers b@x through HAProxy at once" passes 127.0.0.2 register b@x
check "... keeps a@x alive at once" passes 127.0.0.2 keepalive a@x
check "... and browses at once" passes 127.0.0.3 browse b@x
echo "# HAProxy: backend $(ha_show BACKEND | sed 's/ / with /') redispatched connections"
wait_until n1 5 "HAProxy's health check finds n2 down" ha_status n2 DOWN
for i in 1 2 3; do
	check "keep-alive $i of a@x through HAProxy" passes 127.0.0.2 keepalive a@x
	check "keep-alive $i of b@x through HAProxy" passes 127.0.0.2 keepalive b@x
	check "browse $i through HAProxy lists b@x" passes 127.0.0.3 browse b@x
done
check "c@x leaves through HAProxy" passes 127.0.0.2 unregister c@x
everywhere 5 "b@x is listed" lists b@x
everywhere 5 "c@x is gone" gone "$(dn c@x)"
everywhere 1 "b@x belongs to 127.0.0.2" owned b@x 127.0.0.2

echo "# n2 comes back"
check "n2 restarts on its data" mp_start n2
UP="n1 n2 n3"
wait_until n2 10 "n2 catches up: lists b@x, registered while it was down" lists b@x
wait_until n2 5 "... and has c@x no more, deleted while it was down" gone "$(dn c@x)"
check "... b@x belongs to 127.0.0.2 on n2" on_node n2 owned b@x 127.0.0.2
check "... n2 still has a@x" on_node n2 lists a@x
wait_until n1 5 "HAProxy's health check finds n2 up again" ha_status n2 UP
check "n2 serves NetMeeting's browse itself" sh -c \
	"'$WIRE' -b 127.0.0.3 -H 127.0.0.1 -p $(node_port n2) browse b@x | grep -q ' 0 failed'"
for i in 1 2 3; do
	check "keep-alive $i of b@x through HAProxy" passes 127.0.0.2 keepalive b@x
done

echo "# leaving removes them everywhere"
check "a@x leaves through HAProxy" passes 127.0.0.2 unregister a@x
check "b@x leaves through HAProxy" passes 127.0.0.2 unregister b@x
everywhere 5 "a@x is gone" gone "$(dn a@x)"
everywhere 5 "b@x is gone" gone "$(dn b@x)"
check "no replication error in the nodes' logs" sh -c \
	"! grep -i 'syncUUID\|be_add.*failed\|be_modify.*failed\|be_delete.*failed' $T/n1/slapd.log $T/n2/slapd.log $T/n3/slapd.log"
check "every node still runs" sh -c "kill -0 $(node_pid n1) && kill -0 $(node_pid n2) && kill -0 $(node_pid n3)"
stop_haproxy
node_stop_all
finish
