/* Poll-driven TFTP download client for the benchmark: N concurrent sessions
 * in one process (like the perf anchors' tftpmulti), optional blksize and
 * RFC 7440 windowsize, 4 MiB receive buffers so big windows do not collapse.
 *   tftpbench HOST PORT FILE BLKSIZE WINDOW SESSIONS [LOCAL_COPY]
 * blksize 512 with window 1 sends a plain RFC 1350 request (no options).
 * Packets are taken from the socket with recvmmsg, up to 64 per system call
 * (one session: a blocking recvmmsg, no poll), and handled one by one as a
 * one-packet-at-a-time client would (ACK at the end of each window,
 * on a gap re-ACK the last in-order block, resend the last packet after
 * 0.5 s of silence, give up after 20 resends).
 * With LOCAL_COPY (the served file, read locally), every session also hashes
 * the blocks it accepts (a 4-lane 64-bit multiply-xor hash, a few ms per
 * 64 MiB) and, after the clock has stopped, compares byte count and hash
 * with the same hash of LOCAL_COPY read in blocks of the negotiated size.
 * Prints: sessions=N ok=K bytes=B seconds=S mbps=M packets_per_recv=P [verified=V]
 * (V = sessions whose size and hash matched; exit status 1 if V < N). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAX_PACKET (65536 + 4)

/* Block hash: four independent 64-bit lanes, each step a bijection of the
 * lane state (xor, multiply by an odd constant, rotate), so any one changed
 * word changes the result. Not cryptographic; it catches corruption,
 * reordering and short or extra data cheaply. */
#define K1 0x9E3779B97F4A7C15ull
#define K2 0xC2B2AE3D27D4EB4Full
static inline uint64_t rotl(uint64_t x, int r) { return x << r | x >> (64 - r); }

static uint64_t block_hash(const unsigned char* p, size_t n) {
    uint64_t a = K1, b = K2, c = K1 ^ n, d = K2 + n;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        uint64_t w[4];
        memcpy(w, p + i, sizeof(w));
        a = rotl((a ^ w[0]) * K1, 31);
        b = rotl((b ^ w[1]) * K2, 29);
        c = rotl((c ^ w[2]) * K1, 27);
        d = rotl((d ^ w[3]) * K2, 33);
    }
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, sizeof(w));
        a = rotl((a ^ w) * K2, 31);
    }
    if (i < n) {
        uint64_t w = 0;
        memcpy(&w, p + i, n - i);
        b = rotl((b ^ w ^ (uint64_t)(n - i) << 56) * K1, 29);
    }
    uint64_t h = rotl((a ^ b) * K2, 27);
    h = rotl((h ^ c) * K1, 31);
    h = (h ^ d) * K2;
    return h ^ h >> 32;
}

static inline uint64_t hash_append(uint64_t state, const unsigned char* p, size_t n) {
    return rotl((state ^ block_hash(p, n)) * K1, 23);
}

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
    uint64_t hash;
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
    if (argc != 7 && argc != 8) {
        fprintf(stderr, "usage: %s HOST PORT FILE BLKSIZE WINDOW SESSIONS [LOCAL_COPY]\n", argv[0]);
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
    const char* local_copy = argc == 8 ? argv[7] : NULL;
    unsigned char* buffers = malloc((size_t)BATCH * MAX_PACKET);
    struct mmsghdr* messages = calloc(BATCH, sizeof(*messages));
    struct iovec* vectors = calloc(BATCH, sizeof(*vectors));
    struct sockaddr_storage* sources = calloc(BATCH, sizeof(*sources));
    if (!sessions || !fds || !buffers || !messages || !vectors || !sources) {
        fprintf(stderr, "out of memory\n");
        return 2;
    }
    for (int m = 0; m < BATCH; ++m) {
        vectors[m].iov_base = buffers + (size_t)m * MAX_PACKET;
        vectors[m].iov_len = MAX_PACKET;
        messages[m].msg_hdr.msg_name = &sources[m];
        messages[m].msg_hdr.msg_namelen = sizeof(sources[m]);
        messages[m].msg_hdr.msg_iov = &vectors[m];
        messages[m].msg_hdr.msg_iovlen = 1;
    }
    int v6 = strchr(host, ':') != NULL;
    int single = count == 1;
    double start = now();
    for (int i = 0; i < count; ++i) {
        struct session* s = &sessions[i];
        s->fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
        int rcvbuf = 4 << 20;
        setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
        struct timeval receive_timeout = {0, 100000};
        if (single) setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &receive_timeout, sizeof(receive_timeout));
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
    uint64_t receive_calls = 0, received_packets = 0;
    double deadline = start + 300;
    while (remaining > 0 && now() < deadline) {
        /* One session: no poll; the first recvmmsg blocks (MSG_WAITFORONE,
         * SO_RCVTIMEO 100 ms), as a plain client's recvfrom would. */
        int ready = single ? 1 : poll(fds, (nfds_t)count, 100);
        if (single) fds[0].revents = POLLIN;
        double t = now();
        for (int i = 0; i < count && ready > 0; ++i) {
            if (!(fds[i].revents & POLLIN)) continue;
            struct session* s = &sessions[i];
            for (int batches = 0; batches < 1000; ++batches) {
                int wait = single && batches == 0;
                int received = recvmmsg(s->fd, messages, BATCH, wait ? MSG_WAITFORONE : MSG_DONTWAIT, NULL);
                if (wait) t = now();
                if (received <= 0) break;
                ++receive_calls;
                received_packets += (uint64_t)received;
                for (int m = 0; m < received; ++m) messages[m].msg_hdr.msg_namelen = sizeof(sources[m]);
                for (int m = 0; m < received; ++m) {
                    const unsigned char* buffer = buffers + (size_t)m * MAX_PACKET;
                    ssize_t got = (ssize_t)messages[m].msg_len;
                    if (s->done || got < 4) continue;
                    if (!s->have_tid) { s->tid = sources[m]; s->have_tid = 1; }
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
                            p += (ssize_t)(name_len + 1 + strnlen(value, (size_t)((const char*)buffer + got - value)) + 1);
                        }
                        window = oack_window;
                        send_ack(s, 0);
                    } else if (opcode == 5) {
                        fprintf(stderr, "session %d: error %d %.*s\n", i, buffer[3], (int)(got - 4), buffer + 4);
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
                        if (local_copy && payload) s->hash = hash_append(s->hash, buffer + 4, payload);
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
                if (received < BATCH) break;
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
    printf("sessions=%d ok=%d bytes=%llu seconds=%.6f mbps=%.2f packets_per_recv=%.2f", count, ok,
           (unsigned long long)bytes, seconds, bytes / seconds / 1e6,
           receive_calls ? (double)received_packets / (double)receive_calls : 0.0);
    int verified = count;
    if (local_copy) {
        /* The same hash over the local file, in blocks of the negotiated size (empty blocks skipped, as above). */
        uint64_t file_hash = 0, file_bytes = 0;
        int fd = open(local_copy, O_RDONLY | O_CLOEXEC);
        unsigned char* block = malloc(blksize ? blksize : 1);
        for (int guard = 0; fd >= 0 && block && guard < (1 << 30); ++guard) {
            size_t have = 0;
            while (have < blksize) {
                ssize_t n = read(fd, block + have, blksize - have);
                if (n <= 0) break;
                have += (size_t)n;
            }
            if (have == 0) break;
            file_hash = hash_append(file_hash, block, have);
            file_bytes += have;
            if (have < blksize) break;
        }
        if (fd < 0) perror(local_copy);
        verified = 0;
        for (int i = 0; fd >= 0 && i < count; ++i) {
            verified += sessions[i].done && !sessions[i].failed && sessions[i].bytes == file_bytes &&
                        sessions[i].hash == file_hash;
        }
        if (fd >= 0) close(fd);
        free(block);
        printf(" verified=%d", verified);
    }
    printf("\n");
    return ok == count && verified == count ? 0 : 1;
}
