# t-unit.sh - unit tests of the pure functions (IP encoding, Latin-1, DNs)
. "$(dirname "$0")/lib.sh"
"$BUILD/tests/unit/unit" || nok "unit test program exited $?"
finish
