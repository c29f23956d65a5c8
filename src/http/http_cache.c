/* http_cache.c - answers to repeated API requests, kept while the database is
 * unchanged (live.c's change counter). Several viewers of one flow, and a
 * page that refreshes its panels, ask the same questions; a direct-mapped
 * table with a byte budget is enough and never needs eviction scans. */
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

#define SLOTS	  1024
#define MAX_BYTES (128u << 20)
#define MAX_ENTRY (4u << 20)

struct entry {
	char *key;
	char *body;
	size_t len;
	uint64_t seq;
};

struct http_cache {
	pthread_mutex_t mu;
	size_t bytes;
	struct entry e[SLOTS];
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

http_cache *http_cache_new(void)
{
	http_cache *c = calloc(1, sizeof(*c));
	if (c)
		pthread_mutex_init(&c->mu, NULL);
	return c;
}

void http_cache_free(http_cache *c)
{
	if (!c)
		return;
	for (int i = 0; i < SLOTS; i++) {
		free(c->e[i].key);
		free(c->e[i].body);
	}
	pthread_mutex_destroy(&c->mu);
	free(c);
}

char *http_cache_get(http_cache *c, const char *key, uint64_t seq, size_t *len)
{
	if (!c)
		return NULL;
	struct entry *e = &c->e[hash(key) % SLOTS];
	char *out = NULL;
	pthread_mutex_lock(&c->mu);
	if (e->key && e->seq == seq && !strcmp(e->key, key)) {
		out = malloc(e->len + 1);
		if (out) {
			memcpy(out, e->body, e->len + 1);
			*len = e->len;
		}
	}
	pthread_mutex_unlock(&c->mu);
	return out;
}

void http_cache_put(http_cache *c, const char *key, uint64_t seq,
		    const char *body, size_t len)
{
	if (!c || len > MAX_ENTRY)
		return;
	char *k = strdup(key);
	char *b = malloc(len + 1);
	if (!k || !b) {
		free(k);
		free(b);
		return;
	}
	memcpy(b, body, len);
	b[len] = 0;
	struct entry *e = &c->e[hash(key) % SLOTS];
	pthread_mutex_lock(&c->mu);
	size_t freed = e->key ? e->len : 0;
	if (c->bytes - freed + len <= MAX_BYTES) {
		c->bytes -= freed;
		free(e->key);
		free(e->body);
		*e = (struct entry){k, b, len, seq};
		c->bytes += len;
		k = b = NULL;
	}
	pthread_mutex_unlock(&c->mu);
	free(k);
	free(b);
}
