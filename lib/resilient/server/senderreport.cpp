/* gst-resilient server side: sender reports of the direct send path. */
#include "resilient/server/senderreport.h"

namespace resilient::server {

namespace {

constexpr std::uint8_t PT_SR = 200;
constexpr std::uint8_t PT_RR = 201;
constexpr std::size_t SENDER_INFO = 20;
constexpr std::size_t REPORT_BLOCK = 24;
/* seconds from 1900-01-01 (NTP) to 1970-01-01 (Unix) */
constexpr std::uint64_t NTP_UNIX_OFFSET = 2208988800ULL;

void
put32 (std::uint8_t *p, std::uint32_t v)
{
  p[0] = std::uint8_t (v >> 24);
  p[1] = std::uint8_t (v >> 16);
  p[2] = std::uint8_t (v >> 8);
  p[3] = std::uint8_t (v);
}

/* the first packet's length in bytes when it is a well-formed SR or RR */
std::size_t
first_report_len (const std::uint8_t *p, std::size_t len)
{
  if (len < 8 || (p[0] >> 6) != 2 || (p[0] & 0x20))
    return 0;
  if (p[1] != PT_SR && p[1] != PT_RR)
    return 0;
  std::size_t bytes = 4 * (((std::size_t (p[2]) << 8) | p[3]) + 1);
  std::size_t need = (p[1] == PT_SR ? 8 + SENDER_INFO : 8)
                     + REPORT_BLOCK * std::size_t (p[0] & 0x1f);
  return bytes <= len && bytes >= need ? bytes : 0;
}

} // namespace

std::uint64_t
ntp_time (std::int64_t unix_us)
{
  std::uint64_t secs = std::uint64_t (unix_us / 1000000) + NTP_UNIX_OFFSET;
  std::uint64_t frac = (std::uint64_t (unix_us % 1000000) << 32) / 1000000;
  return (secs << 32) | frac;
}

std::optional<std::uint32_t>
report_ssrc (const std::uint8_t *p, std::size_t len)
{
  if (!first_report_len (p, len))
    return std::nullopt;
  return (std::uint32_t (p[4]) << 24) | (std::uint32_t (p[5]) << 16)
         | (std::uint32_t (p[6]) << 8) | p[7];
}

std::vector<std::uint8_t>
with_sender_info (const std::uint8_t *p, std::size_t len, const SenderInfo &si)
{
  const std::size_t first = first_report_len (p, len);
  if (!first)
    return {};
  const bool sr = p[1] == PT_SR;
  std::vector<std::uint8_t> out;
  out.reserve (len + (sr ? 0 : SENDER_INFO));
  out.insert (out.end (), p, p + 8); /* header and SSRC */
  out[1] = PT_SR;
  const std::size_t words = first / 4 - 1 + (sr ? 0 : SENDER_INFO / 4);
  out[2] = std::uint8_t (words >> 8);
  out[3] = std::uint8_t (words);
  std::uint8_t info[SENDER_INFO];
  put32 (info, std::uint32_t (si.ntp >> 32));
  put32 (info + 4, std::uint32_t (si.ntp));
  put32 (info + 8, si.rtp);
  put32 (info + 12, si.packets);
  put32 (info + 16, si.octets);
  out.insert (out.end (), info, info + SENDER_INFO);
  /* the report blocks (and any profile extension), then the rest */
  const std::uint8_t *rest = p + 8 + (sr ? SENDER_INFO : 0);
  out.insert (out.end (), rest, p + len);
  return out;
}

} // namespace resilient::server
