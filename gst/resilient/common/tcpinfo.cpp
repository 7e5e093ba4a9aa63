/* gst-resilient: what the kernel knows about a TCP connection (tcpinfo.h).
 * Linux's own struct tcp_info (glibc's stops before the byte counters), in
 * a file of its own: <linux/tcp.h> and <netinet/tcp.h> do not mix. */
#include "common/tcpinfo.h"

#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>

namespace resilient::gst {

std::optional<std::uint64_t>
tcp_bytes_received (int fd)
{
  struct tcp_info info
  {
  };
  socklen_t len = sizeof (info);
  if (getsockopt (fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0
      || len < offsetof (struct tcp_info, tcpi_bytes_received)
                   + sizeof (info.tcpi_bytes_received))
    return std::nullopt;
  return info.tcpi_bytes_received;
}

} // namespace resilient::gst
