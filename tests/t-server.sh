# t-server.sh - README's first command serves a NetMeeting session
. "$(dirname "$0")/lib.sh"
PORT=$(free_port)
URI=ldap://127.0.0.1:$PORT
"$TOP/scripts/ils-server" -h "$URI/" -d "$T/srv" -l 0 > "$T/server.log" 2>&1 &
SPID=$!		# ils-server execs slapd: this is slapd's PID
i=0
while [ $i -lt 300 ] && ! ldapsearch -x -H "$URI" -b "" -s base >/dev/null 2>&1; do
	kill -0 "$SPID" 2>/dev/null || break
	sleep 0.1; i=$((i + 1))
done
check "scripts/ils-server answers on the chosen URL" ldapsearch -x -H "$URI" -b "" -s base
check "its configuration is in the chosen data folder" test -f "$T/srv/slapd.conf"
wire register srv@example.org
wire browse srv@example.org
check "the registration is dynamic with the default TTL (30 min)" sh -c \
	"ldapsearch -x -LLL -H $URI -b cn=srv@example.org,ou=Dynamic,o=Intranet -s base entryTtl | grep -Eq '^entryTtl: 1[78][0-9][0-9]$'"
wire keepalive srv@example.org
wire unregister srv@example.org
stop_slapd
check "slapd stopped by its PID" sh -c "! kill -0 $SPID 2>/dev/null"
finish
