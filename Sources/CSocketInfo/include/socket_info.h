#ifndef FEEDWATCH_SOCKET_INFO_H
#define FEEDWATCH_SOCKET_INFO_H

#include <stdint.h>

/* What the kernel counts for one TCP connection (TCP_INFO). The byte counters live only in
   <linux/tcp.h>'s struct tcp_info, which Swift's Glibc module does not see; this keeps that header
   on the C side and hands Swift three plain numbers. */
typedef struct {
    uint8_t state;               /* TCP_ESTABLISHED is 1 */
    uint64_t bytes_received;     /* payload bytes the peer has sent us */
    uint64_t bytes_acked;        /* payload bytes we sent that the peer acknowledged */
} fw_tcp_counters;

/* Fills `out` for `fd`. Returns 0, or -1 with errno set (not a TCP socket, or a kernel older than
   4.1 without the byte counters: ENOTSUP). */
int fw_tcp_counters_get(int fd, fw_tcp_counters *out);

#endif
