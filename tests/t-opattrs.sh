# t-opattrs.sh - operational attributes and stored containers: every
# registration, whichever DN dialect made it, has entryUUID, entryCSN,
# creatorsName, createTimestamp, modifiersName and modifyTimestamp (and
# what slapd computes: structuralObjectClass, hasSubordinates, entryDN,
# subschemaSubentry); an owner's re-Add and a Modify keep entryUUID and the
# creation, and give a later entryCSN; a keep-alive's persisted refresh
# writes modify*; they come with "+" or by name, not with "*" or no list;
# entryCSN and entryUUID filters match.  The containers are stored
# entries with name-derived entryUUIDs; the rootdn's change of one is
# kept across a restart, an anonymous client's is refused as ever.
. "$(dirname "$0")/lib.sh"
ILS_TTL_DEFAULT=5m
export ILS_TTL_DEFAULT
sed -e 's/^dynttl-all on$/&\ndynttl-persist-delay 0/' \
	-e 's|^rootdn .*|&\nrootpw secret|' "$(ils_conf "$T/d")" > "$T/slapd.conf"
CONF=$T/slapd.conf
ROOT="-D cn=admin,o=Intranet -w secret"
start_slapd -f "$CONF" || exit 1
# lsearch for sh -c (the port stays the same across restarts)
LS="ldapsearch -x -LLL -o ldif-wrap=no -H $URI"

# ops DN: the entry's operational attributes ("+"), one per line
# (bound as the rootdn, who sees unlisted registrations too)
ops() { lsearch $ROOT -b "$1" -s base '+' > "$T/ops.out" && cat "$T/ops.out"; }
value() { sed -n "s/^$2: //p" "$1"; }
# has_opattrs DN: all ten, each once
has_opattrs() {
	ops "$1" > "$T/has.out" || return 1
	for a in entryUUID entryCSN creatorsName createTimestamp modifiersName modifyTimestamp \
		structuralObjectClass hasSubordinates entryDN subschemaSubentry; do
		[ "$(grep -c "^$a:" "$T/has.out")" = 1 ] || { echo "$1: $a"; cat "$T/has.out"; return 1; }
	done
}

echo "# every DN dialect"
DIALER='egruber]w2kils.testdomain.int'
wire register nm@contoso.com > /dev/null
check "NetMeeting's reversed DN: the registration has the operational attributes" has_opattrs "$(dn nm@contoso.com)"
check "an Add under ou=Dynamic" ldif_add "$(dn v3@example.org)" "objectClass: rtPerson" "cn: v3@example.org" \
	"sipaddress: 16777343" "givenname: Vee"
check "... has them" has_opattrs "$(dn v3@example.org)"
wire ptlib pt@example.org > /dev/null
check "PTLib's DN form: they are there" has_opattrs "$(dn pt@example.org)"
wire tapi-conf "Demo Conference" > /dev/null
check "a conference has them" has_opattrs "uid=Demo Conference,ou=Dynamic,o=Intranet"
wire tapi "$DIALER" > /dev/null
check "the Dialer's person has them" has_opattrs "$(dn "$DIALER")"
check "... and its application user" has_opattrs "cn=$DIALER,appName=MS-NetMeeting,ou=Applications,o=Intranet"
ops "$(dn v3@example.org)" > "$T/v3.add"
check "structuralObjectClass is rtPerson" test "$(value "$T/v3.add" structuralObjectClass)" = rtPerson
check "an anonymous Add: creatorsName is empty (anonymous), as slapd writes it" \
	grep -qx 'creatorsName:' "$T/v3.add"
check "a registration has no subordinates" test "$(value "$T/v3.add" hasSubordinates)" = FALSE
check "entryDN is the canonical name" test "$(value "$T/v3.add" entryDN)" = "$(dn v3@example.org)"
check "two registrations have different entryUUIDs" test \
	"$(ops "$(dn v3@example.org)" | sed -n 's/^entryUUID: //p')" != "$(ops "$(dn nm@contoso.com)" | sed -n 's/^entryUUID: //p')"

echo "# \"+\", \"*\", no list, by name"
check "no attribute list: no entryUUID" sh -c "$LS -b '$(dn v3@example.org)' -s base > '$T/l' &&
	grep -q '^givenName: Vee' '$T/l' && ! grep -q -e '^entryUUID:' -e '^entryCSN:' -e '^creatorsName:' '$T/l'"
check "\"*\": none either" sh -c "$LS -b '$(dn v3@example.org)' -s base '*' > '$T/l' &&
	grep -q '^givenName: Vee' '$T/l' && ! grep -q -e '^entryUUID:' -e '^modifyTimestamp:' '$T/l'"
check "\"+\": no user attributes" sh -c "! grep -q '^givenName:' '$T/v3.add'"
check "named: entryCSN and givenName, nothing else" sh -c "$LS -b '$(dn v3@example.org)' -s base entryCSN givenName |
	grep -v '^dn:' | grep . | cut -d: -f1 | sort | tr '\n' ' ' | grep -qx 'entryCSN givenName '"
check "an LDAPv2 reply carries the same entryUUID and creatorsName" sh -c \
	"ldapsearch -P 2 -x -LLL -o ldif-wrap=no -H $URI -b '$(dn v3@example.org)' -s base entryUUID createTimestamp > '$T/v2' &&
	 test \"\$(sed -n 's/^entryUUID: //p' '$T/v2')\" = '$(value "$T/v3.add" entryUUID)' &&
	 test \"\$(sed -n 's/^createTimestamp: //p' '$T/v2')\" = '$(value "$T/v3.add" createTimestamp)'"

echo "# the owner's re-Add and Modify"
sleep 1.1
check "the owner re-Adds its registration" ldif_add "$(dn v3@example.org)" "objectClass: rtPerson" \
	"cn: v3@example.org" "sipaddress: 16777343" "givenname: Again"
ops "$(dn v3@example.org)" > "$T/v3.readd"
check "the re-Add keeps entryUUID" test "$(value "$T/v3.readd" entryUUID)" = "$(value "$T/v3.add" entryUUID)"
check "... and createTimestamp" test "$(value "$T/v3.readd" createTimestamp)" = "$(value "$T/v3.add" createTimestamp)"
check "... and gives a later entryCSN" test "$(value "$T/v3.readd" entryCSN)" \> "$(value "$T/v3.add" entryCSN)"
check "... and a later modifyTimestamp" test "$(value "$T/v3.readd" modifyTimestamp)" \> "$(value "$T/v3.add" modifyTimestamp)"
sleep 1.1
check "the owner modifies its registration" sh -c "printf 'dn: %s\nchangetype: modify\nreplace: givenname\ngivenname: Third\n' \
	'$(dn v3@example.org)' | ldapmodify -x -H $URI"
ops "$(dn v3@example.org)" > "$T/v3.mod"
check "the Modify keeps entryUUID" test "$(value "$T/v3.mod" entryUUID)" = "$(value "$T/v3.add" entryUUID)"
check "... and gives a later entryCSN" test "$(value "$T/v3.mod" entryCSN)" \> "$(value "$T/v3.readd" entryCSN)"
check "... and a later modifyTimestamp" test "$(value "$T/v3.mod" modifyTimestamp)" \> "$(value "$T/v3.readd" modifyTimestamp)"
check "the rootdn's Modify makes it modifiersName" sh -c "printf 'dn: %s\nchangetype: modify\nreplace: comment\ncomment: by the admin\n' \
	'$(dn v3@example.org)' | ldapmodify -x -H $URI $ROOT && $LS -b '$(dn v3@example.org)' -s base modifiersName |
	grep -qx 'modifiersName: cn=admin,o=Intranet'"
wire gnome gm@example.org > /dev/null
gu=$(ops "$(dn gm@example.org)" | sed -n 's/^entryUUID: //p')
check "GnomeMeeting's registration has an entryUUID" test -n "$gu"
wire add-expect 0 "$(dn gm@example.org)" objectClass=rtPerson cn=gm@example.org sipaddress=3232235786 > /dev/null
check "GnomeMeeting's periodic re-Add keeps it" test "$(ops "$(dn gm@example.org)" | sed -n 's/^entryUUID: //p')" = "$gu"

echo "# keep-alives: the overlay's persisted refresh"
ops "$(dn nm@contoso.com)" > "$T/nm.before"
sleep 1.1
wire keepalive nm@contoso.com > "$T/ka.out"
check "NetMeeting's keep-alive finds its registration" grep -q '^ok - keepalive: entry DN' "$T/ka.out"
ops "$(dn nm@contoso.com)" > "$T/nm.after"
check "the refresh keeps entryUUID" test "$(value "$T/nm.after" entryUUID)" = "$(value "$T/nm.before" entryUUID)"
check "... gives a later entryCSN" test "$(value "$T/nm.after" entryCSN)" \> "$(value "$T/nm.before" entryCSN)"
check "... and a later modifyTimestamp" test "$(value "$T/nm.after" modifyTimestamp)" \> "$(value "$T/nm.before" modifyTimestamp)"
check "... written by the server (the rootdn)" test "$(value "$T/nm.after" modifiersName)" = "cn=admin,o=Intranet"
check "... keeps creatorsName and createTimestamp" sh -c \
	"test '$(value "$T/nm.after" createTimestamp)' = '$(value "$T/nm.before" createTimestamp)' &&
	 grep -qx 'creatorsName:' '$T/nm.after'"

echo "# filters"
csn=$(value "$T/nm.after" entryCSN)
check "(entryCSN>=CSN) finds the newest entries, the keep-alive's among them" sh -c \
	"$LS $ROOT -b o=Intranet -s sub '(entryCSN>=$csn)' 1.1 > '$T/f' && grep -qx 'dn: $(dn nm@contoso.com)' '$T/f' &&
	 ! grep -qx 'dn: $(dn pt@example.org)' '$T/f'"
check "(entryCSN<=CSN) finds the older ones" sh -c \
	"$LS $ROOT -b o=Intranet -s sub '(entryCSN<=$csn)' 1.1 | grep -qx 'dn: $(dn pt@example.org)'"
uuid=$(value "$T/v3.add" entryUUID)
check "(entryUUID=...) finds exactly that entry" sh -c "$LS $ROOT -b o=Intranet -s sub '(entryUUID=$uuid)' 1.1 > '$T/u' &&
	cat '$T/u' && test \"\$(grep '^dn:' '$T/u')\" = 'dn: $(dn v3@example.org)'"
# syncrepl finds the entry of every change by its entryUUID, whose
# normalised (16-byte) value may hold 0x25, the ILS wildcard '%'
pct=25252525-8263-1041-8f25-913db315f1cc
check "the rootdn adds an entry with entryUUID $pct (relax)" sh -c \
	"printf 'dn: %s\\nobjectClass: rtPerson\\nentryUUID: %s\\n' '$(dn pct@example.org)' $pct |
	 ldapadd -x -H $URI $ROOT -e relax"
check "... (entryUUID=$pct) finds it: no '%' wildcard in an operational attribute" sh -c \
	"$LS $ROOT -b o=Intranet -s sub '(entryUUID=$pct)' 1.1 > '$T/u' && test \"\$(grep '^dn:' '$T/u')\" = 'dn: $(dn pct@example.org)'"

echo "# stored containers"
lsearch -b o=Intranet -s sub 1.1 | grep '^dn:' > "$T/tree"
check "a subtree search of o=Intranet returns the containers first" sh -c \
	"head -4 '$T/tree' | tr '\n' ' ' | grep -qx 'dn: o=Intranet dn: ou=Dynamic,o=Intranet dn: ou=Applications,o=Intranet dn: appName=MS-NetMeeting,ou=Applications,o=Intranet '"
for c in "o=Intranet 24c4d501-7c75-5272-aeac-243ec266daeb" "ou=Dynamic,o=Intranet 2942a4a0-42f6-5407-8647-963d2875338c" \
	"ou=Applications,o=Intranet 5246715e-312e-5d56-9cc0-e319a2dbb2c2" \
	"appName=MS-NetMeeting,ou=Applications,o=Intranet e47038fe-86f8-5078-ad44-56d5e30f2935"; do
	set -- $c
	check "$1 has the operational attributes" has_opattrs "$1"
	check "... the entryUUID derived from its name" test "$(ops "$1" | sed -n 's/^entryUUID: //p')" = "$2"
	check "... and subordinates" test "$(ops "$1" | sed -n 's/^hasSubordinates: //p')" = TRUE
done
check "o=Intranet with \"*\": what it always had" sh -c "$LS -b o=Intranet -s base '*' | grep -v '^dn:' | grep . | sort |
	tr '\n' ' ' | grep -qx 'o: Intranet objectClass: organization objectClass: top '"
expect_rc 53 "an anonymous Modify of o=Intranet is refused as before" sh -c \
	"printf 'dn: o=Intranet\nchangetype: modify\nreplace: description\ndescription: x\n' | ldapmodify -x -H $URI"
expect_rc 53 "... and of ou=Dynamic" sh -c \
	"printf 'dn: ou=Dynamic,o=Intranet\nchangetype: modify\nadd: description\ndescription: x\n' | ldapmodify -x -H $URI"
expect_rc 53 "an anonymous Delete of o=Intranet" ldapdelete -x -H "$URI" o=Intranet
expect_rc 68 "an anonymous Add of ou=Dynamic" ldif_add "ou=Dynamic,o=Intranet" "ou: Dynamic"
expect_rc 53 "the rootdn cannot delete a container either" ldapdelete -x -H "$URI" $ROOT ou=Dynamic,o=Intranet
expect_rc 67 "the rootdn cannot remove a container's naming value" sh -c \
	"printf 'dn: ou=Dynamic,o=Intranet\nchangetype: modify\ndelete: ou\n' | ldapmodify -x -H $URI $ROOT"
check "the rootdn modifies o=Intranet" sh -c \
	"printf 'dn: o=Intranet\nchangetype: modify\nreplace: description\ndescription: the ILS of Contoso\n' | ldapmodify -x -H $URI $ROOT"
ops o=Intranet > "$T/root.mod"
check "... which gets a new entryCSN and modifiersName" sh -c \
	"test '$(value "$T/root.mod" modifiersName)' = cn=admin,o=Intranet && test -n '$(value "$T/root.mod" entryCSN)'"
stop_slapd
start_slapd -f "$CONF" || exit 1
check "after a restart o=Intranet keeps the rootdn's description" sh -c \
	"$LS -b o=Intranet -s base description | grep -qx 'description: the ILS of Contoso'"
ops o=Intranet > "$T/root.re"
check "... and its entryUUID" test "$(value "$T/root.re" entryUUID)" = 24c4d501-7c75-5272-aeac-243ec266daeb
check "... and the entryCSN of the change" test "$(value "$T/root.re" entryCSN)" = "$(value "$T/root.mod" entryCSN)"
check "the registrations are still there" has_opattrs "$(dn v3@example.org)"
stop_slapd

# a second, empty database makes the same containers, logging at level
# sync (their CSNs were made with slap_get_csn(), which logs the
# operation's prefix, and there is no operation: slapd crashed)
ils_conf "$T/d2" > /dev/null
SLAPD_DEBUG=sync start_slapd -f "$T/d2/slapd.conf" || exit 1
check "another server's o=Intranet has the same entryUUID" test \
	"$(lsearch -b o=Intranet -s base entryUUID | sed -n 's/^entryUUID: //p')" = 24c4d501-7c75-5272-aeac-243ec266daeb
check "... and ou=Dynamic has no subordinates in an empty database" test \
	"$(lsearch -b ou=Dynamic,o=Intranet -s base hasSubordinates | sed -n 's/^hasSubordinates: //p')" = FALSE
stop_slapd
finish
