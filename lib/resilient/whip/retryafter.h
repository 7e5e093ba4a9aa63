/* gst-resilient WHIP/WHEP: the Retry-After header (RFC 9110 10.2.3).
 *
 * Either delay-seconds ("120") or an HTTP-date (IMF-fixdate, plus the
 * obsolete RFC 850 and asctime forms a recipient must accept). The wall-clock
 * "now" is passed in, as seconds since the Unix epoch, so tests never read
 * a clock.
 */
#pragma once

#include "resilient/core/time.h"

#include <cstdint>
#include <optional>
#include <string>

namespace resilient::whip {

/* Seconds since the epoch for an HTTP-date, nullopt when it does not parse. */
std::optional<std::int64_t> parse_http_date (const std::string &value);

/* How long to wait: seconds as given, or the date minus `now_unix_s`
 * (clamped at zero for a date in the past). nullopt when absent or
 * malformed. */
std::optional<Duration> parse_retry_after (const std::string &value,
    std::int64_t now_unix_s);

}  // namespace resilient::whip
