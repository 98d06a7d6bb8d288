# t-syncprov.sh - replication smoke check: back-ils with slapo-dynttl and
# syncprov as provider, a back-mdb consumer (refreshAndPersist) on another
# loopback port.  The consumer receives the containers and a registration
# made with the cn=...,ou=Dynamic,o=Intranet DN, with its entryUUID; it
# never logs "empty or invalid syncUUID"; it saves its cookie
# (contextCSN) in its suffix entry; a keep-alive's persisted refresh
# reaches it with a new entryCSN; the provider's contextCSN is stored in
# o=Intranet and read back after a restart.
. "$(dirname "$0")/lib.sh"
ILS_TTL_DEFAULT=5m
export ILS_TTL_DEFAULT
# refreshes written at once, so the consumer learns them at once
sed -e 's/^dynttl-all on$/&\ndynttl-persist-delay 0/' \
	-e 's|^rootdn .*|&\nrootpw secret|' -e 's|^moduleload .*dynttl.la$|&\nmoduleload syncprov|' \
	"$(ils_conf "$T/p")" > "$T/provider.conf"
echo "overlay syncprov" >> "$T/provider.conf"
# the provider's stored entries as they are, without the overlays
grep -v -e '^overlay' -e '^dynttl-' "$T/provider.conf" > "$T/plain.conf"
start_slapd -f "$T/provider.conf" || exit 1
PPID_=$SPID PURI=$URI PPORT=$PORT

# the consumer: back-mdb, knowing the ILS schema and the attributes the
# two modules define
mkdir -p "$T/c"
CPORT=$(free_port)
{
	mdb_conf_head | sed "s|$T/slapd.pid|$T/c/slapd.pid|"
	cat <<CONF
include $TOP/schema/ils.schema
moduleload $BUILD/back_ils.la
database mdb
suffix "o=Intranet"
rootdn "cn=consumer,o=Intranet"
rootpw secret
directory $T/c
syncrepl rid=001 provider=$PURI bindmethod=simple binddn="cn=admin,o=Intranet"
	credentials=secret searchbase="o=Intranet" scope=sub type=refreshAndPersist
	attrs="*,+" schemachecking=off retry="1 +"
CONF
} > "$T/consumer.conf"
check "the consumer's configuration is valid" "$SLAPD" -Tt -u -f "$T/consumer.conf"
# its log at level sync: syncrepl's errors, and a line per change
SPID= PORT=$CPORT
SLAPD_DEBUG=sync start_slapd -f "$T/consumer.conf" || exit 1
CPID=$SPID CURI=$URI
SPID=$PPID_ URI=$PURI PORT=$PPORT

# wait_for URI DN [FILTER]: up to 30 s for DN (matching FILTER) on URI
wait_for() {
	i=0
	while [ $i -lt 150 ]; do
		ldapsearch -x -LLL -H "$1" -b "$2" -s base "${3:-(objectClass=*)}" 1.1 2>/dev/null |
			grep -q '^dn:' && return 0
		sleep 0.2; i=$((i + 1))
	done
	return 1
}
attr() { ldapsearch -x -LLL -o ldif-wrap=no -H "$1" -b "$2" -s base "$3" 2>/dev/null | sed -n "s/^$3: //p"; }

u=repl@contoso.com
check "a registration is added on the provider under ou=Dynamic" ldif_add "$(dn "$u")" \
	"objectClass: rtPerson" "cn: $u" "sipaddress: 16777343" "givenname: Repl" "sttl: 5"
check "the consumer receives o=Intranet" wait_for "$CURI" "o=Intranet"
check "... ou=Dynamic,o=Intranet" wait_for "$CURI" "ou=Dynamic,o=Intranet"
check "... and the registration" wait_for "$CURI" "$(dn "$u")"
uuid=$(attr "$PURI" "$(dn "$u")" entryUUID)
check "the provider's registration has an entryUUID" test -n "$uuid"
check "the consumer's copy has the same entryUUID" test "$(attr "$CURI" "$(dn "$u")" entryUUID)" = "$uuid"
check "... and the same givenName" test "$(attr "$CURI" "$(dn "$u")" givenName)" = Repl
check "the consumer's o=Intranet has the provider's entryUUID" \
	test "$(attr "$CURI" o=Intranet entryUUID)" = "$(attr "$PURI" o=Intranet entryUUID)"

# a keep-alive: the overlay's persisted refresh, an internal Modify
csn1=$(attr "$PURI" "$(dn "$u")" entryCSN)
sleep 1.1
# (NetMeeting's: its Modify of sttl under its own DN form, which the
# overlay answers itself and records with an internal Modify)
wire keepalive "$u" > "$T/ka.out"
check "NetMeeting's keep-alive refreshes the registration" grep -q '^ok - keepalive: entry DN' "$T/ka.out"
csn2=$(attr "$PURI" "$(dn "$u")" entryCSN)
check "the persisted refresh gives the entry a later entryCSN" test "$csn2" \> "$csn1"
check "the consumer receives the refresh (its entryCSN)" wait_for "$CURI" "$(dn "$u")" "(entryCSN=$csn2)"
check "... and its expiry time" test "$(attr "$CURI" "$(dn "$u")" dynttlExpireTime)" = \
	"$(attr "$PURI" "$(dn "$u")" dynttlExpireTime)"

# the consumer's cookie: its contextCSN, in its suffix entry
ok_cookie() { test "$(attr "$CURI" o=Intranet contextCSN)" = "$csn2"; }
i=0; while [ $i -lt 50 ] && ! ok_cookie; do sleep 0.2; i=$((i + 1)); done
check "the consumer saved its cookie (contextCSN is the refresh's CSN)" ok_cookie
check "the consumer logs its syncrepl work (so the next two can fail)" grep -q 'do_syncrep2: rid=001' "$T/slapd.log"
check "the consumer logged no \"empty or invalid syncUUID\"" sh -c "! grep -q 'empty or invalid syncUUID' '$T/slapd.log'"
check "the consumer logged no failed cookie update" sh -c "! grep -q 'syncrepl_updateCookie.*failed' '$T/slapd.log'"

# a Delete reaches it
check "the registration is deleted on the provider" ldapdelete -x -H "$PURI" "$(dn "$u")"
i=0; while [ $i -lt 150 ] && ldapsearch -x -LLL -H "$CURI" -b "$(dn "$u")" -s base 1.1 2>/dev/null | grep -q '^dn:'; do
	sleep 0.2; i=$((i + 1)); done
check "... and on the consumer" sh -c "! ldapsearch -x -LLL -H '$CURI' -b '$(dn "$u")' -s base 1.1 2>/dev/null | grep -q '^dn:'"

# the provider's contextCSN is kept in the stored o=Intranet: syncprov
# writes it at shutdown; read back without syncprov, from the record
ctx=$(attr "$PURI" o=Intranet contextCSN)
check "the provider has a contextCSN" test -n "$ctx"
stop_slapd
start_slapd -f "$T/plain.conf" || exit 1
check "after a restart o=Intranet holds the provider's contextCSN" \
	test "$(attr "$URI" o=Intranet contextCSN)" = "$ctx"
stop_slapd
SPID=$CPID; stop_slapd
finish
