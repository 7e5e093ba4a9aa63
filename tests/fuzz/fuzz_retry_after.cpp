/* Retry-After values (delay-seconds or any of the three HTTP-date forms).
 * Input: the header value; "now" is fixed so a finding reproduces. */
#include "fuzz_input.h"
#include "resilient/whip/retryafter.h"

using namespace resilient::whip;

extern "C" int
LLVMFuzzerTestOneInput (const std::uint8_t *data, std::size_t size)
{
  std::string value (reinterpret_cast<const char *> (data), size);
  (void)parse_http_date (value);
  if (auto d = parse_retry_after (value, 1700000000)) {
    if (d->count () < 0)
      resilient::fuzz::fuzz_fail ("negative Retry-After");
  }
  return 0;
}
