/* ilswire.c - speak LDAP to an ILS server exactly like NetMeeting 3.01 */
/*
 * ilswire is the wire-level test client of back-ils.  It builds every
 * request PDU by hand with liblber and writes it to a plain TCP socket,
 * so the server sees the bytes a NetMeeting 3.01 client sends (MS-TAIL
 * 4.1-4.4, clients.md 1.1): one connection per action, an LDAPv2
 * anonymous simple Bind, one or two operations, an Unbind.  The odd DN
 * forms, the "%" wildcard and the Add without objectClass go out
 * verbatim, which libldap would not guarantee.  Replies are decoded
 * strictly and checked byte for byte where NetMeeting cares: attribute
 * names and order in search results, Latin-1 values for LDAPv2 clients.
 *
 * Usage: ilswire [-L] [-v] -H host -p port SCENARIO [args]
 *   -L  send every length in the 4-byte long form (0x84 b3 b2 b1 b0),
 *       as the Windows LDAP client does
 *   -v  hex dump the PDUs sent and received on stderr
 *
 * Scenarios (EMAIL defaults to egruber@contoso.com):
 *   register [EMAIL]          T1: Add, Modify(add) of the application data
 *   register-replace [EMAIL]  T1 with Modify(replace)
 *   keepalive [EMAIL]         T2: the (sttl=10) search finds the user
 *   keepalive-absent [EMAIL]  T2-neg: the same search finds nothing
 *   browse [EMAIL]            T3: (cn=%) listing; names, order, values
 *   order [EMAIL]             D4: attributes come back as requested
 *   lookup [EMAIL]            GnomeMeeting-style lookup of one user
 *   unregister [EMAIL]        T4: Delete, then Delete again -> 32
 *   latin1 [EMAIL]            D5: ISO-8859-1 names, LDAPv2/v3 readers
 *   raw HEX...                one hand-made PDU after the Bind, sent
 *                             verbatim even with -L; prints the result
 *   add-expect CODE DN [ATTR[=VALUE]...]
 *   mod-expect CODE DN [add|delete|replace:ATTR[=VALUE]...]
 *   search-expect CODE BASE base|one|sub FILTER [ATTR...]
 *       FILTER: eq:A=V | and:A=V,A=V,... | present:A
 *   modrdn-expect CODE DN NEWRDN
 * In values "\xNN" is one byte and "\\" a backslash.  Consecutive
 * arguments with the same (operation and) name form one multi-valued
 * attribute; a name without "=" is an attribute with no values at all,
 * a deliberately bad request.
 *
 * Output is TAP-like: one "ok - ..." or "not ok - ...: seen" line per
 * check, "#" lines for information.  Exit status: 0 all checks passed,
 * 1 a check failed, 2 usage or connection error.
 *
 * Build: gcc -Wall -Wextra -O2 -o /tmp/ilswire tests/ilswire.c -llber
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <lber.h>

/* Protocol op tags (RFC 4511), spelled out so that only liblber is needed */
#define OP_BIND_REQ	0x60
#define OP_BIND_RES	0x61
#define OP_UNBIND_REQ	0x42
#define OP_SEARCH_REQ	0x63
#define OP_SEARCH_ENTRY	0x64
#define OP_SEARCH_DONE	0x65
#define OP_MODIFY_REQ	0x66
#define OP_MODIFY_RES	0x67
#define OP_ADD_REQ	0x68
#define OP_ADD_RES	0x69
#define OP_DELETE_REQ	0x4a
#define OP_DELETE_RES	0x6b
#define OP_MODDN_REQ	0x6c
#define OP_MODDN_RES	0x6d
#define OP_SEARCH_REF	0x73

#define AUTH_SIMPLE	0x80
#define FILTER_AND	0xa0
#define FILTER_EQ	0xa3
#define FILTER_PRESENT	0x87

#define MOD_ADD		0
#define MOD_DELETE	1
#define MOD_REPLACE	2

#define TIMEOUT_MS	5000		/* per reply PDU, and for connect */
#define MAX_PDU		(16 * 1024 * 1024)
#define MAX_ENTRIES	100000
#define MAX_ELEMS	100000		/* attributes per entry, values per attr */
#define MAX_DEPTH	32		/* BER nesting; LDAP needs less than 10 */

#define NELEM(a)	((int)(sizeof(a) / sizeof((a)[0])))
#define V(...)		((const char *const []){ __VA_ARGS__ })

static int opt_long, opt_verbose;
static const char *host, *port;
static const char *email = "egruber@contoso.com";
static char nmdn[512], moddn[512], canon[512];
static int variant, sargc;		/* the scenario's variant and arguments */
static char **sargv;
static int nchecks, nfail;
static int sent_any;			/* -L self-check: first PDU only */
static char errbuf[512];		/* why the last exchange failed */

/* ---- small utilities ---- */

static void
die(const char *msg)
{
	fprintf(stderr, "ilswire: %s\n", msg);
	exit(2);
}

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n ? n : 1)) == NULL)
		die("out of memory");
	return p;
}

/* Note why an exchange failed; the caller reports it in a check */
static int
fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	return -1;
}

/* One check line; `seen` tells what was observed when it failed */
static int
check(int ok, const char *seen, const char *fmt, ...)
{
	va_list ap;

	nchecks++;
	nfail += !ok;
	fputs(ok ? "ok - " : "not ok - ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!ok && seen != NULL)
		printf(": %s", seen);
	putchar('\n');
	return ok;
}

struct buf {
	unsigned char *p;
	size_t len, cap;
};

static void
buf_put(struct buf *b, const void *d, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = xrealloc(b->p, b->cap);
	}
	if (d != NULL && n > 0)
		memcpy(b->p + b->len, d, n);
	b->len += n;
}

/* A byte string, NUL-terminated for convenience; it may hold NULs */
struct val {
	char *p;
	size_t len;
};

static void
val_set(struct val *v, const void *p, size_t len)
{
	v->p = xrealloc(NULL, len + 1);
	memcpy(v->p, p, len);
	v->p[len] = '\0';
	v->len = len;
}

static int
val_is(const struct val *v, const char *s)
{
	return v->len == strlen(s) && memcmp(v->p, s, v->len) == 0;
}

/* Bytes for a report line: printable ASCII as is, the rest as \xNN */
static const char *
esc(const char *p, size_t len)
{
	static char bufs[4][1024];
	static int k;
	char *o = bufs[k++ & 3];
	size_t i, j = 0;

	for (i = 0; i < len && j < sizeof(bufs[0]) - 8; i++) {
		unsigned char ch = p[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '\\')
			o[j++] = ch;
		else
			j += sprintf(o + j, "\\x%02x", ch);
	}
	strcpy(o + j, i < len ? "..." : "");
	return o;
}

#define ESC(v)	esc((v)->p, (v)->len)

/* Command-line values: "\xNN" is one byte, "\\" a backslash */
static void
unescape(const char *s, size_t len, struct val *out)
{
	struct buf b = { NULL, 0, 0 };
	unsigned int x;
	unsigned char ch;
	size_t i;

	for (i = 0; i < len; i++) {
		ch = s[i];
		if (ch == '\\' && len - i >= 4 && s[i + 1] == 'x' &&
		    strspn(s + i + 2, "0123456789abcdefABCDEF") >= 2 &&
		    sscanf(s + i + 2, "%2x", &x) == 1) {
			ch = x;
			i += 3;
		} else if (ch == '\\' && i + 1 < len && s[i + 1] == '\\') {
			i++;
		}
		buf_put(&b, &ch, 1);
	}
	val_set(out, b.len ? (char *)b.p : "", b.len);
	free(b.p);
}

/* ---- attribute lists: Add, Modify, filters and returned entries ---- */

struct attr {
	int op;			/* Modify operation; 0 elsewhere */
	struct val name;
	struct val *vals;
	int nvals;
};

struct attrlist {
	struct attr *a;
	int n;
};

static struct attr *
al_attr(struct attrlist *l, int op, const char *name, size_t nlen)
{
	struct attr *a;

	l->a = xrealloc(l->a, (l->n + 1) * sizeof(*l->a));
	a = memset(&l->a[l->n++], 0, sizeof(*a));
	a->op = op;
	val_set(&a->name, name, nlen);
	return a;
}

static void
attr_val(struct attr *a, const char *v, size_t len)
{
	a->vals = xrealloc(a->vals, (a->nvals + 1) * sizeof(*a->vals));
	val_set(&a->vals[a->nvals++], v, len);
}

/*
 * Append name=value.  Consecutive calls with the same op and name build
 * one multi-valued attribute (sprotid={T120,H323}); a NULL value only
 * makes sure the attribute exists, possibly with no values.
 */
static void
al_add(struct attrlist *l, int op, const char *name, const char *v, size_t len)
{
	struct attr *a = l->n ? &l->a[l->n - 1] : NULL;

	if (a == NULL || a->op != op || !val_is(&a->name, name))
		a = al_attr(l, op, name, strlen(name));
	if (v != NULL)
		attr_val(a, v, len);
}

static void
al_free(struct attrlist *l)
{
	int i, j;

	for (i = 0; i < l->n; i++) {
		for (j = 0; j < l->a[i].nvals; j++)
			free(l->a[i].vals[j].p);
		free(l->a[i].vals);
		free(l->a[i].name.p);
	}
	free(l->a);
	l->a = NULL;
	l->n = 0;
}

struct filter {
	int type;		/* FILTER_AND, FILTER_EQ or FILTER_PRESENT */
	struct attrlist items;	/* one value each; PRESENT: a bare name */
};

struct result {
	int code;
	struct val matched, text;
};

struct entry {
	struct val dn;
	struct attrlist al;
};

struct search {
	struct entry *e;
	int n, refs;
	struct result done;
};

static void
result_free(struct result *r)
{
	free(r->matched.p);
	free(r->text.p);
	memset(r, 0, sizeof(*r));
}

static void
search_free(struct search *s)
{
	int i;

	for (i = 0; i < s->n; i++) {
		free(s->e[i].dn.p);
		al_free(&s->e[i].al);
	}
	free(s->e);
	result_free(&s->done);
	memset(s, 0, sizeof(*s));
}

/* ---- BER tree walk: -L re-encoding and reply validation ---- */

/*
 * Walk the TLV at p[0..len).  Constructed-ness is bit 0x20 of the first
 * tag byte and nothing else, so context tags such as 0xa0 (and), 0xa3
 * (equalityMatch) or 0x87 (present) need no LDAP knowledge.  Children
 * must fill their parent exactly.  With out != NULL the TLV is emitted
 * again with every length as 0x84 + 4 bytes, as wldap32 encodes; else
 * the walk only validates.  Returns the TLV's size, 0 if malformed.
 */
static size_t
tlv_walk(const unsigned char *p, size_t len, struct buf *out, int depth)
{
	size_t i = 1, hdr, clen = 0, n, off, at = 0;

	if (depth > MAX_DEPTH || len < 2)
		return 0;
	if ((p[0] & 0x1f) == 0x1f) {		/* high tag number form */
		while (i < len && (p[i] & 0x80))
			i++;
		if (++i >= len)
			return 0;
	}
	if (out != NULL) {
		buf_put(out, p, i);
		at = out->len;
		buf_put(out, "\x84\0\0\0\0", 5);
	}
	if (p[i] < 0x80) {
		clen = p[i++];
	} else {
		/* 0x80 alone is the indefinite form, which LDAP forbids */
		n = p[i++] & 0x7f;
		if (n == 0 || n > 4 || n > len - i)
			return 0;
		while (n-- > 0)
			clen = clen << 8 | p[i++];
	}
	hdr = i;
	if (clen > len - hdr)
		return 0;
	if (p[0] & 0x20) {
		for (off = 0; off < clen; off += n)
			if ((n = tlv_walk(p + hdr + off, clen - off, out,
			    depth + 1)) == 0)
				return 0;
	} else if (out != NULL) {
		buf_put(out, p + hdr, clen);
	}
	if (out != NULL) {
		n = out->len - at - 5;
		out->p[at + 1] = n >> 24;
		out->p[at + 2] = n >> 16;
		out->p[at + 3] = n >> 8;
		out->p[at + 4] = n;
	}
	return hdr + clen;
}

/* ---- transport ---- */

struct conn {
	int fd;
	ber_int_t msgid;	/* the last messageID used on it */
};

static void
dump(const char *dir, const unsigned char *p, size_t len)
{
	size_t i, j;

	if (!opt_verbose)
		return;
	fprintf(stderr, "%s %zu bytes\n", dir, len);
	for (i = 0; i < len; i += 16) {
		fprintf(stderr, "  %04zx ", i);
		for (j = i; j < i + 16; j++)
			if (j < len)
				fprintf(stderr, " %02x", p[j]);
			else
				fputs("   ", stderr);
		fputs("  ", stderr);
		for (j = i; j < i + 16 && j < len; j++)
			fputc(p[j] >= 0x20 && p[j] < 0x7f ? p[j] : '.', stderr);
		fputc('\n', stderr);
	}
}

/* A connection failure ends the run with exit 2; the suite expects that */
static void
conn_open(struct conn *c)
{
	struct timeval tv = { TIMEOUT_MS / 1000, 0 };
	struct addrinfo hints, *res, *ai;
	int rc, err = ECONNREFUSED;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		printf("not ok - connect %s:%s: %s\n", host, port, gai_strerror(rc));
		exit(2);
	}
	for (c->fd = -1, ai = res; ai != NULL && c->fd < 0; ai = ai->ai_next) {
		if ((c->fd = socket(ai->ai_family, ai->ai_socktype,
		    ai->ai_protocol)) < 0) {
			err = errno;
			continue;
		}
		/* on Linux SO_SNDTIMEO bounds connect() too */
		setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			err = errno == EINPROGRESS ? ETIMEDOUT : errno;
			close(c->fd);
			c->fd = -1;
		}
	}
	freeaddrinfo(res);
	if (c->fd < 0) {
		printf("not ok - connect %s:%s: %s\n", host, port, strerror(err));
		exit(2);
	}
	c->msgid = 0;
}

static void
conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static int
send_raw(struct conn *c, const unsigned char *p, size_t len)
{
	size_t off;
	ssize_t n;

	dump(">> sent", p, len);
	for (off = 0; off < len; off += n)
		if ((n = write(c->fd, p + off, len - off)) < 0) {
			if (errno != EINTR)
				return fail("send: %s", strerror(errno));
			n = 0;
		}
	return 0;
}

/* Flatten a request built with ber_printf (status rc), -L it, send it */
static int
send_ber(struct conn *c, BerElement *ber, int rc)
{
	struct buf lf = { NULL, 0, 0 };
	struct berval bv;
	char seen[32];

	if (c->fd < 0)
		rc = fail("connection already lost");
	else if (rc < 0 || ber_flatten2(ber, &bv, 0) < 0)
		rc = fail("cannot encode the request");
	else if (opt_long && tlv_walk((unsigned char *)bv.bv_val, bv.bv_len,
	    &lf, 0) != bv.bv_len)
		rc = fail("cannot re-encode the request");
	else if (opt_long) {
		if (!sent_any) {
			snprintf(seen, sizeof(seen), "second byte 0x%02x", lf.p[1]);
			check(lf.p[1] == 0x84, seen, "-L: the first PDU sent has "
			    "a 4-byte long-form length (30 84 ...)");
		}
		rc = send_raw(c, lf.p, lf.len);
	} else {
		rc = send_raw(c, (unsigned char *)bv.bv_val, bv.bv_len);
	}
	sent_any = 1;
	if (rc < 0)
		conn_close(c);
	ber_free(ber, 1);
	free(lf.p);
	return rc;
}

/* Read exactly n bytes before the deadline (CLOCK_MONOTONIC, in ms) */
static int
read_full(int fd, unsigned char *p, size_t n, long deadline)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	struct timespec ts;
	ssize_t r;

	while (n > 0) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		r = deadline - (ts.tv_sec * 1000L + ts.tv_nsec / 1000000L);
		if (r <= 0 || (r = poll(&pfd, 1, (int)r)) == 0)
			return fail("no reply within %d ms", TIMEOUT_MS);
		if (r > 0)
			r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return fail("receive: %s", strerror(errno));
		if (r == 0)
			return fail("connection closed by the server");
		p += r;
		n -= r;
	}
	return 0;
}

/* Read one LDAPMessage: the tag and length first, then the body */
static int
recv_pdu(struct conn *c, struct buf *pdu)
{
	unsigned char hdr[6];
	struct timespec ts;
	size_t n = 0, len, i;
	long deadline;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	deadline = ts.tv_sec * 1000L + ts.tv_nsec / 1000000L + TIMEOUT_MS;
	if (read_full(c->fd, hdr, 2, deadline) < 0)
		return -1;
	if (hdr[0] != LBER_SEQUENCE)
		return fail("reply starts with tag 0x%02x, not SEQUENCE", hdr[0]);
	len = hdr[1];
	if (hdr[1] & 0x80) {
		n = hdr[1] & 0x7f;
		if (n == 0 || n > 4)
			return fail("reply length byte 0x%02x", hdr[1]);
		if (read_full(c->fd, hdr + 2, n, deadline) < 0)
			return -1;
		for (len = 0, i = 0; i < n; i++)
			len = len << 8 | hdr[2 + i];
	}
	if (len > MAX_PDU)
		return fail("reply of %zu bytes is too big", len);
	buf_put(pdu, hdr, 2 + n);
	buf_put(pdu, NULL, len);
	if (read_full(c->fd, pdu->p + 2 + n, len, deadline) < 0)
		return -1;
	dump("<< received", pdu->p, pdu->len);
	return 0;
}

/* ---- reply decoding ---- */

struct msg {
	BerElement *ber;
	ber_int_t msgid;
	ber_tag_t op;
	ber_len_t opend;	/* bytes remaining once the protocolOp is read */
};

static ber_len_t
remaining(BerElement *ber)
{
	ber_len_t n = 0;

	ber_get_option(ber, LBER_OPT_REMAINING_BYTES, &n);
	return n;
}

/* Enter a constructed element with the given tag; *end marks its end */
static int
enter(BerElement *ber, ber_tag_t want, ber_len_t *end)
{
	ber_len_t len;

	if (ber_skip_tag(ber, &len) != want || len > remaining(ber))
		return -1;
	*end = remaining(ber) - len;
	return 0;
}

static int
get_str(BerElement *ber, struct val *v)
{
	struct berval bv;
	ber_len_t len;

	if (ber_peek_tag(ber, &len) != LBER_OCTETSTRING ||
	    ber_get_stringbv(ber, &bv, LBER_BV_NOTERM) == LBER_DEFAULT)
		return -1;
	val_set(v, bv.bv_val, bv.bv_len);
	return 0;
}

/* Receive, validate and open an LDAPMessage up to its protocolOp */
static int
recv_msg(struct conn *c, struct msg *m)
{
	struct buf pdu = { NULL, 0, 0 };
	struct berval bv;
	ber_len_t len, end;
	int rc = -1;

	m->ber = NULL;
	if (recv_pdu(c, &pdu) < 0)
		goto out;
	if (tlv_walk(pdu.p, pdu.len, NULL, 0) != pdu.len) {
		fail("reply is not well-formed BER");
		goto out;
	}
	bv.bv_val = (char *)pdu.p;
	bv.bv_len = pdu.len;
	if ((m->ber = ber_init(&bv)) == NULL)
		die("out of memory");
	if (enter(m->ber, LBER_SEQUENCE, &end) < 0 ||
	    ber_peek_tag(m->ber, &len) != LBER_INTEGER ||
	    ber_get_int(m->ber, &m->msgid) == LBER_DEFAULT ||
	    (m->op = ber_skip_tag(m->ber, &len)) == LBER_DEFAULT ||
	    len > remaining(m->ber))
		fail("reply is not an LDAPMessage");
	else if ((m->opend = remaining(m->ber) - len) > 0 &&
	    pdu.p[pdu.len - m->opend] != 0xa0)
		/* after the protocolOp only controls [0] may follow */
		fail("unexpected data after the protocolOp");
	else
		rc = 0;
out:
	if (rc < 0 && m->ber != NULL) {
		ber_free(m->ber, 1);
		m->ber = NULL;
	}
	free(pdu.p);
	return rc;
}

/* LDAPResult: resultCode, matchedDN, diagnosticMessage [, referral] */
static int
get_result(struct msg *m, struct result *r)
{
	ber_len_t len;
	ber_int_t code;

	if (ber_peek_tag(m->ber, &len) != LBER_ENUMERATED ||
	    ber_get_enum(m->ber, &code) == LBER_DEFAULT ||
	    get_str(m->ber, &r->matched) < 0 || get_str(m->ber, &r->text) < 0 ||
	    remaining(m->ber) < m->opend)
		return fail("malformed LDAPResult in op 0x%02lx",
		    (unsigned long)m->op);
	r->code = code;
	return 0;
}

/* SearchResultEntry: objectName, then the attributes in their order */
static int
get_entry(struct msg *m, struct entry *e)
{
	BerElement *ber = m->ber;
	ber_len_t end, aend, vend;
	struct attr *a;
	struct val v;

	if (get_str(ber, &e->dn) < 0 || enter(ber, LBER_SEQUENCE, &end) < 0)
		goto bad;
	while (remaining(ber) > end) {
		if (e->al.n >= MAX_ELEMS || enter(ber, LBER_SEQUENCE, &aend) < 0 ||
		    get_str(ber, &v) < 0)
			goto bad;
		a = al_attr(&e->al, 0, v.p, v.len);
		free(v.p);
		if (enter(ber, LBER_SET, &vend) < 0)
			goto bad;
		while (remaining(ber) > vend) {
			if (a->nvals >= MAX_ELEMS || get_str(ber, &v) < 0)
				goto bad;
			attr_val(a, v.p, v.len);
			free(v.p);
		}
		if (remaining(ber) != vend || vend != aend)
			goto bad;
	}
	if (remaining(ber) == end && end == m->opend)
		return 0;
bad:
	return fail("malformed SearchResultEntry");
}

/* Describe a reply that is not the one expected, with its text if any */
static void
unexpected(struct msg *m, ber_int_t want_id, ber_tag_t want_op)
{
	struct result r;
	char text[300] = "";

	memset(&r, 0, sizeof(r));
	if (m->op != OP_SEARCH_ENTRY && get_result(m, &r) == 0)
		snprintf(text, sizeof(text), " (resultCode %d, text \"%s\")",
		    r.code, ESC(&r.text));
	result_free(&r);
	fail("reply messageID %d op 0x%02lx%s, expected messageID %d op 0x%02lx",
	    m->msgid, (unsigned long)m->op, text, want_id,
	    (unsigned long)want_op);
}

/* ---- requests ---- */

static BerElement *
req_start(struct conn *c)
{
	BerElement *ber = ber_alloc_t(LBER_USE_DER);

	if (ber == NULL)
		die("out of memory");
	c->msgid++;
	return ber;
}

/*
 * Send the request and wait for the LDAPResult answering it, which must
 * carry op tag `want`.  Returns the resultCode, or -1 with errbuf set;
 * after -1 the conversation is out of step, so the connection is closed.
 */
static int
exchange(struct conn *c, BerElement *ber, int rc, ber_tag_t want,
    struct result *r)
{
	struct msg m;

	memset(r, 0, sizeof(*r));
	if (send_ber(c, ber, rc) < 0)
		return -1;
	rc = -1;
	if (recv_msg(c, &m) == 0) {
		if (m.msgid != c->msgid || m.op != want)
			unexpected(&m, c->msgid, want);
		else if (get_result(&m, r) == 0)
			rc = r->code;
		ber_free(m.ber, 1);
	}
	if (rc < 0)
		conn_close(c);
	return rc;
}

static int
do_bind(struct conn *c, int version, struct result *r)
{
	BerElement *ber = req_start(c);

	/* simple, empty name, zero-length password: what NetMeeting sends */
	return exchange(c, ber, ber_printf(ber, "{it{ioto}}", c->msgid,
	    (ber_tag_t)OP_BIND_REQ, (ber_int_t)version, "", (ber_len_t)0,
	    (ber_tag_t)AUTH_SIMPLE, "", (ber_len_t)0), OP_BIND_RES, r);
}

static void
do_unbind(struct conn *c)
{
	BerElement *ber;

	if (c->fd < 0)
		return;
	/* [APPLICATION 2] NULL, no reply; then hang up like NetMeeting */
	ber = req_start(c);
	send_ber(c, ber, ber_printf(ber, "{itn}", c->msgid,
	    (ber_tag_t)OP_UNBIND_REQ));
	conn_close(c);
}

/* AddRequest or ModifyRequest: the attribute lists look alike */
static int
do_update(struct conn *c, ber_tag_t op, const char *dn,
    const struct attrlist *l, struct result *r)
{
	BerElement *ber = req_start(c);
	const struct attr *a;
	int i, j, rc, mod = op == OP_MODIFY_REQ;

	rc = ber_printf(ber, "{it{o{", c->msgid, op, dn, (ber_len_t)strlen(dn));
	for (i = 0; i < l->n; i++) {
		a = &l->a[i];
		if (mod && ber_printf(ber, "{e", (ber_int_t)a->op) < 0)
			rc = -1;
		if (ber_printf(ber, "{o[", a->name.p, (ber_len_t)a->name.len) < 0)
			rc = -1;
		for (j = 0; j < a->nvals; j++)
			if (ber_printf(ber, "o", a->vals[j].p,
			    (ber_len_t)a->vals[j].len) < 0)
				rc = -1;
		if (ber_printf(ber, mod ? "]}}" : "]}") < 0)
			rc = -1;
	}
	if (ber_printf(ber, "}}}") < 0)
		rc = -1;
	return exchange(c, ber, rc, mod ? OP_MODIFY_RES : OP_ADD_RES, r);
}

static int
do_delete(struct conn *c, const char *dn, struct result *r)
{
	BerElement *ber = req_start(c);

	/* DelRequest is primitive: [APPLICATION 10] with the DN bytes */
	return exchange(c, ber, ber_printf(ber, "{ito}", c->msgid,
	    (ber_tag_t)OP_DELETE_REQ, dn, (ber_len_t)strlen(dn)),
	    OP_DELETE_RES, r);
}

static int
do_moddn(struct conn *c, const char *dn, const char *rdn, struct result *r)
{
	BerElement *ber = req_start(c);

	return exchange(c, ber, ber_printf(ber, "{it{oob}}", c->msgid,
	    (ber_tag_t)OP_MODDN_REQ, dn, (ber_len_t)strlen(dn), rdn,
	    (ber_len_t)strlen(rdn), (ber_int_t)1), OP_MODDN_RES, r);
}

static int
put_ava(BerElement *ber, const struct attr *a)
{
	return ber_printf(ber, "t{oo}", (ber_tag_t)FILTER_EQ, a->name.p,
	    (ber_len_t)a->name.len, a->vals[0].p, (ber_len_t)a->vals[0].len);
}

static int
put_filter(BerElement *ber, const struct filter *f)
{
	const struct attr *a = &f->items.a[0];
	int i, rc;

	if (f->type == FILTER_PRESENT)
		return ber_printf(ber, "to", (ber_tag_t)FILTER_PRESENT, a->name.p,
		    (ber_len_t)a->name.len);
	if (f->type == FILTER_EQ)
		return put_ava(ber, a);
	/* and [0] SET OF Filter: liblber keeps the items in our order */
	rc = ber_printf(ber, "t[", (ber_tag_t)FILTER_AND);
	for (i = 0; i < f->items.n; i++)
		if (put_ava(ber, &f->items.a[i]) < 0)
			rc = -1;
	return ber_printf(ber, "]") < 0 ? -1 : rc;
}

/*
 * Search and collect the entries up to SearchResultDone.  Returns Done's
 * resultCode, or -1 with errbuf set and the connection closed.
 */
static int
do_search(struct conn *c, const char *base, int scope, const struct filter *f,
    const char *const *attrs, int nattrs, struct search *s)
{
	BerElement *ber = req_start(c);
	struct msg m;
	int i, rc;

	memset(s, 0, sizeof(*s));
	/* derefAliases never, no size or time limit, typesOnly FALSE */
	rc = ber_printf(ber, "{it{oeeiib", c->msgid, (ber_tag_t)OP_SEARCH_REQ,
	    base, (ber_len_t)strlen(base), (ber_int_t)scope, (ber_int_t)0,
	    (ber_int_t)0, (ber_int_t)0, (ber_int_t)0);
	if (put_filter(ber, f) < 0 || ber_printf(ber, "{") < 0)
		rc = -1;
	for (i = 0; i < nattrs; i++)
		if (ber_printf(ber, "o", attrs[i], (ber_len_t)strlen(attrs[i])) < 0)
			rc = -1;
	if (ber_printf(ber, "}}}") < 0)
		rc = -1;
	if (send_ber(c, ber, rc) < 0)
		return -1;

	for (i = 0, rc = -2; rc == -2; i++) {
		if (i > MAX_ENTRIES || recv_msg(c, &m) < 0) {
			if (i > MAX_ENTRIES)
				fail("more than %d replies", MAX_ENTRIES);
			rc = -1;
			break;
		}
		if (m.msgid != c->msgid) {
			unexpected(&m, c->msgid, OP_SEARCH_DONE);
			rc = -1;
		} else if (m.op == OP_SEARCH_ENTRY) {
			s->e = xrealloc(s->e, (s->n + 1) * sizeof(*s->e));
			memset(&s->e[s->n], 0, sizeof(*s->e));
			if (get_entry(&m, &s->e[s->n++]) < 0)
				rc = -1;
		} else if (m.op == OP_SEARCH_REF) {
			s->refs++;
		} else if (m.op == OP_SEARCH_DONE) {
			rc = get_result(&m, &s->done) < 0 ? -1 : s->done.code;
		} else {
			unexpected(&m, c->msgid, OP_SEARCH_DONE);
			rc = -1;
		}
		ber_free(m.ber, 1);
	}
	if (rc < 0)
		conn_close(c);
	return rc;
}

/* ---- checks on results ---- */

/* Check an LDAPResult code; rc < 0 means no usable reply (see errbuf) */
static int
expect(int rc, int want, const struct result *r, const char *fmt, ...)
{
	char desc[600], seen[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	if (rc < 0)
		return check(0, errbuf, "%s", desc);
	snprintf(seen, sizeof(seen), "resultCode %d, text \"%s\"", rc,
	    ESC(&r->text));
	return check(rc == want, seen, "%s", desc);
}

static const struct entry *
find_entry(const struct search *s, const char *dn)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->e[i].dn.len == strlen(dn) &&
		    strncasecmp(s->e[i].dn.p, dn, s->e[i].dn.len) == 0)
			return &s->e[i];
	return NULL;
}

/* Append one item to a comma-separated list in a report buffer */
static void
join(char *buf, size_t size, const char *item)
{
	size_t l = strlen(buf);

	snprintf(buf + l, size - l, "%s%s", l ? "," : "", item);
}

/* The entry carries exactly `names`, in that order, spelled as sent */
static void
check_names(const char *what, const struct entry *e, const char *const *names,
    int n)
{
	char seen[1024] = "";
	int i, ok = e->al.n == n;

	for (i = 0; i < e->al.n; i++) {
		ok &= i < n && val_is(&e->al.a[i].name, names[i]);
		join(seen, sizeof(seen), ESC(&e->al.a[i].name));
	}
	check(ok, seen, "%s: attribute names and order exactly as requested",
	    what);
}

/* Attribute `name` (exact spelling) has the values want[0..n), in order */
static void
check_vals(const char *what, const struct entry *e, const char *name,
    const char *const *want, int n)
{
	const struct attr *a = NULL;
	char seen[1024] = "", desc[512] = "";
	int i, ok;

	for (i = 0; i < n; i++)
		join(desc, sizeof(desc), esc(want[i], strlen(want[i])));
	for (i = 0; i < e->al.n && a == NULL; i++)
		if (val_is(&e->al.a[i].name, name))
			a = &e->al.a[i];
	if (a == NULL) {
		check(0, "attribute missing", "%s: %s = {%s}", what, name, desc);
		return;
	}
	ok = a->nvals == n;
	for (i = 0; i < a->nvals; i++) {
		ok &= i < n && val_is(&a->vals[i], want[i]);
		join(seen, sizeof(seen), ESC(&a->vals[i]));
	}
	check(ok, seen, "%s: %s = {%s}", what, name, desc);
}

/* Connect and Bind anonymously; -1 (connection closed) if that failed */
static int
session(struct conn *c, int version, const char *what)
{
	struct result r;
	int rc;

	conn_open(c);
	rc = do_bind(c, version, &r);
	expect(rc, 0, &r, "%s: bind (LDAPv%d, simple, anonymous) resultCode 0",
	    what, version);
	result_free(&r);
	if (rc != 0)
		conn_close(c);
	return rc == 0 ? 0 : -1;
}

/* ---- NetMeeting scenarios ---- */

static const char *const reg_add[][2] = {
	{ "cn", NULL },			/* NULL: the e-mail address */
	{ "givenname", "Eric" },
	{ "surname", "Gruber" },
	{ "rfc822mailbox", NULL },
	{ "location", "Seattle" },
	{ "comment", "Participant" },
	{ "c", "-" },
	{ "sipaddress", "3758139584" },
	{ "sflags", "1" },
	{ "ssecurity", "21912384" },
	{ "ilsA26214430", "0" },
	{ "ilsA26279966", "84020942" },
	{ "ilsA32833566", "1" },
	{ "ilsA32964638", "1" },
	{ "ilsA39321630", "2" },
};

/* repeated names become one multi-valued modification */
static const char *const reg_mod[][2] = {
	{ "smodop", "0" },
	{ "sappid", "ms-netmeeting" },
	{ "smimetype", "text/iuls" },
	{ "sappguid", "008aff194794cf118796444553540000" },
	{ "sprotid", "T120" },
	{ "sprotid", "H323" },
	{ "sprotmimetype", "text/t120" },
	{ "sprotmimetype", "text/h323" },
	{ "sport", "1503" },
	{ "sport", "1720" },
};

static const char *const browse_attrs[] = {
	"cn", "givenname", "surname", "rfc822mailbox", "location", "comment",
	"sipaddress", "sport", "sprotid", "sappid", "ilsa26214430",
	"ilsa32833566", "ilsa32964638",
};

static void
al_adds(struct attrlist *l, int op, const char *name, const char *v)
{
	al_add(l, op, name, v, strlen(v));
}

static void
sc_register(void)
{
	const char *what = variant ? "register-replace" : "register";
	struct attrlist l = { NULL, 0 };
	struct result r;
	struct conn c;
	int i, rc;

	if (session(&c, 2, what) < 0)
		return;
	for (i = 0; i < NELEM(reg_add); i++)
		al_adds(&l, 0, reg_add[i][0], reg_add[i][1] ? reg_add[i][1] : email);
	rc = do_update(&c, OP_ADD_REQ, nmdn, &l, &r);
	expect(rc, 0, &r, "%s: add \"%s\" (15 attributes, no objectClass) "
	    "resultCode 0", what, nmdn);
	result_free(&r);
	al_free(&l);
	if (rc >= 0) {
		for (i = 0; i < NELEM(reg_mod); i++)
			al_adds(&l, variant ? MOD_REPLACE : MOD_ADD, reg_mod[i][0],
			    reg_mod[i][1]);
		rc = do_update(&c, OP_MODIFY_REQ, moddn, &l, &r);
		expect(rc, 0, &r, "%s: modify \"%s\" (%s application data) "
		    "resultCode 0", what, moddn, variant ? "replace" : "add");
		result_free(&r);
		al_free(&l);
	}
	do_unbind(&c);
}

/*
 * Search base "objectClass=rtPerson", scope base, with an AND of the
 * equality terms (name, value; a NULL value is the e-mail address), as
 * NetMeeting does: it never sends a real DN.  Checks Done == 0; returns
 * the number of entries, -1 if the search failed.
 */
static int
search_user(struct conn *c, const char *what, const char *const *terms,
    int nterms, const char *const *attrs, int nattrs, struct search *s)
{
	struct filter f = { FILTER_AND, { NULL, 0 } };
	const char *v;
	int i, rc;

	for (i = 0; i + 1 < nterms; i += 2) {
		v = terms[i + 1] ? terms[i + 1] : email;
		attr_val(al_attr(&f.items, 0, terms[i], strlen(terms[i])), v,
		    strlen(v));
	}
	rc = do_search(c, "objectClass=rtPerson", 0, &f, attrs, nattrs, s);
	al_free(&f.items);
	expect(rc, 0, &s->done, "%s: search SearchResultDone resultCode 0", what);
	return rc < 0 ? -1 : s->n;
}

/* The search found exactly one entry, the user's; return it */
static const struct entry *
the_user(const char *what, int n, const struct search *s)
{
	char seen[64];

	snprintf(seen, sizeof(seen), "%d entries", n);
	if (n < 0 || !check(n == 1, seen, "%s: exactly one entry", what))
		return NULL;
	check(find_entry(s, canon) != NULL, ESC(&s->e[0].dn),
	    "%s: entry DN is %s", what, canon);
	return &s->e[0];
}

static void
sc_keepalive(void)
{
	const char *what = variant ? "keepalive-absent" : "keepalive";
	struct search s;
	struct conn c;
	char seen[64];
	int n;

	if (session(&c, 2, what) < 0)
		return;
	/* (sttl=10) is an instruction to the server, not a predicate */
	n = search_user(&c, what, V("objectClass", "rtPerson", "cn", NULL,
	    "sttl", "10"), 6, NULL, 0, &s);
	snprintf(seen, sizeof(seen), "%d entries", n);
	if (variant && n >= 0)
		check(n == 0, seen, "%s: no entry returned", what);
	else if (!variant)
		the_user(what, n, &s);
	search_free(&s);
	do_unbind(&c);
}

static void
sc_browse(void)
{
	const char *w = "browse";
	const struct entry *e;
	struct search s;
	struct conn c;
	char seen[64];
	int n;

	if (session(&c, 2, w) < 0)
		return;
	/* "%" is the ILS wildcard, sent as a plain equality value */
	n = search_user(&c, "browse (cn=%)", V("objectClass", "rtPerson",
	    "cn", "%", "sappid", "ms-netmeeting", "sprotid", "h323"), 8,
	    browse_attrs, NELEM(browse_attrs), &s);
	if (n >= 0) {
		printf("# entries: %d\n", n);
		snprintf(seen, sizeof(seen), "%d entries", n);
		check(n >= 1, seen, "browse: at least one entry");
		e = find_entry(&s, canon);
		if (check(e != NULL, "not among the entries",
		    "browse: entry %s found", canon)) {
			check_names(w, e, browse_attrs, NELEM(browse_attrs));
			check_vals(w, e, "cn", V(email), 1);
			check_vals(w, e, "givenname", V("Eric"), 1);
			check_vals(w, e, "surname", V("Gruber"), 1);
			check_vals(w, e, "rfc822mailbox", V(email), 1);
			check_vals(w, e, "location", V("Seattle"), 1);
			check_vals(w, e, "comment", V("Participant"), 1);
			check_vals(w, e, "sipaddress", V("3758139584"), 1);
			check_vals(w, e, "sport", V("1503", "1720"), 2);
			check_vals(w, e, "sprotid", V("T120", "H323"), 2);
			check_vals(w, e, "sappid", V("ms-netmeeting"), 1);
			check_vals(w, e, "ilsa26214430", V("0"), 1);
			check_vals(w, e, "ilsa32833566", V("1"), 1);
			check_vals(w, e, "ilsa32964638", V("1"), 1);
		}
	}
	search_free(&s);
	do_unbind(&c);
}

static void
sc_order(void)
{
	static const char *const a1[] = { "sipaddress", "cn", "givenname" };
	static const char *const a2[] = { "GIVENNAME", "SipAddress" };
	const char *const *terms = V("objectClass", "rtPerson", "cn", NULL);
	const struct entry *e;
	struct search s;
	struct conn c;

	if (session(&c, 2, "order") < 0)
		return;
	e = the_user("order 1", search_user(&c, "order 1", terms, 4, a1,
	    NELEM(a1), &s), &s);
	if (e != NULL) {
		check_names("order 1", e, a1, NELEM(a1));
		check_vals("order 1", e, "sipaddress", V("3758139584"), 1);
		check_vals("order 1", e, "cn", V(email), 1);
		check_vals("order 1", e, "givenname", V("Eric"), 1);
	}
	search_free(&s);
	/* same connection: the server must not reuse the first list */
	if (c.fd >= 0) {
		e = the_user("order 2", search_user(&c, "order 2", terms, 4, a2,
		    NELEM(a2), &s), &s);
		if (e != NULL) {
			check_names("order 2", e, a2, NELEM(a2));
			check_vals("order 2", e, "GIVENNAME", V("Eric"), 1);
			check_vals("order 2", e, "SipAddress", V("3758139584"), 1);
		}
		search_free(&s);
	}
	do_unbind(&c);
}

static void
sc_lookup(void)
{
	static const char *const a[] = { "rfc822mailbox", "sipaddress" };
	const struct entry *e;
	struct search s;
	struct conn c;

	if (session(&c, 2, "lookup") < 0)
		return;
	/* GnomeMeeting: (&(cn=EMAIL)), an AND with a single term */
	e = the_user("lookup", search_user(&c, "lookup", V("cn", NULL), 2, a,
	    NELEM(a), &s), &s);
	if (e != NULL) {
		check_names("lookup", e, a, NELEM(a));
		check_vals("lookup", e, "rfc822mailbox", V(email), 1);
		check_vals("lookup", e, "sipaddress", V("3758139584"), 1);
	}
	search_free(&s);
	do_unbind(&c);
}

static void
sc_unregister(void)
{
	struct result r;
	struct conn c;
	int rc;

	if (session(&c, 2, "unregister") < 0)
		return;
	rc = do_delete(&c, moddn, &r);
	expect(rc, 0, &r, "unregister: delete \"%s\" resultCode 0", moddn);
	result_free(&r);
	if (rc >= 0) {
		rc = do_delete(&c, moddn, &r);
		expect(rc, 32, &r, "unregister: second delete resultCode 32 "
		    "(noSuchObject)");
		result_free(&r);
	}
	do_unbind(&c);
}

/* Read the names back over a fresh LDAPv`version` connection */
static void
latin1_read(int version, const char *given, const char *sur)
{
	static const char *const a[] = { "givenname", "surname" };
	const struct entry *e;
	struct search s;
	struct conn c;
	char w[32];

	snprintf(w, sizeof(w), "latin1 v%d", version);
	if (session(&c, version, w) < 0)
		return;
	e = the_user(w, search_user(&c, w, V("objectClass", "rtPerson", "cn",
	    NULL), 4, a, NELEM(a), &s), &s);
	if (e != NULL) {
		check_vals(w, e, "givenname", V(given), 1);
		check_vals(w, e, "surname", V(sur), 1);
	}
	search_free(&s);
	do_unbind(&c);
}

static void
sc_latin1(void)
{
	struct attrlist l = { NULL, 0 };
	struct result r;
	struct conn c;
	int rc;

	if (session(&c, 2, "latin1") < 0)
		return;
	al_adds(&l, 0, "cn", email);
	al_adds(&l, 0, "givenname", "Ren\xe9");		/* ISO-8859-1 */
	al_adds(&l, 0, "surname", "M\xfcller");
	al_adds(&l, 0, "sipaddress", "16777343");
	al_adds(&l, 0, "sflags", "1");
	rc = do_update(&c, OP_ADD_REQ, nmdn, &l, &r);
	expect(rc, 0, &r, "latin1: add with ISO-8859-1 names resultCode 0");
	result_free(&r);
	al_free(&l);
	do_unbind(&c);
	if (rc < 0)
		return;

	/* an LDAPv2 client gets its bytes back, an LDAPv3 one gets UTF-8 */
	latin1_read(2, "Ren\xe9", "M\xfcller");
	latin1_read(3, "Ren\xc3\xa9", "M\xc3\xbcller");

	if (session(&c, 2, "latin1 cleanup") < 0)
		return;
	rc = do_delete(&c, moddn, &r);
	expect(rc, 0, &r, "latin1: delete resultCode 0");
	result_free(&r);
	do_unbind(&c);
}

/* ---- ad-hoc scenarios for the test suite ---- */

static int
parse_code(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0 || v > 0x7fffffff)
		die("CODE must be a non-negative integer");
	return (int)v;
}

static void
sc_raw(void)
{
	struct buf pdu = { NULL, 0, 0 };
	struct result r;
	struct msg m;
	struct conn c;
	unsigned int x;
	unsigned char ch;
	const char *p;
	int i, more = 1;

	for (i = 0; i < sargc; i++)
		for (p = sargv[i]; *p != '\0'; p++) {
			if (strchr(" \t\n:", *p) != NULL)
				continue;
			if (strspn(p, "0123456789abcdefABCDEF") < 2 ||
			    sscanf(p++, "%2x", &x) != 1)
				die("raw: HEX must be pairs of hex digits");
			ch = x;
			buf_put(&pdu, &ch, 1);
		}
	if (session(&c, 2, "raw") < 0)
		goto out;
	/* verbatim even with -L: malformed PDUs are what raw is for */
	if (send_raw(&c, pdu.p, pdu.len) < 0 || recv_msg(&c, &m) < 0) {
		check(0, errbuf, "raw: got a reply");
		goto out;
	}
	check(1, NULL, "raw: got a reply");
	for (i = 0; more && i <= MAX_ENTRIES; i++) {
		if (i > 0 && recv_msg(&c, &m) < 0) {
			printf("# %s\n", errbuf);
			break;
		}
		printf("# reply: messageID %d op 0x%02lx\n", m.msgid,
		    (unsigned long)m.op);
		more = m.op == OP_SEARCH_ENTRY || m.op == OP_SEARCH_REF;
		memset(&r, 0, sizeof(r));
		if (!more && get_result(&m, &r) == 0)
			printf("result: %d\ntext: %s\n", r.code, ESC(&r.text));
		result_free(&r);
		ber_free(m.ber, 1);
	}
	do_unbind(&c);
out:
	free(pdu.p);
	conn_close(&c);
}

/* add-expect CODE DN ATTR[=VALUE]... and mod-expect CODE DN OP:ATTR... */
static void
sc_update(void)
{
	static const char *const ops[] = { "add:", "delete:", "replace:" };
	const char *what = variant ? "mod-expect" : "add-expect";
	struct attrlist l = { NULL, 0 };
	struct result r;
	struct conn c;
	struct val v = { NULL, 0 };
	char *arg, *eq, *name;
	int i, op = 0, code = parse_code(sargv[0]), rc;

	for (i = 2; i < sargc; i++) {
		name = arg = strdup(sargv[i]);
		for (op = 0; variant && op < NELEM(ops); op++)
			if (!strncmp(arg, ops[op], strlen(ops[op])))
				break;
		if (op == NELEM(ops))
			die("mod-expect: OP must be add:, delete: or replace:");
		if (variant)
			name += strlen(ops[op]);
		if ((eq = strchr(name, '=')) != NULL) {
			*eq++ = '\0';
			unescape(eq, strlen(eq), &v);
		}
		al_add(&l, variant ? op : 0, name, eq ? v.p : NULL, v.len);
		free(eq ? v.p : NULL);
		free(arg);
	}
	if (session(&c, 2, what) == 0) {
		rc = do_update(&c, variant ? OP_MODIFY_REQ : OP_ADD_REQ, sargv[1],
		    &l, &r);
		expect(rc, code, &r, "%s: %s \"%s\" resultCode %d", what,
		    variant ? "modify" : "add", sargv[1], code);
		if (rc >= 0)
			printf("# text: %s\n", ESC(&r.text));
		result_free(&r);
		do_unbind(&c);
	}
	al_free(&l);
}

static void
sc_modrdn(void)
{
	struct result r;
	struct conn c;
	int code = parse_code(sargv[0]), rc;

	if (session(&c, 2, "modrdn-expect") < 0)
		return;
	rc = do_moddn(&c, sargv[1], sargv[2], &r);
	expect(rc, code, &r, "modrdn-expect: modrdn \"%s\" to \"%s\" "
	    "resultCode %d", sargv[1], sargv[2], code);
	if (rc >= 0)
		printf("# text: %s\n", ESC(&r.text));
	result_free(&r);
	do_unbind(&c);
}

/* One "ATTR=VALUE" of a filter spec */
static void
parse_ava(struct filter *f, const char *s, size_t len)
{
	const char *eq = memchr(s, '=', len);
	struct attr *a;
	struct val v;

	if (eq == NULL || eq == s)
		die("search-expect: filter items are ATTR=VALUE");
	a = al_attr(&f->items, 0, s, eq - s);
	unescape(eq + 1, len - (eq + 1 - s), &v);
	attr_val(a, v.p, v.len);
	free(v.p);
}

static void
parse_filter(const char *spec, struct filter *f)
{
	const char *p, *q;

	if (!strncmp(spec, "eq:", 3)) {
		f->type = FILTER_EQ;
		parse_ava(f, spec + 3, strlen(spec + 3));
	} else if (!strncmp(spec, "and:", 4)) {
		f->type = FILTER_AND;
		for (p = spec + 4; p != NULL; p = q ? q + 1 : NULL) {
			q = strchr(p, ',');
			parse_ava(f, p, q ? (size_t)(q - p) : strlen(p));
		}
	} else if (!strncmp(spec, "present:", 8) && spec[8] != '\0') {
		f->type = FILTER_PRESENT;
		al_attr(&f->items, 0, spec + 8, strlen(spec + 8));
	} else {
		die("search-expect: FILTER is eq:A=V, and:A=V,... or present:A");
	}
}

static void
sc_search(void)
{
	static const char *const scopes[] = { "base", "one", "sub" };
	struct filter f = { 0, { NULL, 0 } };
	const struct attr *a;
	struct search s;
	struct conn c;
	int code = parse_code(sargv[0]), scope, rc, i, j, k;

	for (scope = 0; scope < NELEM(scopes); scope++)
		if (!strcmp(sargv[2], scopes[scope]))
			break;
	if (scope == NELEM(scopes))
		die("search-expect: scope is base, one or sub");
	parse_filter(sargv[3], &f);
	if (session(&c, 2, "search-expect") < 0)
		goto out;
	rc = do_search(&c, sargv[1], scope, &f, (const char *const *)sargv + 4,
	    sargc - 4, &s);
	expect(rc, code, &s.done, "search-expect: search \"%s\" %s %s "
	    "SearchResultDone resultCode %d", sargv[1], sargv[2], sargv[3],
	    code);
	if (rc >= 0) {
		printf("# text: %s\n# entries: %d\n", ESC(&s.done.text), s.n);
		for (i = 0; i < s.n; i++) {
			printf("# dn: %s\n", ESC(&s.e[i].dn));
			for (j = 0; j < s.e[i].al.n; j++) {
				a = &s.e[i].al.a[j];
				if (a->nvals == 0)
					printf("# attr: %s (no values)\n", ESC(&a->name));
				for (k = 0; k < a->nvals; k++)
					printf("# attr: %s=%s\n", ESC(&a->name),
					    ESC(&a->vals[k]));
			}
		}
		if (s.refs > 0)
			printf("# references: %d\n", s.refs);
	}
	search_free(&s);
	do_unbind(&c);
out:
	al_free(&f.items);
}

/* ---- main ---- */

static const struct scenario {
	const char *name;
	void (*fn)(void);
	int variant, min, max;		/* argument counts; max < 0: no limit */
} scenarios[] = {
	{ "register", sc_register, 0, 0, 1 },
	{ "register-replace", sc_register, 1, 0, 1 },
	{ "keepalive", sc_keepalive, 0, 0, 1 },
	{ "keepalive-absent", sc_keepalive, 1, 0, 1 },
	{ "browse", sc_browse, 0, 0, 1 },
	{ "order", sc_order, 0, 0, 1 },
	{ "lookup", sc_lookup, 0, 0, 1 },
	{ "unregister", sc_unregister, 0, 0, 1 },
	{ "latin1", sc_latin1, 0, 0, 1 },
	{ "raw", sc_raw, 0, 1, -1 },
	{ "add-expect", sc_update, 0, 2, -1 },
	{ "mod-expect", sc_update, 1, 2, -1 },
	{ "search-expect", sc_search, 0, 4, -1 },
	{ "modrdn-expect", sc_modrdn, 0, 3, 3 },
	{ NULL, NULL, 0, 0, 0 }
};

static void
usage(void)
{
	fprintf(stderr,
	    "usage: ilswire [-L] [-v] -H host -p port SCENARIO [args]\n"
	    "  register|register-replace|keepalive|keepalive-absent|browse|\n"
	    "      order|lookup|unregister|latin1 [EMAIL]\n"
	    "  raw HEX...\n"
	    "  add-expect CODE DN [ATTR[=VALUE]...]\n"
	    "  mod-expect CODE DN [add|delete|replace:ATTR[=VALUE]...]\n"
	    "  search-expect CODE BASE base|one|sub FILTER [ATTR...]\n"
	    "      FILTER: eq:A=V | and:A=V,A=V,... | present:A\n"
	    "  modrdn-expect CODE DN NEWRDN\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const struct scenario *s;
	int ch;

	/* "+": stop at the scenario name; its arguments are not options */
	while ((ch = getopt(argc, argv, "+LvH:p:")) != -1) {
		switch (ch) {
		case 'L': opt_long = 1; break;
		case 'v': opt_verbose = 1; break;
		case 'H': host = optarg; break;
		case 'p': port = optarg; break;
		default: usage();
		}
	}
	if (host == NULL || port == NULL || optind >= argc)
		usage();
	for (s = scenarios; s->name != NULL; s++)
		if (!strcmp(s->name, argv[optind]))
			break;
	sargc = argc - optind - 1;
	sargv = argv + optind + 1;
	if (s->name == NULL || sargc < s->min || (s->max >= 0 && sargc > s->max))
		usage();
	if (s->max == 1 && sargc == 1)
		email = sargv[0];
	if (strlen(email) > 400)
		die("EMAIL is too long");
	snprintf(nmdn, sizeof(nmdn), "c=-,o=Microsoft, cn=%s, objectClass=rtPerson",
	    email);
	snprintf(moddn, sizeof(moddn), "c=-, o=Microsoft, cn=%s, "
	    "objectClass=rtPerson", email);
	snprintf(canon, sizeof(canon), "cn=%s,ou=Dynamic,o=Intranet", email);

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	variant = s->variant;
	s->fn();
	printf("# %d checks, %d failed\n", nchecks, nfail);
	return nfail ? 1 : 0;
}
