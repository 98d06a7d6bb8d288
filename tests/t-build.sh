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

# a slapd that says it is another version
printf '#!/bin/sh\necho "@(#) \\$OpenLDAP: slapd 2.6.10 (Jan  1 2026) \\$" >&2\n' > "$T/slapd-2.6"
chmod +x "$T/slapd-2.6"
mkdir "$T/b"
( cd "$T/b" && "$TOP/configure" -q --with-openldap-source="$OL_SRC" \
	--with-openldap-build="$OL_BUILD" --with-slapd="$T/slapd-2.6" ) > "$T/cfg.out" 2>&1
rc=$?
check "configure refuses headers for another slapd version" test $rc -ne 0
check "... and says why" grep -q "headers are .* but $T/slapd-2.6 is 2.6.10" "$T/cfg.out"
mkdir "$T/c"
( cd "$T/c" && "$TOP/configure" -q --with-openldap-source=/nonexistent ) > "$T/cfg2.out" 2>&1
check "configure refuses a missing source tree" grep -q "bad --with-openldap-source" "$T/cfg2.out"
finish
