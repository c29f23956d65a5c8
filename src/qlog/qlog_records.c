/* qlog_records.c - the records of a JSON-SEQ or NDJSON file, read in
 * chunks and parsed one at a time, so memory stays bounded by the longest
 * record whatever the file size. (A second parsing thread was measured:
 * slower on this 2-core machine, as cJSON trees freed by another thread
 * contend in malloc.) */
#include "qlog/qlog_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define RS 0x1e

int qlog_rec_fill(qlog_rec_reader *r)
{
	size_t n;
	if (r->eof)
		return 0;
	if (r->pos > 0 && r->pos * 2 >= r->len) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->base += r->pos;
		r->pos = 0;
	}
	if (r->len == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : (1u << 20);
		char *nb;
		if (nc > (r->limit ? r->limit : QR_MAX_RECORD * 2))
			return -E2BIG;
		if (!(nb = realloc(r->buf, nc)))
			return -ENOMEM;
		r->buf = nb;
		r->cap = nc;
	}
	n = fread(r->buf + r->len, 1, r->cap - r->len, r->f);
	if (n == 0) {
		if (ferror(r->f))
			return -EIO;
		r->eof = true;
	}
	r->len += n;
	return (int)(n > 0);
}

int qlog_rec_next(qlog_rec_reader *r, char delim, char **rec, size_t *n,
		  bool *last, uint64_t *at)
{
	size_t scan = r->pos;
	for (;;) {
		char *p = memchr(r->buf + scan, delim, r->len - scan);
		if (p) {
			*rec = r->buf + r->pos;
			*n = (size_t)(p - *rec);
			*at = r->base + r->pos;
			*last = false;
			r->pos = (size_t)(p - r->buf) + 1;
			return 1;
		}
		scan = r->len;
		size_t old_pos = r->pos;
		int rc = qlog_rec_fill(r);
		if (rc < 0)
			return rc;
		scan -= old_pos - r->pos; /* the buffer may have shifted */
		if (rc == 0) {
			if (r->pos == r->len)
				return 0;
			*rec = r->buf + r->pos;
			*n = r->len - r->pos;
			*at = r->base + r->pos;
			*last = true;
			r->pos = r->len;
			return 1;
		}
	}
}

static bool ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The next non-blank record, parsed: 1, 0 at the end, < 0 on error. The
 * raw text points into the reader's buffer (valid until the next call). */
static int next_parsed(qlog_rec_reader *r, bool seq, qlog_record *out)
{
	char *rec;
	size_t n;
	bool last;
	uint64_t at;
	int rc;
	while ((rc = qlog_rec_next(r, seq ? RS : '\n', &rec, &n, &last, &at)) >
	       0) {
		const char *p = rec;
		while (n && ws(p[0]))
			p++, n--;
		while (n && ws(p[n - 1]))
			n--;
		if (n == 0 || (n == 1 && p[0] == RS))
			continue;
		if (!seq && p[0] == RS) /* RS-prefixed lines: JSON-SEQ */
			p++, n--;
		out->j = cJSON_ParseWithLength(p, n);
		if (out->j && !cJSON_IsObject(out->j)) {
			cJSON_Delete(out->j);
			out->j = NULL;
		}
		out->raw = p;
		out->rawlen = n;
		out->at = at;
		out->last = last;
		return 1;
	}
	return rc;
}

struct qlog_source {
	qlog_rec_reader *r;
	bool seq;
	qlog_record cur; /* the record handed out last */
};

int qlog_source_open(qlog_source **out, qlog_rec_reader *r, bool seq)
{
	qlog_source *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->r = r;
	s->seq = seq;
	*out = s;
	return 0;
}

int qlog_source_next(qlog_source *s, qlog_record *out)
{
	cJSON_Delete(s->cur.j);
	s->cur.j = NULL;
	int rc = next_parsed(s->r, s->seq, &s->cur);
	if (rc > 0)
		*out = s->cur;
	return rc;
}

void qlog_source_close(qlog_source *s)
{
	if (!s)
		return;
	cJSON_Delete(s->cur.j);
	free(s);
}
