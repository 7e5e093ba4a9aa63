/* Link headers of WHIP/WHEP answers (ICE servers, extensions). Input: one
 * header value per NUL-separated part. */
#include "fuzz_input.h"
#include "resilient/whip/link.h"

using namespace resilient::whip;

extern "C" int
LLVMFuzzerTestOneInput (const std::uint8_t *data, std::size_t size)
{
  auto values = resilient::fuzz::split_input (data, size, 8);
  for (const auto &e : parse_link_headers (values)) {
    (void)e.has_rel ("ice-server");
    (void)e.param ("username");
  }
  for (const auto &s : ice_servers_from_links (values)) {
    (void)webrtcbin_ice_url (s);
    (void)is_stun_url (s.url);
  }
  return 0;
}
