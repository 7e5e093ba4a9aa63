/* How long a WHEP 406 counter-offer stays valid: Valid-Until (HTTP-date or
 * seconds), else Expires. Input: Valid-Until [NUL Expires]. */
#include "fuzz_input.h"
#include "resilient/whip/http.h"

using namespace resilient::whip;

extern "C" int
LLVMFuzzerTestOneInput (const std::uint8_t *data, std::size_t size)
{
  auto parts = resilient::fuzz::split_input (data, size, 2);
  HttpResponse r;
  r.status = 406;
  r.valid_until = parts[0];
  if (parts.size () > 1)
    r.expires = parts[1];
  if (counter_offer_validity (r, 1700000000).count () < 0)
    resilient::fuzz::fuzz_fail ("negative counter-offer validity");
  r.expires = r.valid_until;
  r.valid_until.clear ();
  if (counter_offer_validity (r, 1700000000).count () < 0)
    resilient::fuzz::fuzz_fail ("negative counter-offer validity (Expires)");
  return 0;
}
