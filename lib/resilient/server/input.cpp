#include "resilient/server/input.h"

#include <cctype>

namespace resilient::server {

static std::string
label (const CodecInfo &c)
{
  std::string s = c.name;
  for (char &ch : s)
    ch = (char)std::toupper ((unsigned char)ch);
  return s;
}

InputChoice
choose_input (std::string_view caps_name, bool video, Codec served)
{
  const char *pad = video ? "video" : "audio";
  if (caps_name == (video ? "video/x-raw" : "audio/x-raw"))
    return { InputKind::Raw, {} };
  const CodecInfo &want = codec_info (served);
  std::string accepted = std::string (video ? "raw video" : "raw audio")
                         + " or " + want.caps_name;
  const CodecInfo *c = codec_by_caps_name (caps_name);
  if (!c || c->video != video)
    return { InputKind::Unsupported,
             "the " + std::string (pad) + " input is " + std::string (caps_name)
                 + ", which the " + pad + " pad does not take (it takes "
                 + accepted + ")" };
  if (c->codec != served)
    return { InputKind::Unsupported,
             "the " + std::string (pad) + " input is " + label (*c)
                 + " but the viewers are served " + label (want)
                 + (video ? " (video-codec)" : "") + ": feed " + accepted
                 + (video ? ", or set video-codec to match" : "") };
  return { InputKind::Encoded, {} };
}

} // namespace resilient::server
