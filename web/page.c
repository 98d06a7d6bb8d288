/* page.c - the "who is online" page */
/*
 * The page is self-contained (no script, no external asset: the
 * Content-Security-Policy of http.c forbids both), sorts and searches on
 * the server through its query string, and refreshes itself with a meta
 * refresh of the same address.  Every value from the directory goes
 * through html_esc (text.c) and every link through uri_esc first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ils-web.h"

#define CUT 80			/* characters of a value shown in a cell */
/* the chart: width, height, left and bottom margins */
#define CHART_W 720
#define CHART_H 110
#define CHART_L 34
#define CHART_B 18

static const char style[] =
	"body{font-family:DejaVu Sans,Verdana,sans-serif;margin:1.5em;"
	"color:#1d2733;background:#f6f8fa}"
	"h1{font-size:1.5em;margin:0 0 .2em}"
	".sub{color:#5b6b7c;margin:0 0 1em}"
	"form{margin:0 0 1em}input[type=search]{padding:.35em;width:22em}"
	"button{padding:.35em .9em}"
	"table{border-collapse:collapse;background:#fff;"
	"box-shadow:0 1px 3px #0002;width:100%}"
	"th,td{padding:.45em .6em;text-align:left;border-bottom:1px solid #e3e8ee;"
	"vertical-align:top;overflow-wrap:break-word;max-width:22em}"
	".name,.location,.comment{overflow-wrap:anywhere}"
	"th{background:#2c3e50;color:#fff;font-weight:normal}"
	"th a{color:#fff;text-decoration:none}th a:hover{text-decoration:underline}"
	"tr:hover td{background:#f0f5fb}"
	".busy{color:#b03a2e;font-weight:bold}.free{color:#1e8449}"
	".client,.since,.links,.ip{white-space:nowrap}"
	".links a{margin-right:.4em;padding:.1em .45em;border:1px solid #2874a6;"
	"border-radius:3px;text-decoration:none;color:#2874a6}"
	".links a:hover{background:#2874a6;color:#fff}"
	".error{background:#fdecea;border:1px solid #e6b0aa;color:#922b21;"
	"padding:1em;margin:0 0 1em}"
	".none{color:#5b6b7c;padding:1em}"
	"figure{margin:0 0 1em}figcaption{color:#5b6b7c;font-size:.85em}";

static void
head(struct buf *b, const struct query *qy)
{
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">");
	if (qy->refresh > 0)
		buf_printf(b, "<meta http-equiv=\"refresh\" content=\"%d\">",
		    qy->refresh);
	buf_printf(b, "<meta name=\"viewport\" content=\"width=device-width\">"
	    "<title>Who is online</title><style>%s</style></head>\n<body>",
	    style);
}

/* ?q=...&sort=...&desc=1, escaped for an href */
static void
self_link(struct buf *b, const char *q, const char *sort, int desc)
{
	struct buf u = { NULL, 0, 0 };

	buf_puts(&u, "/?");
	if (q && *q) {
		buf_puts(&u, "q=");
		uri_esc(&u, q, NULL);
		buf_puts(&u, "&");
	}
	buf_printf(&u, "sort=%s%s", sort, desc ? "&desc=1" : "");
	html_esc(b, u.s);
	buf_free(&u);
}

static void
search_form(struct buf *b, const struct query *qy)
{
	buf_puts(b, "<form method=\"get\" action=\"/\" role=\"search\">"
	    "<input type=\"search\" name=\"q\" id=\"q\" "
	    "placeholder=\"name or e-mail\" value=\"");
	html_esc(b, qy->q);
	buf_puts(b, "\">");
	if (qy->sort && *qy->sort) {
		buf_puts(b, "<input type=\"hidden\" name=\"sort\" value=\"");
		html_esc(b, qy->sort);
		buf_puts(b, "\">");
	}
	buf_puts(b, " <button type=\"submit\">Search</button>");
	if (qy->q && *qy->q)
		buf_puts(b, " <a href=\"/\">show everyone</a>");
	buf_puts(b, "</form>\n");
}

static const struct column {
	const char *title, *key;	/* key NULL: not sortable */
} columns[] = {
	{ "Name", "name" }, { "E-mail", "email" }, { "Location", "location" },
	{ "Comment", NULL }, { "Client", "client" }, { "In a call", "call" },
	{ "Address", "address" }, { "Online since", "since" }, { "Call", NULL },
};

static void
table_head(struct buf *b, const struct query *qy)
{
	const char *cur = qy->sort && *qy->sort ? qy->sort : "name";
	size_t i;

	buf_puts(b, "<table id=\"users\"><thead><tr>");
	for (i = 0; i < sizeof(columns) / sizeof(*columns); i++) {
		const struct column *c = &columns[i];
		int here = c->key && !strcmp(c->key, cur);

		if (c->key == NULL) {
			buf_printf(b, "<th>%s</th>", c->title);
			continue;
		}
		buf_printf(b, "<th data-sort=\"%s\"%s><a href=\"", c->key,
		    here ? (qy->desc ? " aria-sort=\"descending\"" :
		    " aria-sort=\"ascending\"") : "");
		self_link(b, qy->q, c->key, here && !qy->desc);
		buf_printf(b, "\">%s%s</a></th>", c->title,
		    here ? (qy->desc ? " \xE2\x96\xBE" : " \xE2\x96\xB4") : "");
	}
	buf_puts(b, "</tr></thead>\n<tbody>\n");
}

/* a cell: the value cut to CUT characters, all of it in the title */
static void
cell(struct buf *b, const char *cls, const char *v)
{
	buf_printf(b, "<td class=\"%s\"", cls);
	if (strlen(v) > CUT) {
		buf_puts(b, " title=\"");
		html_esc(b, v);
		buf_puts(b, "\"");
	}
	buf_puts(b, ">");
	html_esc_cut(b, v, CUT);
	buf_puts(b, "</td>");
}

/* the name a person gave, else the cn; "-" and blanks are no name */
static void
display_name(struct buf *b, const struct user *u)
{
	const char *g = u->given, *s = u->surname;
	int hg = *g && strcmp(g, "-") && strspn(g, " ") != strlen(g);
	int hs = *s && strcmp(s, "-") && strspn(s, " ") != strlen(s);

	if (hg)
		buf_puts(b, g);
	if (hg && hs)
		buf_puts(b, " ");
	if (hs)
		buf_puts(b, s);
	if (!hg && !hs)
		buf_puts(b, u->cn);
}

static void
since(struct buf *b, time_t t, time_t now)
{
	struct tm tm;
	char when[32];
	long min = (long)(now - t) / 60;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	buf_printf(b, "<td class=\"since\"><time datetime=\"%.10sT%.5s:00Z\" "
	    "title=\"%s UTC\">%s</time>", when, when + 11, when,
	    now - t < 86400 ? when + 11 : when);
	if (min < 60)
		buf_printf(b, " (%ld min)", min);
	else
		buf_printf(b, " (%ld h %02ld min)", min / 60, min % 60);
	buf_puts(b, "</td>");
}

static void
row(struct buf *b, const struct user *u, time_t now)
{
	struct buf t = { NULL, 0, 0 };

	buf_puts(b, "<tr class=\"user\" data-cn=\"");
	html_esc(b, u->cn);
	buf_puts(b, "\">");
	display_name(&t, u);
	cell(b, "name", t.s);
	t.len = 0;
	cell(b, "email", u->email);
	cell(b, "location", u->location);
	cell(b, "comment", u->comment);
	buf_printf(b, "<td class=\"client\">%s", client_name(u->client));
	if (u->client == CLIENT_PTLIB || (u->client == CLIENT_UNKNOWN && *u->appid)) {
		buf_puts(b, " <small>(");
		html_esc_cut(b, u->appid, 40);
		buf_puts(b, ")</small>");
	}
	buf_puts(b, "</td>");
	if (u->in_call > 0)
		buf_puts(b, "<td class=\"call busy\">in a call</td>");
	else if (u->in_call == 0)
		buf_puts(b, "<td class=\"call free\">free</td>");
	else
		buf_puts(b, "<td class=\"call\">?</td>");
	buf_printf(b, "<td class=\"address\"><span class=\"ip\">%s</span>",
	    u->addr[0] ? u->addr : "-");
	if (*u->ports)
		buf_printf(b, " <small>port %s</small>", u->ports);
	buf_puts(b, "</td>");
	since(b, u->since, now);
	buf_puts(b, "<td class=\"links\"><a class=\"callto\" href=\"");
	user_callto(&t, u, dir_host());
	html_esc(b, t.s);
	buf_puts(b, "\">NetMeeting</a><a class=\"h323\" href=\"");
	t.len = 0;
	user_h323(&t, u);
	html_esc(b, t.s);
	buf_puts(b, "\">H.323</a></td></tr>\n");
	buf_free(&t);
}

/* the left edge of the chart: a day ago, or the first sample of an
 * ils-web that started less than a day ago, at least ten minutes back */
static time_t
chart_start(const struct sample *s, int n, time_t now)
{
	time_t t0 = now - 86400;

	if (n > 0 && s[0].at > t0)
		t0 = s[0].at;
	return now - t0 < 600 ? now - 600 : t0;
}

static void
chart_axes(struct buf *b, int max, time_t t0, time_t now)
{
	struct tm tm;
	char from[16];

	gmtime_r(&t0, &tm);
	strftime(from, sizeof(from), "%H:%M UTC", &tm);
	buf_printf(b, "<svg id=\"history\" xmlns=\"http://www.w3.org/2000/svg\" "
	    "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
	    "aria-label=\"users online since %s\">"
	    "<rect x=\"%d\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#fff\" "
	    "stroke=\"#c9d3dd\"/>"
	    "<text x=\"%d\" y=\"12\" font-size=\"11\" text-anchor=\"end\">%d</text>"
	    "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">0</text>"
	    "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>"
	    "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">now</text>",
	    CHART_W, CHART_H, CHART_W, CHART_H, from,
	    CHART_L, CHART_W - CHART_L, CHART_H - CHART_B,
	    CHART_L - 4, max, CHART_L - 4, CHART_H - CHART_B,
	    CHART_L, CHART_H - 4, now - t0 >= 86400 ? "24 h ago" : from,
	    CHART_W, CHART_H - 4);
}

/* the samples of the last day as an inline SVG line chart */
static void
chart(struct buf *b, time_t now)
{
	struct sample *s;
	int n = history_get(&s), i, max = 1, pen = 0, last = -1;
	time_t t0 = chart_start(s, n, now);

	for (i = 0; i < n; i++)
		if (s[i].count > max)
			max = s[i].count;
	for (i = n - 1; i >= 0; i--)
		if (s[i].count >= 0) {
			last = s[i].count;
			break;
		}
	buf_puts(b, "<figure>");
	chart_axes(b, max, t0, now);
	buf_puts(b, "<path fill=\"none\" stroke=\"#2874a6\" stroke-width=\"2\" d=\"");
	for (i = 0; i < n; i++) {
		double x, y;

		if (s[i].count < 0 || s[i].at < t0) {
			pen = 0;	/* the directory did not answer: a gap */
			continue;
		}
		x = CHART_L + (double)(CHART_W - CHART_L) * (s[i].at - t0) /
		    (now - t0);
		y = (CHART_H - CHART_B) -
		    (double)(CHART_H - CHART_B - 4) * s[i].count / max;
		buf_printf(b, "%s%.1f %.1f ", pen ? "L" : "M", x, y);
		/* a lone sample shows as a short stroke */
		if (!pen && (i + 1 == n || s[i + 1].count < 0))
			buf_printf(b, "L%.1f %.1f ", x - 1.5, y);
		pen = 1;
	}
	buf_puts(b, "\"/></svg><figcaption>");
	if (last >= 0)
		buf_printf(b, "Users online (%d now, at most %d), sampled every "
		    "%d s by ils-web; the last 24 hours are kept.", last, max,
		    history_interval());
	else
		buf_printf(b, "Users online: no sample yet (one every %d s).",
		    history_interval());
	buf_puts(b, "</figcaption></figure>\n");
	free(s);
}

void
page_online(struct buf *b, const struct userlist *l, const struct query *qy,
	const char *err)
{
	int i;

	head(b, qy);
	buf_puts(b, "<h1>Who is online</h1><p class=\"sub\">");
	if (err == NULL)
		buf_printf(b, "<span id=\"count\">%d</span> %s", l->n,
		    qy->q && *qy->q ? (l->n == 1 ? "user matches" :
		    "users match") : (l->n == 1 ? "user online" : "users online"));
	if (err == NULL)
		buf_puts(b, " &middot; ");
	if (qy->refresh > 0)
		buf_printf(b, "refreshed every %d s &middot; ", qy->refresh);
	buf_puts(b, "NetMeeting users with the <code>callto:</code> link, "
	    "others with <code>h323:</code></p>\n");
	search_form(b, qy);
	chart(b, time(NULL));
	if (err != NULL) {
		buf_puts(b, "<div class=\"error\" id=\"error\" role=\"alert\">"
		    "<strong>The directory does not answer.</strong> ");
		html_esc(b, err);
		buf_puts(b, ". This page tries again by itself.</div>\n");
	} else if (l->n == 0) {
		buf_puts(b, "<p class=\"none\" id=\"none\">");
		buf_puts(b, qy->q && *qy->q ? "Nobody matches." :
		    "Nobody is online.");
		buf_puts(b, "</p>\n");
	} else {
		table_head(b, qy);
		for (i = 0; i < l->n; i++)
			row(b, &l->u[i], l->at);
		buf_puts(b, "</tbody></table>\n");
	}
	buf_puts(b, "</body></html>\n");
}
