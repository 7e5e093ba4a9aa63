#include "resilient/core/codec.h"

#include <cctype>

namespace resilient {

/* Ordered by Codec. */
static constexpr CodecInfo kCodecs[] = {
  { Codec::H264, "h264", "video/x-h264", "H264", true, 90000, "h264parse",
    "rtph264pay", "rtph264depay" },
  { Codec::H265, "h265", "video/x-h265", "H265", true, 90000, "h265parse",
    "rtph265pay", "rtph265depay" },
  { Codec::VP8, "vp8", "video/x-vp8", "VP8", true, 90000, nullptr, "rtpvp8pay",
    "rtpvp8depay" },
  { Codec::VP9, "vp9", "video/x-vp9", "VP9", true, 90000, nullptr, "rtpvp9pay",
    "rtpvp9depay" },
  { Codec::AV1, "av1", "video/x-av1", "AV1", true, 90000, "av1parse",
    "rtpav1pay", "rtpav1depay" },
  { Codec::AAC, "aac", "audio/mpeg", "MP4A-LATM", false, 48000, "aacparse",
    "rtpmp4apay", "rtpmp4adepay" },
  { Codec::Opus, "opus", "audio/x-opus", "OPUS", false, 48000, "opusparse",
    "rtpopuspay", "rtpopusdepay" },
  { Codec::PCMU, "pcmu", "audio/x-mulaw", "PCMU", false, 8000, nullptr,
    "rtppcmupay", "rtppcmudepay" },
  { Codec::PCMA, "pcma", "audio/x-alaw", "PCMA", false, 8000, nullptr,
    "rtppcmapay", "rtppcmadepay" },
};

static bool
same_ignoring_case (std::string_view a, std::string_view b)
{
  if (a.size () != b.size ())
    return false;
  for (size_t i = 0; i < a.size (); i++)
    if (std::tolower (static_cast<unsigned char> (a[i]))
        != std::tolower (static_cast<unsigned char> (b[i])))
      return false;
  return true;
}

const CodecInfo *
codec_by_caps_name (std::string_view caps_name)
{
  for (const auto &c : kCodecs)
    if (caps_name == c.caps_name)
      return &c;
  return nullptr;
}

const CodecInfo *
codec_by_name (std::string_view name)
{
  for (const auto &c : kCodecs)
    if (same_ignoring_case (name, c.name)
        || same_ignoring_case (name, c.encoding_name))
      return &c;
  return nullptr;
}

const CodecInfo &
codec_info (Codec codec)
{
  return kCodecs[static_cast<int> (codec)];
}

static_assert (sizeof (kCodecs) / sizeof (kCodecs[0])
                   == static_cast<int> (Codec::PCMA) + 1,
               "one row per Codec, in order");

} // namespace resilient
