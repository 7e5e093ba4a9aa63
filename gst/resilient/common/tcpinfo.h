/* gst-resilient: what the kernel knows about a TCP connection. */
#pragma once

#include <cstdint>
#include <optional>

namespace resilient::gst {

/* Bytes received on the connected TCP socket `fd` so far (read by the
 * application or not), or nullopt when the kernel does not say. */
std::optional<std::uint64_t> tcp_bytes_received (int fd);

} // namespace resilient::gst
