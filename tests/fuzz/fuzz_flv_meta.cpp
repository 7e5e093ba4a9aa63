/* FLV byte streams up to their onMetaData (FlvMetaScan), fed in pieces
 * whose sizes come from the input's first byte, and the AMF0 metadata
 * body parser on its own. The verdict must not depend on how the bytes
 * are split. */
#include "fuzz_input.h"
#include "resilient/failover/flv_meta.h"

using namespace resilient::failover;

extern "C" int
LLVMFuzzerTestOneInput (const std::uint8_t *data, std::size_t size)
{
  if (size == 0)
    return 0;
  const std::size_t piece = 1 + data[0] % 64;
  data++;
  size--;
  (void)flv_metadata_streams (data, size);
  FlvMetaScan whole, pieces;
  whole.feed (data, size);
  for (std::size_t i = 0; i < size; i += piece)
    pieces.feed (data + i, std::min (piece, size - i));
  if (whole.verdict () != pieces.verdict ())
    resilient::fuzz::fuzz_fail ("the verdict depends on the buffer sizes");
  if (whole.verdict () == FlvMetaScan::Verdict::Found
      && (whole.streams ().video != pieces.streams ().video
          || whole.streams ().audio != pieces.streams ().audio))
    resilient::fuzz::fuzz_fail ("the streams depend on the buffer sizes");
  return 0;
}
