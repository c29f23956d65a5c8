/* assets.h - the explorer's files, embedded at build time by
 * src/http/embed.cmake from web/dist/ (or a "UI not built" page). */
#ifndef OJO_HTTP_ASSETS_H
#define OJO_HTTP_ASSETS_H

#include <stddef.h>

typedef struct ojo_asset {
	const char *path; /* "/index.html", "/assets/app.js" */
	const unsigned char *data;
	size_t size;
} ojo_asset;

extern const ojo_asset ojo_assets[];
extern const size_t ojo_n_assets;

#endif
