#include "discover/http.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define HTTP_MAX_REPLY (64 * 1024)

int http_url_parse(const char *url, char **host, char **port, char **prefix)
{
    if (strncmp(url, "http://", 7) != 0)
        return -1;
    const char *h = url + 7, *hend, *rest;
    if (*h == '[') {
        hend = strchr(h, ']');
        if (!hend)
            return -1;
        rest = hend + 1;
        h++;
    } else {
        hend = h + strcspn(h, ":/");
        rest = hend;
    }
    if (hend == h)
        return -1;
    const char *pend = rest;
    const char *portstr = "80";
    size_t portlen = 2;
    if (*rest == ':') {
        portstr = rest + 1;
        portlen = strcspn(portstr, "/");
        pend = portstr + portlen;
        if (portlen == 0 || portlen > 5 || strspn(portstr, "0123456789") < portlen)
            return -1;
    } else if (*rest && *rest != '/') {
        return -1;
    }
    *host = xstrndup(h, (size_t)(hend - h));
    *port = xstrndup(portstr, portlen);
    /* Drop a trailing slash so prefix + "/api/..." has one. */
    size_t plen = strlen(pend);
    while (plen && pend[plen - 1] == '/')
        plen--;
    *prefix = xstrndup(pend, plen);
    return 0;
}

static int wait_fd(int fd, short events, double deadline)
{
    for (;;) {
        double left = deadline - now_monotonic();
        if (left <= 0)
            return 0;
        struct pollfd pfd = {.fd = fd, .events = events};
        int rc = poll(&pfd, 1, (int)(left * 1000) + 1);
        if (rc < 0 && errno == EINTR)
            continue;
        return rc;
    }
}

static int connect_with_timeout(const char *host, const char *port, double deadline, struct strbuf *err)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        sb_printf(err, "%s: %s", host, gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        int e = errno;
        if (e == EINPROGRESS && wait_fd(fd, POLLOUT, deadline) > 0) {
            int soerr = 0;
            socklen_t len = sizeof soerr;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
            if (soerr == 0)
                break;
            e = soerr;
        } else if (e == EINPROGRESS) {
            e = ETIMEDOUT;
        }
        sb_reset(err);
        sb_printf(err, _("connecting to %s port %s: %s"), host, port, strerror(e));
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

static int send_all(int fd, const char *data, size_t len, double deadline)
{
    while (len) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (wait_fd(fd, POLLOUT, deadline) <= 0)
                return -1;
            continue;
        }
        if (n <= 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Parses "HTTP/1.x NNN ..." and hands the body (after the blank line) to body. */
static int parse_reply(const struct strbuf *reply, struct strbuf *body, struct strbuf *err)
{
    const char *r = sb_str(reply);
    if (strncmp(r, "HTTP/1.", 7) != 0 || strlen(r) < 12 || r[8] != ' ') {
        sb_append(err, _("not an HTTP reply"));
        return -1;
    }
    int status = atoi(r + 9);
    const char *sep = strstr(r, "\r\n\r\n");
    if (body && sep)
        sb_append(body, sep + 4);
    return status;
}

/* GET prefix + path; returns the HTTP status (body into body, at most 64 KiB), or -1 with
 * the reason in err (refused, timeout, malformed reply). */
static int http_get(const char *url, const char *path, double timeout, struct strbuf *body,
                    struct strbuf *err)
{
    char *host, *port, *prefix;
    if (http_url_parse(url, &host, &port, &prefix) < 0) {
        sb_printf(err, _("immich_url \"%s\" is not an http://host:port URL"), url);
        return -1;
    }
    double deadline = now_monotonic() + timeout;
    int status = -1;
    int fd = connect_with_timeout(host, port, deadline, err);
    if (fd >= 0) {
        struct strbuf req = {0}, reply = {0};
        bool v6 = strchr(host, ':') != NULL;
        sb_printf(&req,
                  "GET %s%s HTTP/1.1\r\nHost: %s%s%s:%s\r\nUser-Agent: immich-migrate\r\n"
                  "Accept: application/json\r\nConnection: close\r\n\r\n",
                  prefix, path, v6 ? "[" : "", host, v6 ? "]" : "", port);
        if (send_all(fd, req.buf, req.len, deadline) < 0) {
            sb_append(err, _("sending the request failed"));
        } else {
            char buf[4096];
            for (;;) {
                if (wait_fd(fd, POLLIN, deadline) <= 0) {
                    sb_append(err, _("no reply before the timeout"));
                    reply.len = 0;
                    break;
                }
                ssize_t n = recv(fd, buf, sizeof buf, 0);
                if (n < 0 && (errno == EAGAIN || errno == EINTR))
                    continue;
                if (n <= 0 || reply.len + (size_t)n > HTTP_MAX_REPLY) {
                    if (n > 0)
                        sb_append_len(&reply, buf, HTTP_MAX_REPLY - reply.len);
                    break;
                }
                sb_append_len(&reply, buf, (size_t)n);
            }
            if (reply.len)
                status = parse_reply(&reply, body, err);
            else if (!err->len)
                sb_append(err, _("empty reply"));
        }
        sb_free(&req);
        sb_free(&reply);
        close(fd);
    }
    free(host);
    free(port);
    free(prefix);
    return status;
}

bool immich_ping(const char *url, double timeout, struct strbuf *err)
{
    struct strbuf body = {0};
    int status = http_get(url, "/api/server/ping", timeout, &body, err);
    bool ok = status == 200 && strstr(sb_str(&body), "pong");
    if (status >= 0 && !ok)
        sb_printf(err, _("GET /api/server/ping answered %d"), status);
    sb_free(&body);
    return ok;
}
