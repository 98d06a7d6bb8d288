/* json.c - /api/online and /healthz as JSON, built with jansson */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ils-web.h"

static char *
iso_time(time_t t, char out[32])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return out;
}

/* every string is valid UTF-8 already (text_utf8), which jansson needs */
static void
set_str(json_t *o, const char *k, const char *v)
{
	json_object_set_new(o, k, v ? json_string(v) : json_null());
}

static json_t *
user_json(const struct user *u)
{
	json_t *o = json_object(), *ports = json_array();
	struct buf b = { NULL, 0, 0 };
	char t[32], *p, *save, *ps;

	set_str(o, "cn", u->cn);
	set_str(o, "givenName", u->given);
	set_str(o, "surname", u->surname);
	set_str(o, "email", u->email);
	set_str(o, "location", u->location);
	set_str(o, "comment", u->comment);
	set_str(o, "client", client_name(u->client));
	set_str(o, "application", u->appid);
	json_object_set_new(o, "inCall", u->in_call < 0 ? json_null() :
	    json_boolean(u->in_call));
	set_str(o, "address", u->addr[0] ? u->addr : NULL);
	json_object_set_new(o, "port", u->port ? json_integer(u->port) :
	    json_null());
	if ((ps = strdup(u->ports)) != NULL) {
		for (p = strtok_r(ps, " ", &save); p; p = strtok_r(NULL, " ", &save))
			json_array_append_new(ports, json_integer(atoi(p)));
		free(ps);
	}
	json_object_set_new(o, "ports", ports);
	set_str(o, "onlineSince", iso_time(u->since, t));
	user_callto(&b, u, dir_host());
	set_str(o, "callto", b.s);
	b.len = 0;
	user_h323(&b, u);
	set_str(o, "h323", b.s);
	buf_free(&b);
	return o;
}

static char *
dump(json_t *o)
{
	char *s = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER);

	json_decref(o);
	return s;
}

char *
json_online(const struct userlist *l, const char *err)
{
	json_t *o = json_object(), *users;
	char t[32];
	int i;

	json_object_set_new(o, "ok", json_boolean(err == NULL));
	json_object_set_new(o, "time", json_string(iso_time(time(NULL), t)));
	if (err != NULL) {
		set_str(o, "error", err);
		return dump(o);
	}
	users = json_array();
	for (i = 0; i < l->n; i++)
		json_array_append_new(users, user_json(&l->u[i]));
	json_object_set_new(o, "count", json_integer(l->n));
	json_object_set_new(o, "users", users);
	return dump(o);
}

char *
json_health(int ok, const char *err)
{
	json_t *o = json_object();

	json_object_set_new(o, "ok", json_boolean(ok));
	if (err != NULL)
		set_str(o, "error", err);
	return dump(o);
}
