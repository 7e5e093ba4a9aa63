/* gst-resilient: the one table of codecs the elements know.
 *
 * Every place that maps caps to a codec, a codec to its parser, RTP
 * payloader or depayloader, or an SDP encoding name back to a codec reads
 * this table, so a codec added here is known everywhere at once. Plain C++
 * (no GStreamer): caps are passed in by their structure name, so the table
 * is unit-tested without a pipeline. `common/codecs.h` holds the GstCaps
 * wrappers.
 */
#pragma once

#include <string_view>

namespace resilient {

enum class Codec {
  H264,
  H265,
  VP8,
  VP9,
  AV1,
  AAC,
  Opus,
  PCMU,
  PCMA,
};

struct CodecInfo
{
  Codec codec;
  /* Lower-case short name: statistics, bus messages, properties. */
  const char *name;
  /* Caps structure name of the encoded stream. */
  const char *caps_name;
  /* SDP/RTP encoding name (upper case, as in a=rtpmap). */
  const char *encoding_name;
  bool video;
  /* RTP clock rate in Hz. */
  unsigned clock_rate;
  /* Element factory names; nullptr where GStreamer has none (or none is
   * needed: VP8/VP9 need no parser before their payloader). */
  const char *parser;
  const char *payloader;
  const char *depayloader;
};

/* By caps structure name ("video/x-h264"); nullptr when unknown. */
const CodecInfo *codec_by_caps_name (std::string_view caps_name);
/* By short or encoding name, case-insensitive ("h264", "H264", "opus");
 * nullptr when unknown. */
const CodecInfo *codec_by_name (std::string_view name);
const CodecInfo &codec_info (Codec codec);

} // namespace resilient
