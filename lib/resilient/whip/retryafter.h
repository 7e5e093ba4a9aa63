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

/* The longest wait any parsed HTTP time gives (Retry-After in both forms,
 * and a counter-offer's Valid-Until / Expires): 10 minutes. A longer value
 * (a mis-set server clock, "Fri, 31 Dec 9999 23:59:59 GMT") would park a
 * 24/7 publisher for years, and a far date would overflow the nanosecond
 * Duration; it is read as this maximum. */
constexpr std::int64_t kMaxHttpDelaySeconds = 600;
constexpr Duration kMaxHttpDelay = std::chrono::seconds (kMaxHttpDelaySeconds);

/* Seconds since the epoch for an HTTP-date, nullopt when it does not parse. */
std::optional<std::int64_t> parse_http_date (const std::string &value);

/* How long to wait: seconds as given, or the date minus `now_unix_s`
 * (clamped at zero for a date in the past), at most kMaxHttpDelay for
 * either form. nullopt when absent or malformed. */
std::optional<Duration> parse_retry_after (const std::string &value,
    std::int64_t now_unix_s);

/* The time from `now_unix_s` to the HTTP-date `at_unix_s`: zero when it is
 * past, at most kMaxHttpDelay; never overflows, whatever the inputs. */
Duration time_until (std::int64_t at_unix_s, std::int64_t now_unix_s);

}  // namespace resilient::whip
