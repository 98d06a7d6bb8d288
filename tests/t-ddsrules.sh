# t-ddsrules.sh - slapo-dynttl's RFC 2589 rules on back-mdb where
# t-dds046.sh has no case: the ghosts of issue 10 (a renamed entry that
# was hidden but never deleted, a parent dropped on notAllowedOnNonLeaf,
# a static entry made dynamic and lost at a restart, dynttl-all refused
# by back-mdb), subtree renames, and the start-up count.
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/mdb" "$T/all"
{ mdb_conf_head; cat <<CONF
database mdb
suffix "dc=example,dc=com"
rootdn "cn=admin,dc=example,dc=com"
rootpw secret
directory $T/mdb
access to dn.base="cn=hidden,dc=example,dc=com" attrs=entry
	by dn.exact="cn=admin,dc=example,dc=com" write
	by * none
access to * by users write by * read
overlay dynttl
dynttl-default-ttl 3
dynttl-min-ttl 1
dynttl-max-ttl 1h
database mdb
suffix "dc=all"
rootdn "cn=admin,dc=all"
rootpw secret
directory $T/all
overlay dynttl
dynttl-all on
dynttl-default-ttl 3
dynttl-min-ttl 1
CONF
} > "$T/slapd.conf"
SLAPD_DEBUG=256 start_slapd -f "$T/slapd.conf" || exit 1
B=dc=example,dc=com
ADM="-D cn=admin,$B -w secret"
madd() { ldapadd -x -H "$URI" $ADM; }
mmod() { ldapmodify -x -H "$URI" $ADM; }
# dyn CN [PARENT] [TTL]: a dynamic inetOrgPerson
dyn() { printf 'dn: cn=%s,%s\nobjectClass: inetOrgPerson\nobjectClass: dynamicObject\ncn: %s\nsn: D\n%s' \
	"$1" "${2:-$B}" "$1" "${3:+entryTtl: $3
}" | madd; }
stat_() { printf 'dn: cn=%s,%s\nobjectClass: inetOrgPerson\ncn: %s\nsn: S\n' "$1" "${2:-$B}" "$1" | madd; }
# stored DN: in the database, hidden or not (the rootdn with manageDSAit)
stored() { ldapsearch -x -LLL -H "$URI" $ADM -b "$1" -s base -e manageDSAit 1.1 2>/dev/null | grep -q '^dn:'; }
# visible DN: a search returns it
visible() { ldapsearch -x -LLL -H "$URI" -b "$1" -s base 1.1 2>/dev/null | grep -q '^dn:'; }
# gone DN [TENTHS]: not stored within TENTHS tenths of a second (default 30)
# said TEXT: the last expect_rc's diagnostic holds TEXT
said() { cp "$T/check.out" "$T/said.out"; check "... with slapo-dds's diagnostic" grep -q "$1" "$T/said.out"; }
gone() { i=0; while [ $i -lt "${2:-30}" ] && stored "$1"; do sleep 0.1; i=$((i + 1)); done; ! stored "$1"; }

check "static base entries" sh -c "printf 'dn: $B\nobjectClass: domain\ndc: example\n\ndn: ou=box,$B\nobjectClass: organizationalUnit\nou: box\n' | ldapadd -x -H $URI $ADM"

# ModRDN: the index follows, the entry expires under its new name
check "a dynamic entry (3 s)" dyn ren
check "... renamed with ModRDN" sh -c "printf 'dn: cn=ren,$B\nchangetype: modrdn\nnewrdn: cn=moved\ndeleteoldrdn: 1\n' | ldapmodify -x -H $URI $ADM"
check "... its old name is free at once: an Add of it succeeds" dyn ren "" 60
check "... it keeps its TTL under the new name" between "$(ttl cn=moved,$B)" 1 3
sleep 3
check "... and is deleted under its new name when it lapses, not just hidden" gone "cn=moved,$B"
check "... so an Add of the new name succeeds (no 68)" dyn moved
check "the entry re-added under the old name lives on (60 s)" between "$(ttl cn=ren,$B)" 50 60

# a subtree rename moves the dynamic subordinates of a static entry
check "a dynamic entry under a static one (3 s)" dyn kid "ou=box,$B"
check "... the static parent renamed (a subtree rename)" sh -c "printf 'dn: ou=box,$B\nchangetype: modrdn\nnewrdn: ou=crate\ndeleteoldrdn: 1\n' | ldapmodify -x -H $URI $ADM"
sleep 3
check "... the child expires under its new name" gone "cn=kid,ou=crate,$B"
check "... the static parent stays" stored "ou=crate,$B"

# static under dynamic: refused on Add and on ModRDN with newSuperior
check "a dynamic parent (60 s)" dyn dpar "" 60
expect_rc 19 "a static child of a dynamic entry is refused" stat_ s1 "cn=dpar,$B"
check "a static entry elsewhere" stat_ s2
expect_rc 19 "ModRDN of a static entry under a dynamic newSuperior is refused" sh -c \
	"printf 'dn: cn=s2,$B\nchangetype: modrdn\nnewrdn: cn=s2\ndeleteoldrdn: 1\nnewsuperior: cn=dpar,$B\n' | ldapmodify -x -H $URI $ADM"
said "static entry cannot have dynamicObject as newSuperior"
# a parent the requester may not see: noSuchObject, as slapo-dds answers
check "a user, and a dynamic parent it may not see (60 s)" sh -c \
	"printf 'dn: cn=user,$B\nobjectClass: inetOrgPerson\ncn: user\nsn: U\nuserPassword: pw\n' | ldapadd -x -H $URI $ADM && printf 'dn: cn=hidden,$B\nobjectClass: inetOrgPerson\nobjectClass: dynamicObject\ncn: hidden\nsn: H\nentryTtl: 60\n' | ldapadd -x -H $URI $ADM"
expect_rc 32 "its static child, added by the user, gets noSuchObject (no disclose)" sh -c \
	"printf 'dn: cn=s3,cn=hidden,$B\nobjectClass: inetOrgPerson\ncn: s3\nsn: S\n' | ldapadd -x -H $URI -D cn=user,$B -w pw"
check "... which the user's Add below a visible dynamic parent does not (19)" sh -c \
	"printf 'dn: cn=s4,cn=dpar,$B\nobjectClass: inetOrgPerson\ncn: s4\nsn: S\n' | ldapadd -x -H $URI -D cn=user,$B -w pw; test \$? = 19"
check "a dynamic entry (3 s)" dyn d3
check "ModRDN of a dynamic entry under a dynamic newSuperior is allowed" sh -c \
	"printf 'dn: cn=d3,$B\nchangetype: modrdn\nnewrdn: cn=d3\ndeleteoldrdn: 1\nnewsuperior: cn=dpar,$B\n' | ldapmodify -x -H $URI $ADM"

# a parent whose children outlive it: deferred, visible, deleted after them
check "a dynamic parent (2 s)" dyn par "" 2
check "... with a dynamic child (6 s)" dyn child "cn=par,$B" 6
sleep 3.5
check "... the parent, lapsed but not deletable, is deferred: still visible" visible "cn=par,$B"
check "... its entryTtl counts down to its child's expiry" between "$(ttl cn=par,$B)" 1 5
check "... the expiry task deferred it" grep -q 'dynttl: "cn=par,dc=example,dc=com" has subordinates; deferred' "$T/slapd.log"
sleep 2.5
check "... the child is deleted when it lapses" gone "cn=child,cn=par,$B"
check "... and the parent right after it" gone "cn=par,$B"

# class changes by Modify
check "a static entry" stat_ keep
expect_rc 65 "a Modify adding objectClass dynamicObject to a static entry is refused" sh -c \
	"printf 'dn: cn=keep,$B\nchangetype: modify\nadd: objectClass\nobjectClass: dynamicObject\n' | ldapmodify -x -H $URI $ADM"
said "cannot turn static entry into dynamicObject"
check "a dynamic entry (60 s)" dyn mortal "" 60
expect_rc 65 "a Modify deleting objectClass dynamicObject is refused" sh -c \
	"printf 'dn: cn=mortal,$B\nchangetype: modify\ndelete: objectClass\nobjectClass: dynamicObject\n' | ldapmodify -x -H $URI $ADM"
said "cannot turn dynamicObject into static entry"
check "a Modify of other attributes of a dynamic entry is accepted" sh -c \
	"printf 'dn: cn=mortal,$B\nchangetype: modify\nreplace: sn\nsn: M\n' | ldapmodify -x -H $URI $ADM"

# dynttl-all on back-mdb: the overlay adds the class before the entryTtl
check "dynttl-all on: an Add without dynamicObject is accepted" sh -c \
	"printf 'dn: dc=all\nobjectClass: domain\ndc: all\n\ndn: cn=a1,dc=all\nobjectClass: inetOrgPerson\ncn: a1\nsn: A\n' | ldapadd -x -H $URI -D cn=admin,dc=all -w secret"
check "... the entry is a dynamicObject" sh -c \
	"ldapsearch -x -LLL -H $URI -b cn=a1,dc=all -s base objectClass | grep -qx 'objectClass: dynamicObject'"
check "... with the default TTL (3 s)" between "$(ttl cn=a1,dc=all)" 1 3
sleep 3
check "... and expires" gone cn=a1,dc=all

# a refresh written behind, then a rename before the pass: the refresh
# is recorded under the new name (checked after the restart below)
check "a dynamic entry (60 s) refreshed to 600 s (written behind)" sh -c \
	"printf 'dn: cn=wb,$B\nobjectClass: inetOrgPerson\nobjectClass: dynamicObject\ncn: wb\nsn: W\nentryTtl: 60\n' | ldapadd -x -H $URI $ADM && ldapexop -x -H $URI $ADM refresh cn=wb,$B 600 | grep -qx newttl=600"
check "... renamed at once" sh -c "printf 'dn: cn=wb,$B\nchangetype: modrdn\nnewrdn: cn=wb2\ndeleteoldrdn: 1\n' | ldapmodify -x -H $URI $ADM"
sleep 2

# start-up: each entry once, and the static entry made dynamic not lost
n=$(ldapsearch -x -LLL -H "$URI" $ADM -e manageDSAit -b "$B" '(objectClass=dynamicObject)' 1.1 | grep -c '^dn:')
stop_slapd
: > "$T/slapd.log"
SLAPD_DEBUG=256 start_slapd -f "$T/slapd.conf" || exit 1
check "the restart loads each of the $n dynamic entries once" \
	grep -q "dynttl: $n dynamic objects loaded" "$T/slapd.log"
sleep 4
check "the static entry a Modify tried to make dynamic is still there after a restart and 4 s" \
	stored "cn=keep,$B"
check "the renamed entry kept the refresh written behind across the restart" \
	between "$(ttl cn=wb2,$B)" 580 600

# a static child the overlay never saw (slapadd) under a lapsed dynamic
# parent: the parent cannot go, and stays visible, tried every minute
stop_slapd
check "slapadd: a lapsed dynamic parent with a static child" sh -c "slapadd -f '$T/slapd.conf' -b '$B' <<EOF
dn: cn=old,$B
objectClass: inetOrgPerson
objectClass: dynamicObject
cn: old
sn: O
entryTtl: 5
dynttlExpireTime: 20200101000000Z

dn: cn=kid,cn=old,$B
objectClass: inetOrgPerson
cn: kid
sn: K
EOF"
: > "$T/slapd.log"
SLAPD_DEBUG=256 start_slapd -f "$T/slapd.conf" || exit 1
i=0
while [ $i -lt 50 ] && ! grep -q 'dynttl: "cn=old,dc=example,dc=com" has subordinates' "$T/slapd.log"; do
	sleep 0.1; i=$((i + 1))
done
check "... the parent's expiry is deferred" grep -q 'dynttl: "cn=old,dc=example,dc=com" has subordinates' "$T/slapd.log"
check "... it stays visible" visible "cn=old,$B"
check "... with the minute until its next try as entryTtl" between "$(ttl cn=old,$B)" 50 60
check "slapd is still running" alive
finish
