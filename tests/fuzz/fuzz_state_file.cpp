/* clusterresolver's failure-memory state file, read back at start (it may
 * be truncated by a crash or edited by hand). Input: the file. */
#include "fuzz_input.h"
#include "resilient/cluster/state_file.h"

using namespace resilient::cluster;

extern "C" int
LLVMFuzzerTestOneInput (const std::uint8_t *data, std::size_t size)
{
  std::string text (reinterpret_cast<const char *> (data), size);
  FailureMemory memory;
  auto now = resilient::TimePoint (std::int64_t (1700000000) * 1000000000);
  (void)parse_memory (text, now, memory);
  /* What we write parses back to the same records. */
  FailureMemory again;
  (void)parse_memory (serialise_memory (memory), now, again);
  if (again.records ().size () != memory.records ().size ())
    resilient::fuzz::fuzz_fail (
        "parse_memory (serialise_memory (m)) lost records");
  return 0;
}
