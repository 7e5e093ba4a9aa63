/* gst-resilient server side: what reswhepserversink does with the stream
 * linked to one of its pads.
 *
 * Raw video or audio is encoded once for every viewer. A stream already
 * encoded in the codec the viewers are served (H264 or VP8 for video, as
 * `video-codec` says; Opus for audio) is parsed and payloaded as it is,
 * with no encoder at all: a relay of an origin's stream (seed 002's
 * secure front: `failoversrc mode=encoded ... ! reswhepserversink`) costs
 * no decode and no encode. Anything else is refused with a sentence that
 * names the stream and what would be accepted. Plain C++, by caps name.
 */
#pragma once

#include "resilient/core/codec.h"

#include <string>
#include <string_view>

namespace resilient::server {

enum class InputKind {
  Raw,         /* encode it */
  Encoded,     /* parse and payload it as it is */
  Unsupported, /* refuse it: `reason` says why */
};

struct InputChoice
{
  InputKind kind = InputKind::Unsupported;
  std::string reason;
};

/* `caps_name`: the stream's caps structure name ("video/x-h264");
 * `video`: whether it arrived on the video pad; `served`: the codec the
 * viewers get on that pad. */
InputChoice choose_input (std::string_view caps_name, bool video, Codec served);

} // namespace resilient::server
