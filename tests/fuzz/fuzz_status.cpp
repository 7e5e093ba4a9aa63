/* Status callbacks posted to clusterresolver's listener. Input:
 * body [NUL alias]. */
#include "fuzz_input.h"
#include "resilient/cluster/discovery.h"

using namespace resilient::cluster;

extern "C" int
LLVMFuzzerTestOneInput (const std::uint8_t *data, std::size_t size)
{
  auto parts = resilient::fuzz::split_input (data, size, 2);
  const std::string alias = parts.size () > 1 ? parts[1] : std::string ();
  static const std::vector<Host> configured = {
    { "rtmp://a.example:1935/live", 1.0 },
    { "rtmp://b.example:1935/live", 1.0 },
  };
  std::string error;
  auto r = parse_status_report (alias, parts[0], configured, error);
  if (!r && error.empty ())
    resilient::fuzz::fuzz_fail ("parse_status_report refused without a reason");
  return 0;
}
