#!/usr/bin/env python3
"""ldifcmp.py - test046-dds's final comparison, one search at a time.

  ldifcmp.py entries GOT SAVED N      the entries of GOT are those of
                                      section N of SAVED (dds.out)
  ldifcmp.py ttls GOT SAVED N SLEEP   each entryTtl of GOT is at least
                                      SLEEP below SAVED's
  ldifcmp.py loaded NEW OLD           NEW (slapadd of OLD, then slapcat
                                      or a search) holds OLD's entries,
                                      each with what slapadd gives an
                                      entry that lacks them: entryUUID,
                                      entryCSN, creators, modifiers and
                                      structuralObjectClass;
                                      entryTtl no higher than OLD's

As test046 does with ldif-filter -s a: comments go, attributes are
sorted within each entry, entryTtl is compared apart (dds re-adds it, so
its place in the entry changes, and its value counts down).  Entries are
sorted by DN as ldapsearch -S "" sorts them.  Exit 0 when it holds.
"""
import re
import sys


def entries(text):
    """[(dn line, [sorted other lines], [entryTtl values])] by DN"""
    lines = []
    for line in text.splitlines():
        if line.startswith(' ') and lines:
            lines[-1] += line[1:]		# an LDIF continuation
        else:
            lines.append(line)
    out, cur = [], []
    for line in lines + ['']:
        if line.startswith('#'):
            continue
        if line.strip():
            cur.append(line)
            continue
        if cur:
            ttls = [l.split(':', 1)[1].strip() for l in cur[1:]
                    if l.lower().startswith('entryttl:')]
            rest = sorted(l for l in cur[1:] if not l.lower().startswith('entryttl:'))
            out.append((cur[0], rest, ttls))
            cur = []
    return sorted(out, key=lambda e: e[0].lower())


def section(text, n):
    """section [n] of dds.out"""
    parts = re.split(r'^# \[(\d+)\][^\n]*\n', text, flags=re.M)
    for i in range(1, len(parts), 2):
        if int(parts[i]) == n:
            return parts[i + 1]
    raise SystemExit('no section [%d]' % n)


# what slapadd adds to an entry that lacks it (slapadd.c: SLAP_LASTMOD,
# and entry_schema_check's structuralObjectClass)
SLAPADD_OPATTRS = ('structuralobjectclass', 'entryuuid', 'entrycsn', 'creatorsname', 'createtimestamp',
                   'modifiersname', 'modifytimestamp')


def attr(line):
    return line.split(':', 1)[0].lower()


def loaded(new, old):
    """the entries of new are those of old, as slapadd stores them"""
    n, o = entries(open(new).read()), entries(open(old).read())
    if [e[0] for e in n] != [e[0] for e in o]:
        print('new DNs:', [e[0] for e in n])
        print('old DNs:', [e[0] for e in o])
        return 1
    bad = 0
    for (dn, nl, nt), (_, ol, ot) in zip(n, o):
        had = {attr(l) for l in ol}
        added = [l for l in nl if attr(l) in SLAPADD_OPATTRS and attr(l) not in had]
        kept = sorted(l for l in nl if l not in added)
        if kept != ol or len(nt) != len(ot) or \
                any(int(a) > int(b) for a, b in zip(nt, ot)):
            bad = 1
            print(dn)
            print('  only new:', sorted(set(kept) - set(ol)), nt)
            print('  only old:', sorted(set(ol) - set(kept)), ot)
    return bad


def main():
    if sys.argv[1] == 'loaded':
        return loaded(sys.argv[2], sys.argv[3])
    mode, got, saved, n = sys.argv[1:5]
    g = entries(open(got).read())
    s = entries(section(open(saved).read(), int(n)))
    if mode == 'entries':
        if [e[:2] for e in g] == [e[:2] for e in s]:
            return 0
        print('got:'); [print(' ', e[0], e[1]) for e in g]
        print('saved:'); [print(' ', e[0], e[1]) for e in s]
        return 1
    sleep = int(sys.argv[5])
    gt = [int(v) for e in g for v in e[2]]
    st = [int(v) for e in s for v in e[2]]
    if len(gt) != len(st):
        print('entryTtl values: got %s, saved %s' % (gt, st))
        return 1
    bad = [(a, b) for a, b in zip(gt, st) if b - a < sleep or a < 0]
    if bad:
        print('TTL has not reduced accordingly (got, saved):', bad)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
