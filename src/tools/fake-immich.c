/* immich-migrate-fake-immich: a stand-in for the Immich server in the sandbox.
 *
 * Listens on 127.0.0.1 only, answers `GET /api/server/ping` with 200 {"res":"pong"} and
 * everything else with 404, and appends Immich-style log lines (one per request) to a log
 * file that the sandbox's fake journalctl prints. Exits cleanly on SIGTERM/SIGINT.
 *
 *   immich-migrate-fake-immich --port N [--port-file F] --log F [--pid-file F]
 *                              [--version V] [--daemon]
 *   immich-migrate-fake-immich --free-port      prints a currently free loopback port
 *
 * --port 0 picks a free port (written to --port-file). Test hooks (environment):
 *   IMMICH_SANDBOX_STARTUP_DELAY=SECONDS  wait (fractions allowed) before listening
 *   IMMICH_SANDBOX_SERVER_ERROR=TEXT      log an ERROR line with TEXT and exit 1 instead
 *                                         of listening (a server that fails at start-up)
 * Log line format: "EPOCH<TAB>PID<TAB>MESSAGE". This is a test tool: it speaks just enough
 * HTTP/1.x for curl, bash /dev/tcp and the product's ping check. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

struct options {
    int port;
    const char *port_file;
    const char *log_file;
    const char *pid_file;
    const char *version;
    bool daemon;
    bool free_port;
};

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void die(const char *what)
{
    fprintf(stderr, "immich-migrate-fake-immich: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* Appends one line to the log; the file is reopened each time so that it may be rotated. */
static void log_line(const struct options *o, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!o->log_file)
        return;
    int fd = open(o->log_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    char line[1200];
    int n = snprintf(line, sizeof line, "%lld\t%ld\t%s\n", (long long)time(NULL), (long)getpid(), msg);
    if (n > 0) {
        ssize_t w = write(fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
        (void)w;
    }
    close(fd);
}

static void write_small_file(const char *path, const char *fmt, long value)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        die(tmp);
    fprintf(f, fmt, value);
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        die(path);
}

static int listen_loopback(int port, int *bound_port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die("socket");
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        die("bind 127.0.0.1");
    if (listen(fd, 16) != 0)
        die("listen");
    socklen_t len = sizeof sa;
    if (getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
        die("getsockname");
    *bound_port = ntohs(sa.sin_port);
    return fd;
}

/* Reads the request head (up to the blank line or 8 KiB); returns its length or -1. */
static ssize_t read_request(int fd, char *buf, size_t size)
{
    size_t got = 0;
    while (got < size - 1) {
        ssize_t n = read(fd, buf + got, size - 1 - got);
        if (n <= 0)
            return got ? (ssize_t)got : -1;
        got += (size_t)n;
        buf[got] = '\0';
        if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n"))
            break;
    }
    buf[got] = '\0';
    return (ssize_t)got;
}

static void send_all(int fd, const char *s, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, s, len);
        if (n <= 0)
            return;
        s += n;
        len -= (size_t)n;
    }
}

static void answer(const struct options *o, int fd)
{
    char req[8192];
    if (read_request(fd, req, sizeof req) < 0)
        return;
    char method[16] = "", path[512] = "";
    if (sscanf(req, "%15s %511s", method, path) != 2) {
        static const char bad[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                                  "Connection: close\r\n\r\n";
        send_all(fd, bad, sizeof bad - 1);
        log_line(o, "WARN [Api:Http] malformed request");
        return;
    }
    bool ping = strcmp(method, "GET") == 0 && (strcmp(path, "/api/server/ping") == 0 ||
                                               strncmp(path, "/api/server/ping?", 17) == 0);
    const char *body = ping ? "{\"res\":\"pong\"}"
                            : "{\"message\":\"Not found\",\"error\":\"Not Found\",\"statusCode\":404}";
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %s\r\nContent-Type: application/json; charset=utf-8\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                     ping ? "200 OK" : "404 Not Found", strlen(body));
    send_all(fd, head, (size_t)n);
    if (strcmp(method, "HEAD") != 0)
        send_all(fd, body, strlen(body));
    log_line(o, "LOG [Api:LoggingInterceptor] %s %s %d", method, path, ping ? 200 : 404);
}

static void usage(void)
{
    fputs("usage: immich-migrate-fake-immich --port N [--port-file F] --log F [--pid-file F]\n"
          "                                  [--version V] [--daemon]\n"
          "       immich-migrate-fake-immich --free-port\n",
          stderr);
    exit(2);
}

static void parse_args(int argc, char **argv, struct options *o)
{
    o->port = -1;
    o->version = "2.1.0";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(a, "--daemon") == 0)
            o->daemon = true;
        else if (strcmp(a, "--free-port") == 0)
            o->free_port = true;
        else if (strcmp(a, "--port") == 0 && has_value) {
            char *end;
            long p = strtol(argv[++i], &end, 10);
            if (*end || p < 0 || p > 65535)
                usage();
            o->port = (int)p;
        } else if (strcmp(a, "--port-file") == 0 && has_value)
            o->port_file = argv[++i];
        else if (strcmp(a, "--log") == 0 && has_value)
            o->log_file = argv[++i];
        else if (strcmp(a, "--pid-file") == 0 && has_value)
            o->pid_file = argv[++i];
        else if (strcmp(a, "--version") == 0 && has_value)
            o->version = argv[++i];
        else
            usage();
    }
    if (!o->free_port && o->port < 0)
        usage();
}

static void daemonize(void)
{
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid > 0)
        _exit(0);
    setsid();
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        if (null > 2)
            close(null);
    }
}

static void startup_delay(void)
{
    const char *d = getenv("IMMICH_SANDBOX_STARTUP_DELAY");
    if (!d || !*d)
        return;
    double secs = strtod(d, NULL);
    if (secs <= 0)
        return;
    struct timespec ts = {.tv_sec = (time_t)secs,
                          .tv_nsec = (long)((secs - (double)(time_t)secs) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !stop_requested) {
    }
}

static void serve(const struct options *o, int lfd)
{
    while (!stop_requested) {
        int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) {
            if (errno == EINTR)
                continue;
            die("accept");
        }
        struct timeval tv = {.tv_sec = 2};
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        answer(o, c);
        close(c);
    }
}

int main(int argc, char **argv)
{
    struct options o = {0};
    parse_args(argc, argv, &o);
    signal(SIGPIPE, SIG_IGN);
    if (o.free_port) {
        int port;
        int fd = listen_loopback(0, &port);
        close(fd);
        printf("%d\n", port);
        return 0;
    }
    if (o.daemon)
        daemonize();
    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: accept() returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    if (o.pid_file)
        write_small_file(o.pid_file, "%ld\n", (long)getpid());
    log_line(&o, "LOG [Microservices:EventRepository] Initialized websocket server");
    startup_delay();
    const char *err = getenv("IMMICH_SANDBOX_SERVER_ERROR");
    if (err && *err) {
        log_line(&o, "ERROR [Api:Bootstrap] %s", err);
        if (o.pid_file)
            unlink(o.pid_file);
        return 1;
    }
    int port;
    int lfd = stop_requested ? -1 : listen_loopback(o.port, &port);
    if (lfd >= 0) {
        if (o.port_file)
            write_small_file(o.port_file, "%ld\n", (long)port);
        log_line(&o,
                 "LOG [Api:Bootstrap] Immich Server is listening on http://127.0.0.1:%d [v%s] "
                 "[production]",
                 port, o.version);
        serve(&o, lfd);
        close(lfd);
    }
    log_line(&o, "LOG [Api:Bootstrap] Shutting down");
    if (o.pid_file)
        unlink(o.pid_file);
    return 0;
}
