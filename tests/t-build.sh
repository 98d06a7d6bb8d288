# t-build.sh - the build is tied to the installed slapd: configure refuses
# headers that do not match it, and the modules export only init_module
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
mkdir "$T/c"
( cd "$T/c" && "$TOP/configure" -q --with-openldap-source=/nonexistent ) > "$T/cfg2.out" 2>&1
check "configure refuses a missing source tree" grep -q "bad --with-openldap-source" "$T/cfg2.out"
finish
