/* gst-resilient server side: the RTCP sender report of a stream sent on
 * reswhepserversink's direct send path (server/directsend.h).
 *
 * webrtcbin keeps sending a viewer's RTCP, but it stops seeing the media
 * once the fan-out sends it directly: its report for the stream's SSRC
 * would freeze (then turn into a receiver report). with_sender_info()
 * rewrites the compound's first packet into a sender report carrying the
 * direct path's NTP / RTP time and counts (RFC 3550 6.4.1), keeping its
 * report blocks and the packets after it (SDES and the rest).
 *
 * Plain C++ on bytes; no GStreamer, no clock (the times are passed in).
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace resilient::server {

struct SenderInfo
{
  std::uint64_t ntp = 0; /* 32.32 fixed point, seconds since 1900 */
  std::uint32_t rtp = 0; /* the same instant in the stream's RTP clock */
  std::uint32_t packets = 0;
  std::uint32_t octets = 0; /* payload octets */
};

/* The NTP time (32.32) of a Unix time in microseconds. */
std::uint64_t ntp_time (std::int64_t unix_us);

/* The sender SSRC of a compound whose first packet is an SR or RR (RTP
 * version 2, no padding, its length inside the buffer); nullopt else. */
std::optional<std::uint32_t> report_ssrc (const std::uint8_t *rtcp,
                                          std::size_t len);

/* The compound with its first packet a sender report of the same SSRC
 * carrying `si`; empty when report_ssrc() is nullopt. */
std::vector<std::uint8_t> with_sender_info (const std::uint8_t *rtcp,
                                            std::size_t len,
                                            const SenderInfo &si);

} // namespace resilient::server
