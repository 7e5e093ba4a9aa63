/* URLs: element URIs, Location and Link targets resolved against the URL
 * that answered. Input: reference [NUL base]. */
#include "fuzz_input.h"
#include "resilient/whip/url.h"

using namespace resilient::whip;

extern "C" int
LLVMFuzzerTestOneInput (const std::uint8_t *data, std::size_t size)
{
  auto parts = resilient::fuzz::split_input (data, size, 2);
  const std::string &ref = parts[0];
  const std::string base
      = parts.size () > 1 ? parts[1] : std::string ("http://h.example/a/b?q");
  /* RFC 3986 appendix B: splitting and joining gives the reference back. */
  auto split = split_url (ref);
  if (join_url (split) != ref && split.scheme.empty ())
    resilient::fuzz::fuzz_fail ("join_url (split_url (ref)) != ref");
  (void)resolve_url (base, ref);
  (void)resolve_url (ref, base);
  if (auto http = http_url_for (ref))
    (void)url_origin (*http);
  (void)is_http_url (ref);
  (void)url_origin (ref);
  (void)percent_encode (ref);
  return 0;
}
