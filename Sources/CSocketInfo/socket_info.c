#include "socket_info.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/tcp.h>

int fw_tcp_counters_get(int fd, fw_tcp_counters *out) {
    struct tcp_info info;
    socklen_t length = sizeof info;
    memset(&info, 0, sizeof info);
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return -1;
    /* The kernel writes as much of the struct as it knows; without the byte counters they are not
       there to read. */
    if (length < offsetof(struct tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received) {
        errno = ENOTSUP;
        return -1;
    }
    out->state = info.tcpi_state;
    out->bytes_received = info.tcpi_bytes_received;
    out->bytes_acked = info.tcpi_bytes_acked;
    return 0;
}
