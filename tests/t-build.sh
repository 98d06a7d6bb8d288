# t-build.sh - the build is tied to the installed slapd: configure refuses
# headers that do not match it, the modules refuse to load into another
# slapd version, and they export only init_module
. "$(dirname "$0")/lib.sh"
OL_SRC=$(sed -n 's/^OL_SRC = //p' "$BUILD/Makefile")
OL_BUILD=$(sed -n 's/^OPENLDAP_CPPFLAGS = -I\([^ ]*\)\/include .*/\1/p' "$BUILD/Makefile")

for m in back_ils dynttl; do
	check "$m.so exports only init_module" sh -c \
		"test \"\$(nm -D --defined-only '$BUILD/.libs/$m.so' | awk '\$2 != \"V\" && \$2 != \"W\" { print \$3 }')\" = init_module"
done
check "back_ils.so needs no liblmdb (its LMDB is private)" sh -c \
	"! ldd '$BUILD/.libs/back_ils.so' | grep -q liblmdb"

# a slapd that says it is the other series' version: 2.6.10 against 2.5
# headers, 2.5.13 against 2.6 ones
case ${OL_SRC##*/openldap-} in
2.5.*) other=2.6.10 ;;
*) other=2.5.13 ;;
esac
printf '#!/bin/sh\necho "@(#) \\$OpenLDAP: slapd %s (Jan  1 2026) \\$" >&2\n' "$other" > "$T/slapd-other"
chmod +x "$T/slapd-other"
mkdir "$T/b"
( cd "$T/b" && "$TOP/configure" -q --with-openldap-source="$OL_SRC" \
	--with-openldap-build="$OL_BUILD" --with-slapd="$T/slapd-other" ) > "$T/cfg.out" 2>&1
rc=$?
check "configure refuses headers for another slapd version ($other)" test $rc -ne 0
check "... and says why" grep -q "headers are .* but $T/slapd-other is $other" "$T/cfg.out"
# the real slapd with another patch release in its Versionstr (same length,
# nothing else changed): each module refuses to load, with a message
python3 - "$SLAPD" "$T/slapd-patched" <<'PY' > "$T/other.out"
import re, sys
b = open(sys.argv[1], 'rb').read()
m = re.search(rb'\$OpenLDAP: slapd (\d+)\.(\d+)\.(\d+)', b)
p = m.group(3)
q = b'9' * len(p) if p != b'9' * len(p) else b'0' * len(p)
open(sys.argv[2], 'wb').write(b[:m.start(3)] + q + b[m.end(3):])
print((m.group(1) + b'.' + m.group(2) + b'.' + q).decode())
PY
chmod +x "$T/slapd-patched"
other=$(cat "$T/other.out")
check "the patched slapd says it is $other" sh -c "'$T/slapd-patched' -VV 2>&1 | grep -q 'slapd $other'"
for m in back_ils dynttl; do
	printf 'moduleload %s/%s.la\n' "$BUILD" "$m" > "$T/$m.conf"
	check "$m loads into $SLAPD" "$SLAPD" -Tt -f "$T/$m.conf"
	"$T/slapd-patched" -Tt -f "$T/$m.conf" > "$T/$m.out" 2>&1
	rc=$?
	check "$m refuses to load into slapd $other" test $rc -ne 0
	check "... and says why" grep -q "built for slapd .*, not for this slapd $other" "$T/$m.out"
done

mkdir "$T/c"
( cd "$T/c" && "$TOP/configure" -q --with-openldap-source=/nonexistent ) > "$T/cfg2.out" 2>&1
check "configure refuses a missing source tree" grep -q "bad --with-openldap-source" "$T/cfg2.out"
finish
