/* UDP delay relay for the TFTP benchmark: adds a fixed one-way delay between
 * a client and a TFTP server (this kernel has no netem qdisc).
 *
 *   delayrelay [options] LISTEN_HOST LISTEN_PORT SERVER_HOST SERVER_PORT
 *     -d US    one-way delay in microseconds, each direction (default 0)
 *     -t S     lifetime in seconds, then exit (default 60; required bound)
 *     -n N     exit after forwarding N packets (default 100000000)
 *     -S N     most sessions alive at once (default 256); more RRQs are dropped
 *     -q N     queue slots (default 1024); when full, the relay stops reading
 *              (the kernel socket buffers hold the rest), it never drops
 *     -m N     largest datagram in bytes (default 9216; larger ones are
 *              counted as "truncated" and not forwarded)
 *     -G       no UDP GSO: one send per datagram (default: runs of same-size
 *              datagrams to one address go out as one UDP_SEGMENT message;
 *              the receiver still gets them as separate datagrams)
 *     -p US    busy-poll instead of sleeping while a packet came or went in
 *              the last US microseconds, or the next one is due within US
 *              (default 0: always sleep, with 1 ns timer slack). On a VM a
 *              sleeping relay costs an idle-CPU wake-up per packet burst
 *              (tens of µs); polling keeps that out of the delay.
 *
 * TFTP changes ports: the server answers each request from a new port (its
 * TID). So every request from a new client address gets its own relay
 * socket; the relay sends the request from it to SERVER_HOST:SERVER_PORT,
 * learns the server's TID from the first answer that comes back, and from
 * then on forwards client -> TID and TID -> client through that socket. The
 * client sees the relay socket as the server's TID. A second request from
 * the same client address after the TID is known gets a new relay socket,
 * as a real server would give a new TID.
 *
 * Every packet waits in one FIFO until receive time + delay. The delay is
 * the same for every packet, so the FIFO keeps each direction in order.
 * Prints "ready ..." once listening, and one "stats ..." line on exit
 * (lifetime, packet count, SIGTERM or SIGINT). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define LISTENER UINT32_MAX

union address {
    struct sockaddr sa;
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
};

struct session {
    int fd;                 /* -1: free slot */
    union address client;   /* the client's address and port */
    union address tid;      /* the server's transfer port, once known */
    int have_tid;
    unsigned queued;        /* FIFO entries that still use fd */
    uint64_t last_ns;
};

struct entry {
    uint64_t received_ns, due_ns;
    uint32_t session;
    uint32_t length;
    union address to;
};

static volatile sig_atomic_t stop_signal;
static void on_signal(int sig) { stop_signal = sig; }

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static socklen_t address_length(const union address* a) {
    return a->sa.sa_family == AF_INET6 ? sizeof(a->v6) : sizeof(a->v4);
}

static int same_address(const union address* a, const union address* b) {
    if (a->sa.sa_family != b->sa.sa_family) return 0;
    if (a->sa.sa_family == AF_INET)
        return a->v4.sin_port == b->v4.sin_port && a->v4.sin_addr.s_addr == b->v4.sin_addr.s_addr;
    return a->v6.sin6_port == b->v6.sin6_port && !memcmp(&a->v6.sin6_addr, &b->v6.sin6_addr, 16);
}

static int same_host(const union address* a, const union address* b) {
    if (a->sa.sa_family != b->sa.sa_family) return 0;
    if (a->sa.sa_family == AF_INET) return a->v4.sin_addr.s_addr == b->v4.sin_addr.s_addr;
    return !memcmp(&a->v6.sin6_addr, &b->v6.sin6_addr, 16);
}

static int parse_address(const char* host, const char* port, union address* out) {
    memset(out, 0, sizeof(*out));
    int p = atoi(port);
    if (p < 0 || p > 65535) return -1;
    if (inet_pton(AF_INET, host, &out->v4.sin_addr) == 1) {
        out->v4.sin_family = AF_INET;
        out->v4.sin_port = htons((uint16_t)p);
        return 0;
    }
    if (inet_pton(AF_INET6, host, &out->v6.sin6_addr) == 1) {
        out->v6.sin6_family = AF_INET6;
        out->v6.sin6_port = htons((uint16_t)p);
        return 0;
    }
    return -1;
}

static int open_socket(const union address* bind_to) {
    int fd = socket(bind_to->sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int size = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
    setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size));
    if (bind(fd, &bind_to->sa, address_length(bind_to)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Statistics, printed on exit. */
static struct {
    uint64_t to_server, to_client, bytes, sessions, refused, stray, truncated, send_errors, max_queued, gso_messages;
    uint64_t hold_sum_ns, hold_max_ns, late_sum_ns, late_max_ns, busy_ns;
    uint64_t late_histogram[1001]; /* lateness in µs, last bin = 1000 µs and more */
} stats;

int main(int argc, char** argv) {
    uint64_t delay_ns = 0, spin_ns = 0;
    double lifetime = 60;
    uint64_t max_packets = 100000000;
    unsigned max_sessions = 256, slots = 1024, slot_size = 9216;
    int gso = 1;
    int opt;
    while ((opt = getopt(argc, argv, "d:t:n:S:q:m:p:G")) != -1) {
        switch (opt) {
        case 'G': gso = 0; break;
        case 'd': delay_ns = (uint64_t)(atof(optarg) * 1000); break;
        case 't': lifetime = atof(optarg); break;
        case 'n': max_packets = strtoull(optarg, NULL, 10); break;
        case 'S': max_sessions = (unsigned)atoi(optarg); break;
        case 'q': slots = (unsigned)atoi(optarg); break;
        case 'm': slot_size = (unsigned)atoi(optarg); break;
        case 'p': spin_ns = (uint64_t)(atof(optarg) * 1000); break;
        default: goto usage;
        }
    }
    union address listen_address, server_address;
    if (argc - optind != 4 || parse_address(argv[optind], argv[optind + 1], &listen_address) ||
        parse_address(argv[optind + 2], argv[optind + 3], &server_address) ||
        listen_address.sa.sa_family != server_address.sa.sa_family || lifetime <= 0 || lifetime > 86400 ||
        max_sessions < 1 || max_sessions > 60000 || slots < BATCH || slot_size < 516 || slot_size > 65536) {
    usage:
        fprintf(stderr, "usage: %s [-d US] [-t S] [-n N] [-S N] [-q N] [-m N] [-p US] [-G] "
                        "LISTEN_HOST LISTEN_PORT SERVER_HOST SERVER_PORT (same address family)\n", argv[0]);
        return 2;
    }

    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = on_signal; /* no SA_RESTART: waits return EINTR */
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);

    struct session* sessions = calloc(max_sessions, sizeof(*sessions));
    struct entry* queue = calloc(slots, sizeof(*queue));
    unsigned char* data = malloc((size_t)slots * slot_size);
    struct mmsghdr* messages = calloc(BATCH, sizeof(*messages));
    struct iovec* vectors = calloc(BATCH, sizeof(*vectors));
    union address* sources = calloc(BATCH, sizeof(*sources));
    struct mmsghdr* out_messages = calloc(BATCH, sizeof(*out_messages));
    struct iovec* out_vectors = calloc(BATCH, sizeof(*out_vectors));
    unsigned* entries_in = calloc(BATCH, sizeof(*entries_in));
    struct control { _Alignas(struct cmsghdr) unsigned char buffer[CMSG_SPACE(sizeof(uint16_t))]; }* controls =
        calloc(BATCH, sizeof(*controls));
    unsigned char* gso_buffers = gso ? malloc((size_t)BATCH * 65536) : NULL;
    if (!sessions || !queue || !data || !messages || !vectors || !sources || !out_messages || !out_vectors ||
        !entries_in || !controls || (gso && !gso_buffers)) {
        fprintf(stderr, "delayrelay: out of memory\n");
        return 1;
    }
    for (unsigned i = 0; i < max_sessions; ++i) sessions[i].fd = -1;
    unsigned head = 0, count = 0; /* FIFO: queue[head .. head + count) modulo slots */

    int listener = open_socket(&listen_address);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (listener < 0 || ep < 0) {
        perror("delayrelay: listen socket");
        return 1;
    }
    struct epoll_event event = {.events = EPOLLIN, .data.u32 = LISTENER};
    epoll_ctl(ep, EPOLL_CTL_ADD, listener, &event);
    union address bind_any = listen_address; /* session sockets: the listen host, any port */
    if (bind_any.sa.sa_family == AF_INET) bind_any.v4.sin_port = 0; else bind_any.v6.sin6_port = 0;

    printf("ready listen=%s:%s server=%s:%s delay_us=%.1f\n", argv[optind], argv[optind + 1], argv[optind + 2],
           argv[optind + 3], delay_ns / 1e3);
    fflush(stdout);

    const uint64_t start = now_ns();
    const uint64_t end = start + (uint64_t)(lifetime * 1e9);
    uint64_t forwarded = 0;
    uint64_t last_sweep = start, last_activity = 0;
    struct epoll_event events[64];

    while (!stop_signal && forwarded < max_packets) {
        uint64_t t = now_ns();
        if (t >= end) break;

        /* 1. Send everything that is due: consecutive entries of one socket in
         * one sendmmsg, and runs of same-size packets to one address as one
         * UDP GSO message (UDP_SEGMENT): the receiver still gets separate
         * datagrams, but the relay pays the send path once per run. */
        while (count > 0 && queue[head].due_ns <= t && forwarded < max_packets) {
            uint32_t sid = queue[head].session;
            unsigned n = 0, m = 0;
            while (n < count && n < BATCH && forwarded + n < max_packets) {
                struct entry* e = &queue[(head + n) % slots];
                if (e->due_ns > t || e->session != sid) break;
                unsigned run = 1;
                size_t segment = e->length, total = e->length;
                while (gso && segment > 0 && n + run < count && n + run < BATCH && forwarded + n + run < max_packets) {
                    struct entry* f = &queue[(head + n + run) % slots];
                    if (f->due_ns > t || f->session != sid || f->length > segment || f->length == 0 ||
                        total + f->length > 65000 || !same_address(&f->to, &e->to)) break;
                    ++run;
                    total += f->length;
                    if (f->length < segment) break; /* only the last segment may be shorter */
                }
                struct msghdr* h = &out_messages[m].msg_hdr;
                memset(h, 0, sizeof(*h));
                h->msg_name = &e->to;
                h->msg_namelen = address_length(&e->to);
                h->msg_iov = &out_vectors[m];
                h->msg_iovlen = 1;
                if (run == 1) {
                    out_vectors[m].iov_base = data + (size_t)((head + n) % slots) * slot_size;
                    out_vectors[m].iov_len = e->length;
                } else {
                    unsigned char* joined = gso_buffers + (size_t)m * 65536;
                    size_t at = 0;
                    for (unsigned k = 0; k < run; ++k) {
                        struct entry* f = &queue[(head + n + k) % slots];
                        memcpy(joined + at, data + (size_t)((head + n + k) % slots) * slot_size, f->length);
                        at += f->length;
                    }
                    out_vectors[m].iov_base = joined;
                    out_vectors[m].iov_len = at;
                    h->msg_control = controls[m].buffer;
                    h->msg_controllen = sizeof(controls[m].buffer);
                    struct cmsghdr* c = CMSG_FIRSTHDR(h);
                    c->cmsg_level = SOL_UDP;
                    c->cmsg_type = UDP_SEGMENT;
                    c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
                    uint16_t size16 = (uint16_t)segment;
                    memcpy(CMSG_DATA(c), &size16, sizeof(size16));
                    h->msg_controllen = CMSG_SPACE(sizeof(uint16_t));
                    ++stats.gso_messages;
                }
                entries_in[m++] = run;
                n += run;
            }
            unsigned done = 0, consumed = 0;
            int failures = 0;
            while (done < m && failures < 3) {
                int sent = sendmmsg(sessions[sid].fd, out_messages + done, m - done, 0);
                if (sent > 0) {
                    for (int k = 0; k < sent; ++k) consumed += entries_in[done + (unsigned)k];
                    done += (unsigned)sent;
                    continue;
                }
                if (sent < 0 && errno == EINTR) continue;
                if (sent < 0 && entries_in[done] > 1 && (errno == EIO || errno == EINVAL || errno == ENOPROTOOPT ||
                                                          errno == EOPNOTSUPP)) {
                    /* No UDP GSO here: leave the rest queued, send it one by one from now on. */
                    gso = 0;
                    fprintf(stderr, "delayrelay: UDP GSO refused (%s), sending datagrams one by one\n",
                            strerror(errno));
                    break;
                }
                /* ECONNREFUSED (ICMP for an earlier packet) or the like: skip one message. */
                stats.send_errors += entries_in[done];
                consumed += entries_in[done];
                ++done;
                ++failures;
            }
            while (done < m && failures >= 3) { /* gave up: count the rest as not sent */
                stats.send_errors += entries_in[done];
                consumed += entries_in[done++];
            }
            n = consumed;
            uint64_t sent_at = now_ns();
            stats.busy_ns += sent_at - t;
            for (unsigned i = 0; i < n; ++i) {
                struct entry* e = &queue[(head + i) % slots];
                uint64_t hold = sent_at - e->received_ns, late = sent_at > e->due_ns ? sent_at - e->due_ns : 0;
                stats.hold_sum_ns += hold;
                if (hold > stats.hold_max_ns) stats.hold_max_ns = hold;
                stats.late_sum_ns += late;
                if (late > stats.late_max_ns) stats.late_max_ns = late;
                ++stats.late_histogram[late / 1000 < 1000 ? late / 1000 : 1000];
                stats.bytes += e->length;
                if (same_address(&e->to, &sessions[sid].client)) ++stats.to_client; else ++stats.to_server;
            }
            sessions[sid].queued -= n;
            forwarded += n;
            head = (head + n) % slots;
            count -= n;
            t = last_activity = sent_at;
        }
        if (forwarded >= max_packets) break;

        /* 2. Close idle sessions (nothing queued, silent for 10 s), at most once a second. */
        if (t - last_sweep > 1000000000u) {
            last_sweep = t;
            for (unsigned i = 0; i < max_sessions; ++i) {
                struct session* s = &sessions[i];
                if (s->fd >= 0 && s->queued == 0 && t - s->last_ns > 10000000000u) {
                    close(s->fd);
                    s->fd = -1;
                }
            }
        }

        /* 3. Wait: for the next due packet, for input, or (queue full) only for the next due packet. */
        uint64_t wake = end;
        if (count > 0 && queue[head].due_ns < wake) wake = queue[head].due_ns;
        uint64_t until = wake > t ? wake - t : 0;
        if (until > 100000000u) until = 100000000u; /* re-check the stop conditions every 100 ms */
        int ready;
        if (count == slots) {
            struct timespec ts = {(time_t)(until / 1000000000u), (long)(until % 1000000000u)};
            nanosleep(&ts, NULL);
            continue;
        }
        if (until <= spin_ns || t - last_activity < spin_ns) {
            ready = epoll_wait(ep, events, 64, 0);
        } else {
            uint64_t wait = until - spin_ns;
            struct timespec ts = {(time_t)(wait / 1000000000u), (long)(wait % 1000000000u)};
            ready = epoll_pwait2(ep, events, 64, &ts, NULL);
        }
        if (ready <= 0) continue;
        t = now_ns();

        /* 4. Read every ready socket into free FIFO slots, in batches. */
        for (int r = 0; r < ready; ++r) {
            uint32_t index = events[r].data.u32;
            int fd = index == LISTENER ? listener : sessions[index].fd;
            if (fd < 0) continue;
            /* One batch per socket per turn, so due packets go out between batches. */
            do {
                if (count >= slots) break;
                unsigned tail = (head + count) % slots;
                unsigned room = slots - count;
                if (room > slots - tail) room = slots - tail; /* contiguous slots only: simpler indexing */
                if (room > BATCH) room = BATCH;
                for (unsigned i = 0; i < room; ++i) {
                    vectors[i].iov_base = data + (size_t)(tail + i) * slot_size;
                    vectors[i].iov_len = slot_size;
                    memset(&messages[i].msg_hdr, 0, sizeof(messages[i].msg_hdr));
                    messages[i].msg_hdr.msg_name = &sources[i];
                    messages[i].msg_hdr.msg_namelen = sizeof(sources[i]);
                    messages[i].msg_hdr.msg_iov = &vectors[i];
                    messages[i].msg_hdr.msg_iovlen = 1;
                }
                int got = recvmmsg(fd, messages, room, MSG_DONTWAIT, NULL);
                if (got <= 0) break;
                uint64_t received = now_ns();
                last_activity = received;
                for (int i = 0; i < got; ++i) {
                    union address* from = &sources[i];
                    if (messages[i].msg_hdr.msg_flags & MSG_TRUNC) { ++stats.truncated; continue; }
                    uint32_t sid;
                    union address to;
                    if (index == LISTENER) {
                        /* A request: the client's pending session (no TID yet), or a new one. */
                        sid = UINT32_MAX;
                        for (unsigned k = 0; k < max_sessions; ++k) {
                            if (sessions[k].fd >= 0 && !sessions[k].have_tid &&
                                same_address(&sessions[k].client, from)) { sid = k; break; }
                        }
                        if (sid == UINT32_MAX) {
                            for (unsigned k = 0; k < max_sessions; ++k) {
                                if (sessions[k].fd < 0) { sid = k; break; }
                            }
                            int sfd = sid == UINT32_MAX ? -1 : open_socket(&bind_any);
                            if (sfd < 0) { ++stats.refused; continue; }
                            struct session* s = &sessions[sid];
                            memset(s, 0, sizeof(*s));
                            s->fd = sfd;
                            s->client = *from;
                            struct epoll_event se = {.events = EPOLLIN, .data.u32 = sid};
                            epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &se);
                            ++stats.sessions;
                        }
                        to = server_address;
                    } else {
                        struct session* s = &sessions[index];
                        sid = index;
                        if (same_address(from, &s->client)) {
                            to = s->have_tid ? s->tid : server_address;
                        } else if (s->have_tid ? same_address(from, &s->tid) : same_host(from, &server_address)) {
                            if (!s->have_tid) { s->tid = *from; s->have_tid = 1; }
                            to = s->client;
                        } else {
                            ++stats.stray;
                            continue;
                        }
                    }
                    /* Keep the packet in its slot: move it to the FIFO's tail if earlier ones were skipped. */
                    unsigned slot = (head + count) % slots;
                    unsigned char* payload = data + (size_t)(tail + i) * slot_size;
                    if (slot != tail + (unsigned)i)
                        memmove(data + (size_t)slot * slot_size, payload, messages[i].msg_len);
                    struct entry* e = &queue[slot];
                    e->received_ns = received;
                    e->due_ns = received + delay_ns;
                    e->session = sid;
                    e->length = messages[i].msg_len;
                    e->to = to;
                    sessions[sid].queued++;
                    sessions[sid].last_ns = received;
                    ++count;
                }
                if (count > stats.max_queued) stats.max_queued = count;
            } while (0);
        }
        stats.busy_ns += now_ns() - t;
    }

    uint64_t packets = stats.to_server + stats.to_client;
    uint64_t p50 = 0, p99 = 0, seen = 0;
    for (unsigned i = 0; i <= 1000 && packets; ++i) {
        seen += stats.late_histogram[i];
        if (!p50 && seen * 2 >= packets) p50 = i + 1;
        if (!p99 && seen * 100 >= packets * 99) p99 = i + 1;
    }
    printf("stats packets=%llu to_server=%llu to_client=%llu bytes=%llu sessions=%llu refused=%llu stray=%llu "
           "truncated=%llu send_errors=%llu gso_messages=%llu left_queued=%u max_queued=%llu hold_avg_us=%.1f hold_max_us=%.1f "
           "late_avg_us=%.1f late_p50_us=<%llu late_p99_us=<%llu late_max_us=%.1f busy_s=%.3f seconds=%.3f reason=%s\n",
           (unsigned long long)packets, (unsigned long long)stats.to_server, (unsigned long long)stats.to_client,
           (unsigned long long)stats.bytes, (unsigned long long)stats.sessions, (unsigned long long)stats.refused,
           (unsigned long long)stats.stray, (unsigned long long)stats.truncated,
           (unsigned long long)stats.send_errors, (unsigned long long)stats.gso_messages, count, (unsigned long long)stats.max_queued,
           packets ? stats.hold_sum_ns / 1e3 / packets : 0.0, stats.hold_max_ns / 1e3,
           packets ? stats.late_sum_ns / 1e3 / packets : 0.0, (unsigned long long)p50, (unsigned long long)p99,
           stats.late_max_ns / 1e3, stats.busy_ns / 1e9, (now_ns() - start) / 1e9,
           stop_signal ? "signal" : forwarded >= max_packets ? "count" : "lifetime");
    fflush(stdout);
    return 0;
}
