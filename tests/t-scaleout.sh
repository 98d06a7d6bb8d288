# t-scaleout.sh - ILS servers behind HAProxy in TCP mode (doc/scale-out.md)
#
# HAProxy hands each connection to a server with a PROXY protocol v2
# header, and slapd's pldap:// listener takes the client's address from
# it: ownership (a registration belongs to the address that made it) and
# the per-address limits see the client, not the proxy.  Without the
# header every client would share HAProxy's address and could delete
# every other client's registration.
. "$(dirname "$0")/lib.sh"
command -v haproxy >/dev/null || { nok "haproxy is installed (scripts/setup.sh)"; exit 1; }
HPID=
trap 'stop_haproxy; stop_slapd; rm -rf "$T"' EXIT

# start_haproxy PORT SERVER...: round robin over each SERVER (HOST:PORT of
# a pldap:// listener) with PROXY v2 headers; waits until PORT accepts
start_haproxy() {
	hport=$1; shift
	{
		printf 'global\n  maxconn 200\ndefaults\n  mode tcp\n'
		printf '  timeout connect 5s\n  timeout client 150s\n  timeout server 150s\n'
		printf 'frontend ils\n  bind 127.0.0.1:%s\n  default_backend nodes\n' "$hport"
		printf 'backend nodes\n  balance roundrobin\n'
		n=0; for s in "$@"; do n=$((n + 1)); printf '  server n%d %s send-proxy-v2\n' $n "$s"; done
	} > "$T/haproxy.cfg"
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
# via SOURCE ARGS...: ilswire through HAProxy from the client address SOURCE
via() { s=$1; shift; "$WIRE" -b "$s" -H 127.0.0.1 -p "$HAPORT" "$@"; }
ROOT="-D cn=admin,o=Intranet -w secret"
owner() { lsearch $ROOT -b "$(dn "$1")" -s base ilsOwnerAddress 2>/dev/null | sed -n 's/^ilsOwnerAddress: //p'; }

echo "# one server behind HAProxy: the PROXY header carries the client's address"
CONF=$(ils_conf "$T/n1")
sed -i 's|^rootdn .*|&\nrootpw    secret|' "$CONF"
PPORT=$(free_port)
SLAPD_MORE_URLS="pldap://127.0.0.1:$PPORT/" start_slapd -f "$CONF" || exit 1
HAPORT=$(free_port)
check "HAProxy starts in front of it" start_haproxy "$HAPORT" "127.0.0.1:$PPORT"
check "NetMeeting on 127.0.0.2 registers through HAProxy" sh -c \
	"'$WIRE' -b 127.0.0.2 -H 127.0.0.1 -p $HAPORT register a@x | grep -q ' 0 failed'"
check "... and the registration belongs to 127.0.0.2, not to HAProxy" test "$(owner a@x)" = 127.0.0.2
check "its keep-alive through HAProxy finds it" sh -c \
	"'$WIRE' -b 127.0.0.2 -H 127.0.0.1 -p $HAPORT keepalive a@x | grep -q ' 0 failed'"
check "a browse through HAProxy from 127.0.0.3 lists it" sh -c \
	"'$WIRE' -b 127.0.0.3 -H 127.0.0.1 -p $HAPORT browse a@x | grep -q ' 0 failed'"
via 127.0.0.3 unregister a@x > "$T/steal.out" 2>&1
check "127.0.0.3 cannot delete it through HAProxy (50)" grep -q 'resultCode 50' "$T/steal.out"
check "... it is still registered" test "$(owner a@x)" = 127.0.0.2
check "127.0.0.2 leaves through HAProxy" sh -c \
	"'$WIRE' -b 127.0.0.2 -H 127.0.0.1 -p $HAPORT unregister a@x | grep -q ' 0 failed'"
check "... and the registration is gone" gone "$(dn a@x)"
stop_haproxy
stop_slapd
finish
