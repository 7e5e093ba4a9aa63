/* Discovery answers and content-steering manifests, and the hosts built
 * from them. Input: the body. */
#include "fuzz_input.h"
#include "resilient/cluster/discovery.h"

using namespace resilient::cluster;

extern "C" int
LLVMFuzzerTestOneInput (const std::uint8_t *data, std::size_t size)
{
  std::string_view body (reinterpret_cast<const char *> (data), size);
  static const std::vector<Host> configured = {
    { "rtmp://a.example:1935/live", 1.0 },
    { "srt://b.example:9000", 2.0 },
    { "http://c.example/hls", 1.0 },
  };
  std::string error;
  auto a = parse_discovery (body, error);
  if (!a) {
    if (error.empty ())
      resilient::fuzz::fuzz_fail ("parse_discovery refused without a reason");
    return 0;
  }
  if (a->endpoint) {
    (void)url_authority (a->endpoint->url);
    (void)replace_url_host (a->endpoint->url, "x.example");
  }
  if (a->steering) {
    for (const auto &h : steering_hosts (*a->steering, configured))
      (void)url_authority (h.url);
  }
  return 0;
}
