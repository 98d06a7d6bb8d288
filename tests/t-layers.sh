# t-layers.sh - the files of each module call each other without cycles:
# the calls between object files come from nm (what each .o defines and
# what it leaves undefined), and a cycle in that graph is printed and fails
. "$(dirname "$0")/lib.sh"

# the object files of a module: libtool's PIC objects of its sources
objs() {
	for s in $(printf 'print-objs:\n\t@echo $(%s_la_OBJECTS)\n' "$1" |
		make -s -C "$BUILD" -f Makefile -f - print-objs | tr ' ' '\n' |
		sed -n 's/^\(.*\)\.lo$/\1/p'); do
		d=$(dirname "$s"); b=$(basename "$s")
		[ -f "$BUILD/$d/.libs/$b.o" ] && echo "$BUILD/$d/.libs/$b.o"
	done
}

# "file: symbol" lines, D for defined, U for undefined
symbols() {
	for o in "$@"; do
		f=$(basename "$o" .o); f=${f#*_la-}
		nm "$o" | awk -v f="$f" '$2 ~ /^[TDBRC]$/ { print "D", f, $3 } $1 == "U" { print "U", f, $2 }'
	done
}

# the first cycle of the file graph, or nothing
cycle() {
	python3 -c '
import sys
defs, edges = {}, {}
lines = [l.split() for l in sys.stdin]
for k, f, s in lines:
	edges.setdefault(f, set())
	if k == "D":
		defs[s] = f
for k, f, s in lines:
	if k == "U" and s in defs and defs[s] != f:
		edges[f].add(defs[s])
state, path = {}, []
def walk(n):
	state[n] = 1
	path.append(n)
	for m in sorted(edges[n]):
		if state.get(m) == 1:
			return path[path.index(m):] + [m]
		if m not in state:
			c = walk(m)
			if c:
				return c
	path.pop()
	state[n] = 2
	return None
for n in sorted(edges):
	if n not in state:
		c = walk(n)
		if c:
			print(" -> ".join(c))
			break
'
}

for m in back_ils dynttl; do
	set -- $(objs "$m")
	check "$m: object files found in the build" test $# -gt 3
	symbols "$@" > "$T/$m.sym"
	check "$m: nm listed the symbols" test -s "$T/$m.sym"
	cycle < "$T/$m.sym" > "$T/$m.cycle"
	if [ -s "$T/$m.cycle" ]; then
		nok "$m: the files call each other in a cycle: $(cat "$T/$m.cycle")"
	else
		ok "$m: the calls between its files form no cycle"
	fi
done
finish
