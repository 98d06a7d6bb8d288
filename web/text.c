/* text.c - growable buffers and the escaping of everything ils-web prints */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ils-web.h"

static void
buf_grow(struct buf *b, size_t n)
{
	size_t cap;
	char *s;

	if (b->len + n + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1)
		cap *= 2;
	if ((s = realloc(b->s, cap)) == NULL) {
		perror("ils-web");
		abort();
	}
	b->s = s;
	b->cap = cap;
}

void
buf_add(struct buf *b, const char *s, size_t n)
{
	buf_grow(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_grow(b, n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
}

void
buf_free(struct buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

/*
 * Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), 0 if there is none.
 */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned c = s[0];
	unsigned long cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2, cp = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3, cp = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return len;
}

/*
 * NetMeeting and other LDAPv2 clients write ISO-8859-1; an ILS server
 * other than back-ils may hand those bytes back as they are.  A value
 * that is not UTF-8 as a whole is read as Latin-1, so that neither the
 * page nor the JSON ever carries invalid UTF-8.  A NUL ends the value,
 * as it would in the client that wrote it.
 */
char *
text_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf b = { NULL, 0, 0 };
	size_t i, k;
	int valid = 1;

	for (i = 0; i < n && p[i]; i += k)
		if ((k = utf8_seq(p + i, n - i)) == 0) {
			valid = 0;
			break;
		}
	buf_add(&b, "", 0);
	for (i = 0; i < n && p[i]; i++) {
		if (valid || p[i] < 0x80) {
			buf_add(&b, s + i, 1);
		} else {
			char two[2] = { (char)(0xC0 | p[i] >> 6),
			    (char)(0x80 | (p[i] & 0x3F)) };
			buf_add(&b, two, 2);
		}
	}
	return b.s;
}

/* one character of HTML text or attribute value */
static void
html_char(struct buf *b, const char *s, size_t len)
{
	unsigned char c = (unsigned char)s[0];

	switch (c) {
	case '&': buf_puts(b, "&amp;"); return;
	case '<': buf_puts(b, "&lt;"); return;
	case '>': buf_puts(b, "&gt;"); return;
	case '"': buf_puts(b, "&quot;"); return;
	case '\'': buf_puts(b, "&#39;"); return;
	}
	/* controls would be invisible or break the layout: show U+FFFD */
	if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F)
		buf_puts(b, "\xEF\xBF\xBD");
	else
		buf_add(b, s, len);
}

/* s is valid UTF-8 (text_utf8); max 0 is no limit */
static void
html_esc_n(struct buf *b, const char *s, size_t max)
{
	size_t i = 0, k, chars = 0, n = strlen(s);

	while (i < n) {
		if (max && chars == max) {
			buf_puts(b, "\xE2\x80\xA6");	/* U+2026 ellipsis */
			return;
		}
		k = utf8_seq((const unsigned char *)s + i, n - i);
		if (k == 0)
			k = 1;		/* not from text_utf8: still safe */
		html_char(b, s + i, k);
		i += k;
		chars++;
	}
}

void
html_esc(struct buf *b, const char *s)
{
	html_esc_n(b, s ? s : "", 0);
}

void
html_esc_cut(struct buf *b, const char *s, size_t max)
{
	html_esc_n(b, s ? s : "", max);
}

void
uri_esc(struct buf *b, const char *s, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) ||
		    (keep && strchr(keep, *p))) {
			buf_add(b, (const char *)p, 1);
		} else {
			char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };
			buf_add(b, e, 3);
		}
	}
}
