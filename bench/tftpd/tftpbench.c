/* Poll-driven TFTP download client for the benchmark: N concurrent sessions
 * in one process (like the perf anchors' tftpmulti), optional blksize and
 * RFC 7440 windowsize, 4 MiB receive buffers so big windows do not collapse.
 *   tftpbench HOST PORT FILE BLKSIZE WINDOW SESSIONS
 * blksize 512 with window 1 sends a plain RFC 1350 request (no options).
 * Prints: sessions=N ok=K bytes=B seconds=S mbps=M */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct session {
    int fd;
    struct sockaddr_storage server, tid;
    socklen_t server_len;
    int have_tid, done, failed;
    uint16_t expected;
    unsigned in_window;
    uint64_t bytes;
    unsigned char last[600];
    size_t last_len;
    double last_activity;
    int retries;
};

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void send_last(struct session* s) {
    const struct sockaddr* to = (const struct sockaddr*)(s->have_tid ? &s->tid : &s->server);
    sendto(s->fd, s->last, s->last_len, 0, to, s->server_len);
}

static void send_ack(struct session* s, uint16_t block) {
    s->last[0] = 0; s->last[1] = 4; s->last[2] = block >> 8; s->last[3] = block & 0xff;
    s->last_len = 4;
    send_last(s);
}

int main(int argc, char** argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: %s HOST PORT FILE BLKSIZE WINDOW SESSIONS\n", argv[0]);
        return 2;
    }
    const char* host = argv[1];
    int port = atoi(argv[2]);
    const char* file = argv[3];
    unsigned blksize = (unsigned)atoi(argv[4]);
    unsigned window = (unsigned)atoi(argv[5]);
    int count = atoi(argv[6]);
    struct session* sessions = calloc((size_t)count, sizeof(*sessions));
    struct pollfd* fds = calloc((size_t)count, sizeof(*fds));
    unsigned char* buffer = malloc(65536 + 4);
    int v6 = strchr(host, ':') != NULL;
    double start = now();
    for (int i = 0; i < count; ++i) {
        struct session* s = &sessions[i];
        s->fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
        int rcvbuf = 4 << 20;
        setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
        if (v6) {
            struct sockaddr_in6* a = (struct sockaddr_in6*)&s->server;
            a->sin6_family = AF_INET6;
            a->sin6_port = htons((uint16_t)port);
            inet_pton(AF_INET6, host, &a->sin6_addr);
            s->server_len = sizeof(*a);
        } else {
            struct sockaddr_in* a = (struct sockaddr_in*)&s->server;
            a->sin_family = AF_INET;
            a->sin_port = htons((uint16_t)port);
            inet_pton(AF_INET, host, &a->sin_addr);
            s->server_len = sizeof(*a);
        }
        size_t n = 0;
        s->last[n++] = 0; s->last[n++] = 1;
        n += (size_t)sprintf((char*)s->last + n, "%s", file) + 1;
        n += (size_t)sprintf((char*)s->last + n, "octet") + 1;
        if (blksize != 512 || window > 1) {
            n += (size_t)sprintf((char*)s->last + n, "blksize") + 1;
            n += (size_t)sprintf((char*)s->last + n, "%u", blksize) + 1;
        }
        if (window > 1) {
            n += (size_t)sprintf((char*)s->last + n, "windowsize") + 1;
            n += (size_t)sprintf((char*)s->last + n, "%u", window) + 1;
        }
        s->last_len = n;
        s->expected = 1;
        s->last_activity = now();
        fds[i].fd = s->fd;
        fds[i].events = POLLIN;
        send_last(s);
    }
    int remaining = count;
    double deadline = start + 300;
    while (remaining > 0 && now() < deadline) {
        int ready = poll(fds, (nfds_t)count, 100);
        double t = now();
        for (int i = 0; i < count && ready > 0; ++i) {
            if (!(fds[i].revents & POLLIN)) continue;
            struct session* s = &sessions[i];
            for (;;) {
                struct sockaddr_storage from;
                socklen_t from_len = sizeof(from);
                ssize_t got = recvfrom(s->fd, buffer, 65536 + 4, MSG_DONTWAIT, (struct sockaddr*)&from, &from_len);
                if (got < 0) break;
                if (s->done || got < 4) continue;
                if (!s->have_tid) { s->tid = from; s->have_tid = 1; }
                s->last_activity = t;
                s->retries = 0;
                int opcode = buffer[1];
                if (opcode == 6) {
                    unsigned oack_window = 1;
                    for (ssize_t p = 2; p < got;) {
                        const char* name = (const char*)buffer + p;
                        size_t name_len = strnlen(name, (size_t)(got - p));
                        const char* value = name + name_len + 1;
                        if (value >= (const char*)buffer + got) break;
                        if (!strcasecmp(name, "blksize")) blksize = (unsigned)atoi(value);
                        if (!strcasecmp(name, "windowsize")) oack_window = (unsigned)atoi(value);
                        p += (ssize_t)(name_len + 1 + strlen(value) + 1);
                    }
                    window = oack_window;
                    send_ack(s, 0);
                } else if (opcode == 5) {
                    fprintf(stderr, "session %d: error %d %s\n", i, buffer[3], buffer + 4);
                    s->done = s->failed = 1;
                    --remaining;
                } else if (opcode == 3) {
                    uint16_t block = (uint16_t)(buffer[2] << 8 | buffer[3]);
                    if (block != s->expected) {
                        if (s->in_window != 0 || block != (uint16_t)(s->expected - 1)) {
                            send_ack(s, (uint16_t)(s->expected - 1));
                        }
                        s->in_window = 0;
                        continue;
                    }
                    size_t payload = (size_t)got - 4;
                    s->bytes += payload;
                    s->expected++;
                    s->in_window++;
                    if (payload < blksize) {
                        send_ack(s, block);
                        s->done = 1;
                        --remaining;
                    } else if (s->in_window >= (window ? window : 1)) {
                        send_ack(s, block);
                        s->in_window = 0;
                    }
                }
            }
        }
        for (int i = 0; i < count; ++i) {
            struct session* s = &sessions[i];
            if (!s->done && t - s->last_activity > 0.5) {
                if (++s->retries > 20) { s->done = s->failed = 1; --remaining; continue; }
                s->last_activity = t;
                send_last(s);
            }
        }
    }
    double seconds = now() - start;
    uint64_t bytes = 0;
    int ok = 0;
    for (int i = 0; i < count; ++i) {
        bytes += sessions[i].bytes;
        ok += sessions[i].done && !sessions[i].failed;
    }
    printf("sessions=%d ok=%d bytes=%llu seconds=%.6f mbps=%.2f\n", count, ok, (unsigned long long)bytes, seconds,
           bytes / seconds / 1e6);
    return ok == count ? 0 : 1;
}
