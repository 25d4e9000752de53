/* A tiny HTTP/1.1 client, only for asking the new Immich `GET /api/server/ping`. Plain HTTP
 * over TCP to the host and port of the plan's immich_url, with timeouts. */
#ifndef IM_HTTP_H
#define IM_HTTP_H

#include "common.h"

/* Splits "http://host[:port][/prefix]" (IPv6 as [addr]). Returns 0 or -1. */
int http_url_parse(const char *url, char **host, char **port, char **prefix);

/* True when GET /api/server/ping answers 200 with "pong" in the body. */
bool immich_ping(const char *url, double timeout, struct strbuf *err);

#endif
