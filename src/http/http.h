/* http.h - the HTTP server behind `ojo serve` and `ojo demo`. */
#ifndef OJO_HTTP_H
#define OJO_HTTP_H

#include <signal.h>
#include <stdbool.h>

typedef struct http_opts {
	const char *db_path;
	const char *host;	     /* default "127.0.0.1" */
	int port;		     /* default 8080; 0 = any free port */
	const char *ui_dir;	     /* NULL: the UI embedded in the binary */
	volatile sig_atomic_t *stop; /* polled; set to stop serving */
	/* Called once listening, with the URL (e.g. to print it). */
	void (*on_ready)(const char *url, void *user);
	void *user;
	int query_timeout_ms; /* 0 = 5000: longer queries answer 504 */
	bool no_cache; /* do not reuse answers while the data is unchanged */
} http_opts;

/* Serves until *stop is set. Returns 0, or a negative code after printing
 * the reason (e.g. port in use). */
int http_serve(const http_opts *o);

#endif
