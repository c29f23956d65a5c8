/* http_assets.h - the explorer's files, embedded at build time by
 * src/http/embed.cmake from web/dist/ (or a "UI not built" page). */
#ifndef OJO_HTTP_ASSETS_H
#define OJO_HTTP_ASSETS_H

#include <stddef.h>

typedef struct http_asset {
	const char *path; /* "/index.html", "/assets/app.js" */
	const unsigned char *data;
	size_t size;
} http_asset;

extern const http_asset http_assets[];
extern const size_t http_n_assets;

#endif
