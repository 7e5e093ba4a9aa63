/* The cluster resolver's JSON reader (discovery answers, steering
 * manifests, status callbacks). Input: the document. Also checks that a
 * string quoted by json_quote parses back to itself. */
#include "fuzz_input.h"
#include "resilient/cluster/json.h"

using namespace resilient::cluster;

static void
walk (const JsonValue &v, int depth)
{
  if (depth > 100)
    resilient::fuzz::fuzz_fail ("JSON nesting deeper than the reader allows");
  for (const auto &i : v.items ())
    walk (i, depth + 1);
  for (const auto &[k, m] : v.members ())
    walk (m, depth + 1);
}

extern "C" int
LLVMFuzzerTestOneInput (const std::uint8_t *data, std::size_t size)
{
  std::string_view text (reinterpret_cast<const char *> (data), size);
  if (auto v = parse_json (text)) {
    walk (*v, 0);
    (void)v->path ("connection.signallingUri");
    (void)v->get_string ("uri");
  }
  auto quoted = parse_json (json_quote (text));
  if (!quoted || !quoted->is_string () || quoted->as_string () != text)
    resilient::fuzz::fuzz_fail ("parse_json (json_quote (s)) != s");
  return 0;
}
