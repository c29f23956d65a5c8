/* http_static.c - the explorer's files: embedded in the binary, or read from
 * --ui-dir during UI work. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/http_assets.h"
#include "http/http_int.h"

static const char *content_type(const char *path)
{
	static const struct {
		const char *ext, *type;
	} map[] = {
	    {".html", "text/html; charset=utf-8"},
	    {".js", "text/javascript; charset=utf-8"},
	    {".mjs", "text/javascript; charset=utf-8"},
	    {".css", "text/css; charset=utf-8"},
	    {".json", "application/json; charset=utf-8"},
	    {".map", "application/json; charset=utf-8"},
	    {".svg", "image/svg+xml"},
	    {".png", "image/png"},
	    {".ico", "image/x-icon"},
	    {".woff2", "font/woff2"},
	    {".woff", "font/woff"},
	    {".txt", "text/plain; charset=utf-8"},
	    {".wasm", "application/wasm"},
	};
	const char *dot = strrchr(path, '.');
	const char *slash = strrchr(path, '/');
	if (dot && (!slash || dot > slash))
		for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (!strcmp(dot, map[i].ext))
				return map[i].type;
	return "application/octet-stream";
}

static bool has_ext(const char *path)
{
	const char *dot = strrchr(path, '.');
	const char *slash = strrchr(path, '/');
	return dot && (!slash || dot > slash);
}

static MHD_RESULT send_not_found(struct MHD_Connection *conn, const char *url)
{
	util_json w;
	util_json_init(&w);
	util_json_obj(&w);
	char msg[256];
	snprintf(msg, sizeof(msg), "not found: %.200s", url);
	util_json_kstr(&w, "error", msg);
	util_json_obj_end(&w);
	size_t len;
	char *b = util_json_take(&w, &len);
	return http_send_json(conn, 404, b, len);
}

static MHD_RESULT send_mem(struct MHD_Connection *conn, const char *path,
			   const unsigned char *data, size_t size)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
	    size, (void *)data, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				content_type(path));
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	MHD_RESULT ret = MHD_queue_response(conn, 200, r);
	MHD_destroy_response(r);
	return ret;
}

static const http_asset *find_asset(const char *path)
{
	for (size_t i = 0; i < http_n_assets; i++)
		if (!strcmp(http_assets[i].path, path))
			return &http_assets[i];
	return NULL;
}

/* Opens dir + path when path has no ".." segment; -1 otherwise. */
static int open_under(const char *dir, const char *path, struct stat *sb)
{
	if (strstr(path, "/../") || strstr(path, "/./") ||
	    (strlen(path) >= 3 && !strcmp(path + strlen(path) - 3, "/..")) ||
	    strchr(path, '\\'))
		return -1;
	char full[4096];
	if ((size_t)snprintf(full, sizeof(full), "%s%s", dir, path) >=
	    sizeof(full))
		return -1;
	int fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, sb) || !S_ISREG(sb->st_mode)) {
		close(fd);
		return -1;
	}
	return fd;
}

MHD_RESULT http_serve_static(http_srv *s, struct MHD_Connection *conn,
			     const char *url)
{
	const char *path = !strcmp(url, "/") ? "/index.html" : url;
	const char *dir = s->opts.ui_dir;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (dir) {
			struct stat sb;
			int fd = open_under(dir, path, &sb);
			if (fd >= 0) {
				struct MHD_Response *r =
				    MHD_create_response_from_fd(
					(size_t)sb.st_size, fd);
				if (!r) {
					close(fd);
					return MHD_NO;
				}
				MHD_add_response_header(
				    r, MHD_HTTP_HEADER_CONTENT_TYPE,
				    content_type(path));
				MHD_add_response_header(
				    r, MHD_HTTP_HEADER_CACHE_CONTROL,
				    "no-cache");
				MHD_RESULT ret =
				    MHD_queue_response(conn, 200, r);
				MHD_destroy_response(r);
				return ret;
			}
		} else {
			const http_asset *a = find_asset(path);
			if (a)
				return send_mem(conn, path, a->data, a->size);
		}
		/* client-side routes fall back to the page itself */
		if (attempt == 0 && !has_ext(path))
			path = "/index.html";
		else
			break;
	}
	return send_not_found(conn, url);
}
