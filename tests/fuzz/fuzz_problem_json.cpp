/* Error bodies of WHIP/WHEP servers: application/problem+json (RFC 9457)
 * and plain text excerpts. Input: the body. */
#include "fuzz_input.h"
#include "resilient/whip/http.h"

using namespace resilient::whip;

extern "C" int
LLVMFuzzerTestOneInput (const std::uint8_t *data, std::size_t size)
{
  HttpResponse r;
  r.status = 400;
  r.body.assign (reinterpret_cast<const char *> (data), size);
  std::string title, detail;
  for (const char *ct : { "application/problem+json", "text/plain", "" }) {
    r.content_type = ct;
    extract_problem (r, title, detail);
  }
  return 0;
}
